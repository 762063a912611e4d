#!/usr/bin/env bash
# `nettool link --watch` when an interface disappears during the window: a veth in a namespace this script
# creates is deleted half-way. Expected: interface_vanished (critical), exit 1, the start snapshot kept (report and
# --record), a recording without empty directories (git keeps none), and lo reported as having no speed.
# Args: $1 nettool binary, $2 source dir. Exit 77 (skipped) when not root or ip is missing.
set -u
NETTOOL=$1
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: needs root to create a network namespace and a veth pair"
  exit 77
fi
if ! command -v ip >/dev/null 2>&1; then
  echo "SKIPPED: ip (iproute2) is not installed"
  exit 77
fi
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
NS="ntvanish$$"
TMP=$(mktemp -d /tmp/nettool-link-vanish.XXXXXX)
cleanup() { ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 1' INT TERM
FAILED=0
fail() { echo "FAIL: $1"; [ -n "${2:-}" ] && [ -f "$2" ] && head -c 4000 "$2" && echo; FAILED=1; }

ip netns add "$NS" || { echo "cannot create namespace $NS"; exit 1; }
ip -n "$NS" link set lo up
ip -n "$NS" link add vgone type veth peer name vstay || { echo "cannot create veth pair"; exit 1; }
ip -n "$NS" link set vgone up && ip -n "$NS" link set vstay up

# Named interface, JSON, recorded: delete it half-way through a 1.5 s window.
ip netns exec "$NS" "$NETTOOL" link vgone vstay --watch 1.5 --json --record "$TMP/rec" >"$TMP/named.json" 2>"$TMP/named.err" &
pid=$!
sleep 0.5
ip -n "$NS" link del vgone  # takes its peer vstay with it
wait "$pid"
rc=$?
[ "$rc" -eq 1 ] || fail "named: exit $rc, want 1 (an interface vanished)" "$TMP/named.err"
"$PYTHON" - "$TMP/named.json" <<'PY' || fail "named: JSON wrong" "$TMP/named.json"
import json, sys
d = json.load(open(sys.argv[1]))
names = [i["name"] for i in d["interfaces"]]
assert names == ["vgone", "vstay"], names
for i in d["interfaces"]:
    codes = [x["code"] for x in i["diagnoses"]]
    assert codes == ["interface_vanished"], (i["name"], codes)
    assert i["diagnoses"][0]["severity"] == "critical", i["diagnoses"][0]
    assert i["vanished"] is True, i
    # The snapshot before it went is kept: state, MTU and counters of the start sample.
    assert i["operstate"] in ("up", "lowerlayerdown", "unknown", "down"), i["operstate"]
    assert i["mtu"] == 1500, i
    assert "rx_packets" in i["counters"], i["counters"].keys()
PY
[ -d "$TMP/rec/sysfs/start/class/net/vgone" ] || fail "recording lacks the start sample of vgone"
[ -d "$TMP/rec/sysfs/end/class/net/vgone" ] && fail "recording has an end sample of a deleted interface"
empty=$(find "$TMP/rec" -type d -empty)
[ -z "$empty" ] || fail "recording has empty directories (git would drop them): $empty"
# The recording replays to the same finding.
"$NETTOOL" link --sysfs-root "$TMP/rec" --json >"$TMP/replay.json" 2>"$TMP/replay.err"
rc=$?
[ "$rc" -eq 1 ] || fail "replay: exit $rc, want 1" "$TMP/replay.err"
grep -q '"interface_vanished"' "$TMP/replay.json" || fail "replay lost interface_vanished" "$TMP/replay.json"

# Every interface, human output: the vanished one is a problem, not "no link problem found".
ip -n "$NS" link add vgone type veth peer name vstay && ip -n "$NS" link set vgone up && ip -n "$NS" link set vstay up
ip netns exec "$NS" "$NETTOOL" link --watch 1.5 --no-color >"$TMP/all.txt" 2>&1 &
pid=$!
sleep 0.5
ip -n "$NS" link del vgone
wait "$pid"
rc=$?
[ "$rc" -eq 1 ] || fail "all: exit $rc, want 1" "$TMP/all.txt"
grep -q "\[critical\] interface_vanished: vgone disappeared during the 1.5 s window" "$TMP/all.txt" ||
  fail "all: no interface_vanished line" "$TMP/all.txt"
grep -q "no link problem found" "$TMP/all.txt" && fail "all: says no link problem found" "$TMP/all.txt"

# lo is up and has no speed at all: the note must not blame a down link.
ip netns exec "$NS" "$NETTOOL" link lo --watch 0 --no-color >"$TMP/lo.txt" 2>&1
grep -q "while the link is down" "$TMP/lo.txt" && fail "lo: note says the link is down" "$TMP/lo.txt"
grep -q "a loopback interface has no speed" "$TMP/lo.txt" || fail "lo: no 'has no speed' note" "$TMP/lo.txt"

[ "$FAILED" -eq 0 ] && echo "link vanish: ok"
exit "$FAILED"
