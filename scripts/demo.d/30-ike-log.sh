#!/usr/bin/env bash
# demo: IPsec VPN between two small routers fails after the factory's address changed (stale dynamic DNS)
# The seed's field case, rebuilt from router logs in the ETX-VRT format: the factory router (initiator) keeps
# getting NO_PROPOSAL_CHOSEN; the head office router (responder) logs "NO MATCHING ISAKMP PROPOSAL FOR DIALUP CASE"
# because it no longer recognises the factory's new address. The logs are also streamed as syslog over loopback
# to show --listen. Our own fixtures are used; the real seed logs are shown too when ../shared exists.
set -uo pipefail
fixtures=$NETTOOL_SOURCE_DIR/tests/fixtures/ikelog/etx-vrt
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

echo "--- 1. Both routers' logs while the tunnel fails; the HQ router's DNS still has 192.0.2.200 for the factory"
"$NETTOOL" ike-log "$fixtures/factory-fail.log" "$fixtures/hq-fail.log" --resolve factory.example.net=192.0.2.200
echo "(exit status $?)"

echo
echo "--- 2. The same, with the HQ log arriving as router syslog over UDP on loopback (--listen, then Ctrl-C)"
"$NETTOOL" ike-log --listen udp://127.0.0.1:0 > "$work/out" 2> "$work/err" &
pid=$!
port=
for _ in $(seq 1 50); do
  port=$(sed -n 's/.*udp:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/err"); [ -n "$port" ] && break; sleep 0.1
done
if [ -n "$port" ] && command -v python3 >/dev/null; then
  python3 - "$port" "$fixtures/hq-fail.log" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for line in open(sys.argv[2]):
    s.sendto(b"<134>" + line.rstrip("\n").encode(), ("127.0.0.1", int(sys.argv[1])))
PY
  sleep 0.5
fi
kill -INT "$pid"; wait "$pid"; echo "(exit status $?)"; pid=
cat "$work/out"

echo
echo "--- 3. After the dynamic-DNS record caught up: one more refusal, then phase 1 comes up"
"$NETTOOL" ike-log "$fixtures/factory-ok.log" "$fixtures/hq-ok.log" --resolve factory.example.net=203.0.113.45
echo "(exit status $?)"

seed=$NETTOOL_SOURCE_DIR/../shared/corpus/ike/etx-vrt
if [ -d "$seed" ]; then
  echo
  echo "--- 4. The real seed logs (../shared/corpus/ike/etx-vrt)"
  "$NETTOOL" ike-log "$seed/initiator-fail.log" "$seed/responder-fail.log" --resolve factory.example.net=219.46.154.35
  echo "(exit status $?)"
  "$NETTOOL" ike-log "$seed/initiator-ok.log" "$seed/responder-ok.log"
  echo "(exit status $?)"
fi
