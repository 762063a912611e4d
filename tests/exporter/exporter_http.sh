#!/usr/bin/env bash
# nettool exporter over loopback: bad requests get 400 with a reason and never stop the server; the probe cap
# gives 503; an IKE log named in --config is followed and its tunnel state appears at /metrics as lines are
# appended (refused attempts: nettool_ike_tunnel_up 0 and failures by code; then established: 1).
# Usage: exporter_http.sh NETTOOL SOURCE_DIR; exit 77 = skipped.
set -uo pipefail
NETTOOL=$1
SRC=$2
command -v python3 >/dev/null || { echo "SKIPPED: python3 is not installed"; exit 77; }
WORK=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- exporter"; cat "$WORK/exporter.log"; exit 1; }
fixtures=$SRC/tests/fixtures/ikelog/etx-vrt
log=$WORK/router.log
: > "$log"
printf '{"listen": "127.0.0.1:0", "max_concurrent_probes": 1, "ike_logs": [{"path": "%s"}]}\n' "$log" > "$WORK/config.json"
"$NETTOOL" exporter --config "$WORK/config.json" > "$WORK/exporter.log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 50); do
  port=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$WORK/exporter.log")
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "the exporter did not start"

# raw REQUEST-BYTES: the status line of the answer (python: no client library normalises the request).
raw() {
  python3 - "$port" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
    if b"\r\n\r\n" in data:
        head, _, body = data.partition(b"\r\n\r\n")
        length = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")]
        if length and len(body) >= length[0]:
            break
print(data.decode("latin-1").replace("\r\n", "\n"))
PY
}
expect() {  # expect REQUEST STATUS [TEXT]
  local answer
  answer=$(raw "$1")
  echo "$answer" | head -n 1 | grep -q " $2 " || fail "request $1: want $2, got: $(echo "$answer" | head -n 1)"
  [ $# -lt 3 ] || echo "$answer" | grep -qF -- "$3" || fail "request $1: answer lacks '$3': $answer"
}
req() { printf 'GET %s HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' "$1"; }

expect "$(req '/probe?module=nosuch&target=x')" 400 "unknown module 'nosuch'"
expect "$(req '/probe?module=ping')" 400 "missing parameter: target"
expect "$(req '/probe?target=127.0.0.1')" 400 "missing parameter: module"
expect "$(req '/probe?module=ping&target=%zz')" 400 "malformed %-escape"
expect "$(req '/probe?module=ping&target=%00')" 400 "NUL byte"
expect "$(req '/probe?module=ping&target=192.0.2.1')" 400 "is not allowed"
expect "$(req '/probe?module=spf&target=example.com&ip=1.2.3')" 400 "not an IPv4 or IPv6 address"
expect "$(req '/nowhere')" 404
expect 'POST /probe HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n' 405
expect 'GET /probe?module=ping&target=127.0.0.1 HTTP/1.1\r\nHost: x\r\nX-Prometheus-Scrape-Timeout-Seconds: soon\r\nConnection: close\r\n\r\n' 400 "not a number of seconds"
expect 'THIS IS NOT HTTP\r\n\r\n' 400 "bad request"
expect "GET /$(head -c 20000 /dev/zero | tr '\0' a) HTTP/1.1\r\nHost: x\r\n\r\n" 400 "bad request"
kill -0 "$pid" 2>/dev/null || fail "the exporter died on a bad request"

# The cap (1 here): a slow probe holds the only place, a second one gets 503.
raw "$(req '/probe?module=link&target=lo')" > "$WORK/slow.txt" &
slow=$!
sleep 0.5
expect "$(req '/probe?module=link&target=lo')" 503 "too many probes running"
wait "$slow"
grep -q "^nettool_probe_success 1" "$WORK/slow.txt" || fail "the slow probe did not answer: $(cat "$WORK/slow.txt")"

metrics() { raw "$(req /metrics)"; }
wait_metric() {  # wait_metric PATTERN: up to 10 s
  for _ in $(seq 1 100); do metrics | grep -qE -- "$1" && return 0; sleep 0.1; done
  fail "no /metrics line matching '$1': $(metrics)"
}
head -n 6 "$fixtures/factory-fail.log" >> "$log"
tail -n +7 "$fixtures/factory-fail.log" >> "$log"
wait_metric '^nettool_ike_tunnel_up\{source="[^"]*router.log",peer="198.51.100.7",connection="[^"]*"\} 0'
wait_metric '^nettool_ike_failures_total\{source="[^"]*",peer="198.51.100.7",code="[a-z_]+"\} [1-9]'
cat "$fixtures/factory-ok.log" >> "$log"
wait_metric '^nettool_ike_tunnel_up\{source="[^"]*router.log",peer="198.51.100.7",connection="[^"]*"\} 1'
wait_metric '^nettool_exporter_bad_requests_total [1-9]'
wait_metric '^nettool_exporter_rejected_probes_total 1$'
echo "ok: bad requests answered 400/404/405, the cap 503, the followed IKE log's tunnel went from 0 to 1"
