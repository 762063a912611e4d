#!/usr/bin/env bash
# DNS client benchmark: nettool's DnsClient (c-ares driven by the io_context) against dig, the real peer tool,
# on the same dnsmasq serving N local names on loopback. Prints timings and ratios.
# Usage: bench/dns/run.sh [NAMES]   (default 2000). Builds a Release copy of the io library in build/bench-dns.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
count=${1:-2000}
build="$repo/build/bench-dns"
work=$(mktemp -d /tmp/nettool-bench-dns.XXXXXX)
dnsmasq_pid=""
cleanup() {
  [ -n "$dnsmasq_pid" ] && kill "$dnsmasq_pid" 2>/dev/null && wait "$dnsmasq_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for tool in dnsmasq dig g++ cmake python3; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || { echo "bench: $tool missing" >&2; exit 3; }
done

echo "bench: building nettool_io (Release) in $build"
cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DNETTOOL_BUILD_TESTS=OFF -DNETTOOL_WERROR=OFF >/dev/null
cmake --build "$build" --target nettool_io -j2 >/dev/null
g++ -std=c++20 -O2 -I "$repo/libs/io/include" -I "$repo/libs/wire/include" -I "$repo/libs/core/include" \
  "$repo/bench/dns/dns_bench.cpp" "$build/libs/io/libnettool_io.a" "$build/libs/wire/libnettool_wire.a" \
  "$build/libs/core/libnettool_core.a" -lcares -lpthread -o "$work/dns_bench"

echo "bench: $count names in a dnsmasq zone on 127.0.0.1"
: > "$work/dnsmasq.conf"
: > "$work/names"
for ((i = 0; i < count; i++)); do
  echo "host-record=h$i.bench.test,10.203.$((i / 250)).$((i % 250 + 1))" >> "$work/dnsmasq.conf"
  echo "h$i.bench.test" >> "$work/names"
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dnsmasq --no-daemon --keep-in-foreground --port="$port" --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
  --no-hosts --pid-file= --conf-file="$work/dnsmasq.conf" --user=root --log-facility=/dev/null &
dnsmasq_pid=$!
for _ in $(seq 50); do
  dig +short +tries=1 +time=1 -p "$port" @127.0.0.1 h0.bench.test | grep -q 10.203 && break
  sleep 0.1
done

timed() {  # prints seconds taken by "$@"
  local start end
  start=$(date +%s.%N)
  "$@" >"$work/out" 2>&1 || { echo "bench: failed: $*" >&2; cat "$work/out" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.3f}')"
}

dig_udp=$(timed dig -p "$port" @127.0.0.1 +tries=1 +time=2 +short -f "$work/names")
answers=$(grep -c '^10\.203\.' "$work/out")
dig_tcp=$(timed dig -p "$port" @127.0.0.1 +tcp +tries=1 +time=2 +short -f "$work/names")
nt_seq=$(timed "$work/dns_bench" "127.0.0.1:$port" "$work/names" 1 udp)
nt_seq_tcp=$(timed "$work/dns_bench" "127.0.0.1:$port" "$work/names" 1 tcp)
nt_100=$(timed "$work/dns_bench" "127.0.0.1:$port" "$work/names" 100 udp)
nt_100_line=$(cat "$work/out")
# No "TCP, 100 in flight" row: dnsmasq closes a TCP connection once it has answered what it had read, and c-ares
# 1.18.1 fails the queries still queued on it (EPIPE, reported as network_error "Broken pipe").

echo "bench: dig answered $answers of $count; nettool (100 in flight, UDP): $nt_100_line"
python3 - "$count" "$dig_udp" "$dig_tcp" "$nt_seq" "$nt_seq_tcp" "$nt_100" <<'PY'
import sys
n = int(sys.argv[1]); dig_udp, dig_tcp, seq, seq_tcp, c100 = map(float, sys.argv[2:])
rows = [("dig -f (UDP, one at a time)", dig_udp), ("dig -f +tcp (one at a time)", dig_tcp),
        ("nettool DnsClient, UDP, 1 in flight", seq), ("nettool DnsClient, TCP, 1 in flight", seq_tcp),
        ("nettool DnsClient, UDP, 100 in flight", c100)]
print(f"{'run':42} {'seconds':>8} {'queries/s':>10} {'vs dig UDP':>11}")
for name, t in rows:
    print(f"{name:42} {t:8.3f} {n / t:10.0f} {dig_udp / t:10.2f}x")
PY
