#!/usr/bin/env bash
# ike-log --listen: syslog datagrams (RFC 3164 from 127.0.0.2, RFC 5424 from 127.0.0.3) are sent on loopback while
# the command runs; SIGINT ends it with a summary per sender.
set -u
nettool=$1
src=$2
fixtures=$src/tests/fixtures/ikelog
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$dir/out" 2>/dev/null; echo "--- stderr"; cat "$dir/err" 2>/dev/null; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: python3 is needed to send syslog datagrams"; exit 77; }

start() {  # start MODE...: runs nettool on an ephemeral loopback port, sets $port
    "$nettool" ike-log --listen udp://127.0.0.1:0 "$@" > "$dir/out" 2> "$dir/err" &
    pid=$!
    port=
    for _ in $(seq 1 100); do
        port=$(sed -n 's/.*listening for syslog on udp:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/err")
        [ -n "$port" ] && return 0
        sleep 0.1
    done
    fail "nettool did not report its port"
}
send() {  # send PORT: the HQ router (RFC 3164, bare bodies) and a strongSwan box (RFC 5424)
    python3 - "$1" "$fixtures/etx-vrt/hq-fail.log" "$fixtures/strongswan/ikev2-ok.log" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
router = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); router.bind(("127.0.0.2", 0))
for line in open(sys.argv[2]):
    router.sendto(b"<134>" + line.rstrip("\n").encode(), ("127.0.0.1", port))
gw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); gw.bind(("127.0.0.3", 0))
for line in open(sys.argv[3]):
    ts, rest = line[:23], line[24:].rstrip("\n")
    msg = "<30>1 %sZ gw charon 812 - - %s" % (ts.replace(" ", "T"), rest)
    gw.sendto(msg.encode(), ("127.0.0.1", port))
gw.sendto(b"<999>not syslog", ("127.0.0.1", port))
PY
}

start --no-color
send "$port"
for _ in $(seq 1 100); do grep -q "tunnel established" "$dir/out" && grep -q "sign of unknown_peer" "$dir/out" && break; sleep 0.1; done
grep -q "udp://127.0.0.2" "$dir/out" || fail "no live events from the router"
kill -INT "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" -eq 1 ] || fail "exit status $rc, want 1"
grep -q -- "-- stopped; summary --" "$dir/out" || fail "no summary"
grep -q "udp://127.0.0.2: etx-vrt" "$dir/out" || fail "router stream not detected as etx-vrt"
grep -q "udp://127.0.0.3: strongswan" "$dir/out" || fail "gateway stream not detected as strongswan"

start --json
send "$port"
sleep 0.5
kill -INT "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" -eq 1 ] || fail "exit status $rc, want 1"
python3 - "$dir/out" <<'PY' || fail "JSON summary wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
files = {f["path"]: f for f in doc["files"]}
assert files["udp://127.0.0.2"]["format"] == "etx-vrt", files
assert files["udp://127.0.0.3"]["format"] == "strongswan", files
assert files["udp://127.0.0.3"]["skipped"] == 1, files  # the malformed datagram
peers = {p["peer"]: p for p in doc["peers"]}
assert peers["203.0.113.45"]["failure"] == "no_proposal_chosen", peers
assert "unknown_peer" in [f["code"] for f in peers["203.0.113.45"]["failures"]]
assert peers["203.0.113.2"]["established"] == 1 and peers["203.0.113.2"]["failure"] == "none", peers
PY
echo "listen: ok"
