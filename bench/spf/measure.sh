#!/usr/bin/env bash
# measure.sh LABEL RUNS command... : runs the command RUNS times (inside the benchmark's namespace), prints
# "LABEL median_ms run1 run2 ..." on stdout and the last run's output (first 70 bytes) on stderr.
label=$1
runs=$2
shift 2
times=()
out=
for _ in $(seq "$runs"); do
  t0=$(date +%s%N)
  out=$("$@" 2>&1)
  t1=$(date +%s%N)
  times+=($(((t1 - t0) / 1000000)))
done
median=$(printf '%s\n' "${times[@]}" | sort -n |
  awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : int((a[NR/2]+a[NR/2+1])/2)}')
echo "$label $median ${times[*]}"
printf '%s' "$out" | head -c 70 | tr '\n' ' ' >&2
echo >&2
