#!/usr/bin/env bash
# Throughput of `nettool ike-log` against `grep -c` on the same >= 500 MB log, built by repeating the shared
# corpus logs of one daemon (a realistic single-daemon log; falls back to our own fixtures without ../shared).
# Prints MB/s for both, the ratio, and nettool's peak RSS (constant memory: compare two sizes).
# Usage: bench/ikelog/run.sh [NETTOOL] [SIZE_MB]   (default: build/release/apps/nettool/nettool, 512)
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
nettool=${1:-$src/build/release/apps/nettool/nettool}
size_mb=${2:-512}
shared=${NETTOOL_SHARED_DIR:-$src/../shared}
[ -x "$nettool" ] || { echo "no nettool binary at $nettool (build first: scripts/build release)"; exit 3; }
command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (package time)"; exit 3; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/ikelog-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
export LC_ALL=C

build_input() {  # build_input NAME FILES... -> $work/NAME.log of >= size_mb
    local name=$1; shift
    cat "$@" > "$work/$name.unit"
    local target=$((size_mb * 1000 * 1000)) out="$work/$name.log"
    : > "$out"
    # Doubling keeps the number of cat calls small.
    cp "$work/$name.unit" "$out"
    while [ "$(stat -c %s "$out")" -lt "$target" ]; do
        if [ $(( $(stat -c %s "$out") * 2 )) -le "$target" ]; then
            cat "$out" "$out" > "$out.tmp" && mv "$out.tmp" "$out"
        else
            cat "$work/$name.unit" >> "$out"
        fi
    done
    rm -f "$work/$name.unit"
}

seconds() {  # seconds CMD...: wall time of CMD (output to a scratch file), best of 2 runs
    local best=
    for _ in 1 2; do
        local start end
        start=$(date +%s.%N)
        # Not > /dev/null: GNU grep notices /dev/null and stops at the first match (as with -q), so it
        # would read only up to the first match.
        "$@" > "$work/out" || true  # nettool exits 1 when a peer failed: not an error here
        end=$(date +%s.%N)
        local t
        t=$(echo "$end - $start" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    done
    echo "$best"
}

run_set() {  # run_set NAME PATTERN FILES...
    local name=$1 pattern=$2; shift 2
    build_input "$name" "$@"
    local log=$work/$name.log
    local bytes mb
    bytes=$(stat -c %s "$log")
    mb=$(echo "$bytes / 1000000" | bc -l)
    # Write the new file out first: the kernel flushing it while a tool runs would take CPU from that tool.
    sync "$log"
    cat "$log" > /dev/null  # warm the page cache for both tools
    local tg tn rss lines
    tg=$(seconds grep -c -- "$pattern" "$log")
    tn=$(seconds "$nettool" ike-log --json "$log")
    # Peak RSS, and RSS at a quarter of the size: constant memory means about the same.
    rss=$( { /usr/bin/time -f '%M' "$nettool" ike-log --json "$log" > /dev/null || true; } 2>&1 | tail -1)
    head -c $((bytes / 4)) "$log" > "$work/quarter.log"
    local rss_q
    rss_q=$( { /usr/bin/time -f '%M' "$nettool" ike-log --json "$work/quarter.log" > /dev/null || true; } 2>&1 | tail -1)
    rm -f "$work/quarter.log"
    lines=$(grep -c '' "$log")
    printf '%-12s %8.1f MB %10d lines | grep -c %-14s %7.1f MB/s (%.2f s) | nettool %7.1f MB/s (%.2f s) | ratio %.2fx grep | peak RSS %d KB (%d KB at 1/4 size)\n' \
        "$name" "$mb" "$lines" "'$pattern'" "$(echo "$mb / $tg" | bc -l)" "$tg" "$(echo "$mb / $tn" | bc -l)" "$tn" \
        "$(echo "$tg / $tn" | bc -l)" "$rss" "$rss_q"
    rm -f "$log"
}

echo "nettool: $nettool"
echo "input: >= $size_mb MB per set; times are the best of 2 runs, page cache warm"
if [ -d "$shared/corpus/ike/strongswan" ]; then
    run_set strongswan established "$shared"/corpus/ike/strongswan/*/*.log
    run_set libreswan established "$shared"/corpus/ike/libreswan/*/*.log "$shared"/corpus/ike/libreswan-fakekernel/*/*.log
else
    echo "(../shared absent: repeating our own fixtures instead)"
    run_set strongswan established "$src"/tests/fixtures/ikelog/strongswan/*.log
    run_set etx-vrt MODE "$src"/tests/fixtures/ikelog/etx-vrt/*.log
fi
