#!/usr/bin/env bash
# Capture-layer benchmark: builds a large pcap from the committed fixture, then times, in the same run,
#   nettool   read_capture_file (own pcap/pcapng reader) + decode_packet on every packet
#   libpcap   a bare pcap_open_offline/pcap_next_ex loop (the floor any analyser pays)
#   tcpdump   tcpdump -r FILE -w /dev/null (libpcap read + write, the real peer tool)
#   tcpdump-decode   tcpdump -nn -q -r FILE >/dev/null (parse and print every packet)
# and prints the ratios. Usage: bench/capture/run.sh [PACKETS] (default 2000000). Needs a C++20 compiler and
# libpcap-dev; builds a Release copy of the libraries in build/bench-capture.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
count="${1:-2000000}"
build="$repo/build/bench-capture"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "bench: building Release libraries in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DNETTOOL_BUILD_TESTS=OFF -DNETTOOL_WERROR=OFF >/dev/null
cmake --build "$build" --target nettool_io nettool_wire nettool_core -j2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
g++ -std=c++20 -O2 -DNDEBUG -I"$repo/libs/core/include" -I"$repo/libs/wire/include" -I"$repo/libs/io/include" \
  "$here/bench_read.cpp" -o "$work/bench_read" \
  "$build/libs/io/libnettool_io.a" "$build/libs/wire/libnettool_wire.a" "$build/libs/core/libnettool_core.a" \
  $(pkg-config --libs libpcap libcares) -pthread

input="$work/bench.pcap"
"$work/bench_read" generate "$repo/tests/fixtures/capture/veth-mixed.pcap" "$input" "$count"
echo "bench: input $(stat -c %s "$input") bytes, $count packets (veth-mixed.pcap repeated); best of 3 runs each"
cat "$input" >/dev/null  # warm the page cache

best() {  # best wall time of 3 runs of a command
  local best_time=""
  for _ in 1 2 3; do
    local start end t
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best_time" ] || [ "$(echo "$t < $best_time" | bc -l)" -eq 1 ]; then best_time=$t; fi
  done
  printf '%.3f' "$best_time"
}

t_nettool=$(best "$work/bench_read" nettool "$input")
t_libpcap=$(best "$work/bench_read" libpcap "$input")
t_tcpdump=$(best tcpdump -r "$input" -w /dev/null)
t_decode=$(best tcpdump -nn -q -r "$input")
"$work/bench_read" nettool "$input"
printf '%-16s %8s s  %10.0f packets/s\n' \
  nettool "$t_nettool" "$(echo "$count / $t_nettool" | bc -l)" \
  libpcap-loop "$t_libpcap" "$(echo "$count / $t_libpcap" | bc -l)" \
  "tcpdump -w" "$t_tcpdump" "$(echo "$count / $t_tcpdump" | bc -l)" \
  "tcpdump -nn -q" "$t_decode" "$(echo "$count / $t_decode" | bc -l)"
printf 'ratio nettool speed / bare libpcap loop speed: %.2f\n' "$(echo "$t_libpcap / $t_nettool" | bc -l)"
printf 'ratio nettool speed / tcpdump -w speed:        %.2f\n' "$(echo "$t_tcpdump / $t_nettool" | bc -l)"
printf 'ratio nettool speed / tcpdump -nn -q speed:    %.2f\n' "$(echo "$t_decode / $t_nettool" | bc -l)"
