#!/usr/bin/env bash
# Live checks of `nettool link` on real kernel devices in namespaces this script creates (ntlink-*, 10.206.0.0/16):
#  - veth pair: 10000 Mb/s full duplex reported; traffic over it moves the counters and rates; carrier flaps
#    (peer set down/up) during the watch window give link_flapping; a peer down gives link_down; an admin-down
#    interface (sysfs speed/duplex fail with EINVAL) is reported without a problem.
#  - tap devices staged through the ethtool ioctl (tests/fixtures/link/tap-stage.py): a gigabit-capable port at
#    100 Mb/s half duplex -> speed_downshift + half_duplex; `ethtool -s ... speed 100 duplex full autoneg off`
#    -> autoneg_off; a plain tap -> ok; a tap without carrier -> link_down.
# Args: $1 nettool binary, $2 source dir. Exit 77 (skipped) when not root or a tool is missing.
set -u
NETTOOL=$1
SRC=$2
STAGE="$SRC/tests/fixtures/link/tap-stage.py"

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIPPED: needs root to create network namespaces, veth and tap devices"
  exit 77
fi
# The distribution's interpreter: version-manager shims (pyenv) cost seconds per start.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
for tool in ip ethtool "$PYTHON"; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIPPED: $tool is not installed (scripts/install-deps installs it)"
    exit 77
  fi
done
if [ ! -c /dev/net/tun ]; then
  echo "SKIPPED: /dev/net/tun is missing (no tun/tap support)"
  exit 77
fi

NS_A="ntlink-a$$"
NS_B="ntlink-b$$"
NS_T="ntlink-t$$"
TMP=$(mktemp -d /tmp/nettool-link-live.XXXXXX)
STAGE_PIDS=()
FAILED=0

cleanup() {
  for fd in 5 6 7; do eval "exec $fd>&-" 2>/dev/null; done
  for pid in "${STAGE_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  ip netns del "$NS_A" 2>/dev/null
  ip netns del "$NS_B" 2>/dev/null
  ip netns del "$NS_T" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
  echo "FAIL: $1"
  [ -n "${2:-}" ] && [ -f "$2" ] && head -c 4000 "$2" && echo
  FAILED=1
}

# check FILE 'python expression over d (document), i (first interface), codes (its codes)' 'what'
check() {
  if "$PYTHON" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
i = d["interfaces"][0] if d.get("interfaces") else {}
codes = [x["code"] for x in i.get("diagnoses", [])]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
  then echo "ok: $3"; else fail "$3 [$2]" "$1"; fi
}

# expect_exit WANT GOT what
expect_exit() {
  if [ "$1" -eq "$2" ]; then echo "ok: $3 exits $1"; else fail "$3: exit $2, expected $1"; fi
}

ip netns add "$NS_A" && ip netns add "$NS_B" && ip netns add "$NS_T" || { echo "cannot create namespaces"; exit 1; }
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B" || { echo "cannot create veth"; exit 1; }
ip -n "$NS_A" addr add 10.206.1.1/30 dev vA
ip -n "$NS_B" addr add 10.206.1.2/30 dev vB
ip -n "$NS_A" link set vA up
ip -n "$NS_B" link set vB up
ip -n "$NS_A" link set lo up
ip -n "$NS_B" link set lo up

# --- veth: speed, duplex, all-interfaces default skips loopback ---
ip netns exec "$NS_A" "$NETTOOL" link --watch 0.5 --json >"$TMP/veth.json" 2>"$TMP/veth.err"
expect_exit 0 $? "veth up"
check "$TMP/veth.json" 'len(d["interfaces"]) == 1 and i["name"] == "vA"' "default selection is every non-loopback interface"
check "$TMP/veth.json" 'i["speed_mbps"] == 10000 and i["duplex"] == "full" and i["operstate"] == "up" and i["carrier"] is True' "veth reports 10000 Mb/s full duplex"
check "$TMP/veth.json" 'i["driver"]["driver"] == "veth" and i["virtual"] is True and i["link_settings_source"] == "ETHTOOL_GLINKSETTINGS"' "veth driver via ETHTOOL_GDRVINFO"
check "$TMP/veth.json" 'codes == ["ok"] and 0.4 < d["window_seconds"] < 3' "veth diagnosis ok over a 0.5 s window"
ip netns exec "$NS_A" "$NETTOOL" link vA --watch 0 >"$TMP/veth.txt" 2>&1
if grep -q "vA: up, carrier yes, 10000 Mb/s full duplex" "$TMP/veth.txt"; then echo "ok: human report"; else fail "human report" "$TMP/veth.txt"; fi

# --- traffic over the veth moves the counters (ping runs for the whole window, whatever the start-up time) ---
ip netns exec "$NS_A" "$NETTOOL" link vA --watch 2 --json >"$TMP/traffic.json" 2>"$TMP/traffic.err" &
NT=$!
ip netns exec "$NS_A" ping -q -i 0.05 -W 1 10.206.1.2 >/dev/null 2>&1 &
PING=$!
wait "$NT"
RC=$?
kill "$PING" 2>/dev/null
wait "$PING" 2>/dev/null
expect_exit 0 "$RC" "veth with traffic"
check "$TMP/traffic.json" 'i["counters"]["tx_packets"]["delta"] >= 5 and i["counters"]["rx_packets"]["delta"] >= 5' "ping packets counted in the window"
check "$TMP/traffic.json" 'i["traffic"]["tx_bits_per_second"] > 0 and i["traffic"]["rx_packets_per_second"] > 1' "traffic rates computed"

# --- carrier flaps on the peer while the window is open (until nettool exits) ---
ip netns exec "$NS_A" "$NETTOOL" link vA --watch 2 --json >"$TMP/flap.json" 2>"$TMP/flap.err" &
NT=$!
while kill -0 "$NT" 2>/dev/null; do
  ip -n "$NS_B" link set vB down
  sleep 0.1
  ip -n "$NS_B" link set vB up
  sleep 0.3
done
wait "$NT"
expect_exit 1 $? "flapping veth"
check "$TMP/flap.json" '"link_flapping" in codes and i["carrier_changes"]["delta"] >= 2' "peer down/up raises carrier_changes -> link_flapping"
check "$TMP/flap.json" '"ok" not in codes' "a flapping link is not ok"
ip -n "$NS_B" link set vB up

# --- peer down: no carrier ---
ip -n "$NS_B" link set vB down
ip netns exec "$NS_A" "$NETTOOL" link vA --watch 0 --json >"$TMP/down.json" 2>"$TMP/down.err"
expect_exit 1 $? "veth without carrier"
check "$TMP/down.json" '"link_down" in codes and [x for x in i["diagnoses"] if x["code"] == "link_down"][0]["severity"] == "critical"' "no carrier -> link_down critical"
check "$TMP/down.json" 'i["carrier"] is False' "carrier read (operstate follows asynchronously)"

# --- administratively down: speed/duplex unreadable (EINVAL), reported, not a problem ---
ip -n "$NS_A" link set vA down
ip netns exec "$NS_A" "$NETTOOL" link vA --watch 0 --json >"$TMP/admin.json" 2>"$TMP/admin.err"
expect_exit 0 $? "admin-down veth"
check "$TMP/admin.json" 'codes == ["link_down"] and i["diagnoses"][0]["severity"] == "info" and i["admin_up"] is False' "admin down -> link_down info"
check "$TMP/admin.json" 'any("EINVAL" in n for n in i["notes"]) and i["carrier"] is None' "sysfs speed/carrier EINVAL on a down interface handled and noted"
ip -n "$NS_A" link set vA up
ip -n "$NS_B" link set vB up

# --- tap devices staged through the ethtool ioctl ---
GIGABIT="10baseT/Half,10baseT/Full,100baseT/Half,100baseT/Full,1000baseT/Full"
stage() {  # stage FD NAME ARGS...: start the holder on fd FD, wait for "ready"
  local fd=$1 name=$2
  shift 2
  eval "exec $fd> >(ip netns exec \"$NS_T\" \"$PYTHON\" \"$STAGE\" \"$name\" \"\$@\" >\"$TMP/stage-$name.out\" 2>&1)"
  STAGE_PIDS+=("$!")
  for _ in $(seq 100); do
    grep -q ready "$TMP/stage-$name.out" 2>/dev/null && break
    sleep 0.1
  done
  if ! grep -q ready "$TMP/stage-$name.out"; then
    fail "staging $name" "$TMP/stage-$name.out"
    return 1
  fi
  ip -n "$NS_T" link set "$name" up
}

# A gigabit-capable port, partner gigabit too, running at 100 Mb/s half duplex.
if stage 5 tapd --speed 100 --duplex half --autoneg on --supported "$GIGABIT,Autoneg,TP" \
     --advertised "$GIGABIT,Autoneg,TP" --partner "$GIGABIT,Autoneg"; then
  ip netns exec "$NS_T" "$NETTOOL" link tapd --watch 0.3 --json >"$TMP/tapd.json" 2>"$TMP/tapd.err"
  expect_exit 1 $? "staged downshift"
  check "$TMP/tapd.json" 'i["speed_mbps"] == 100 and i["duplex"] == "half" and i["autoneg"] is True and i["carrier"] is True' "staged tap reads 100 Mb/s half duplex with carrier"
  check "$TMP/tapd.json" '"1000baseT/Full" in i["supported_modes"] and "1000baseT/Full" in i["link_partner_modes"] and "Autoneg" in i["advertised_modes"]' "supported/advertised/partner modes from ETHTOOL_GLINKSETTINGS"
  check "$TMP/tapd.json" '"speed_downshift" in codes and "half_duplex" in codes' "downshift and half duplex diagnosed"
fi

# The seed's remedy on one end: the real ethtool CLI forces 100/full, autoneg off.
if stage 6 tapf --supported "$GIGABIT,Autoneg,TP" --advertised "$GIGABIT,Autoneg,TP"; then
  if ip netns exec "$NS_T" ethtool -s tapf speed 100 duplex full autoneg off; then
    ip netns exec "$NS_T" "$NETTOOL" link tapf --watch 0.3 --json >"$TMP/tapf.json" 2>"$TMP/tapf.err"
    expect_exit 1 $? "forced tap"
    check "$TMP/tapf.json" 'i["speed_mbps"] == 100 and i["duplex"] == "full" and i["autoneg"] is False' "ethtool -s settings read back"
    check "$TMP/tapf.json" '"autoneg_off" in codes and "speed_downshift" not in codes' "forced port -> autoneg_off"
  else
    fail "ethtool -s tapf speed 100 duplex full autoneg off was refused"
  fi
fi

# A plain tap with carrier: the tun driver's defaults (10000 Mb/s full), nothing wrong.
if stage 7 tapo; then
  ip netns exec "$NS_T" "$NETTOOL" link tapo --watch 0.3 --json >"$TMP/tapo.json" 2>"$TMP/tapo.err"
  expect_exit 0 $? "plain tap"
  check "$TMP/tapo.json" 'codes == ["ok"] and i["driver"]["driver"] == "tun"' "plain tap ok"
fi

# A persistent tap nobody holds: up, but no carrier.
ip -n "$NS_T" tuntap add mode tap name tapn
ip -n "$NS_T" link set tapn up
ip netns exec "$NS_T" "$NETTOOL" link tapn --watch 0 --json >"$TMP/tapn.json" 2>"$TMP/tapn.err"
expect_exit 1 $? "tap without carrier"
check "$TMP/tapn.json" 'codes == ["link_down"] and i["carrier"] is False' "tap without carrier -> link_down"

# Every interface of the tap namespace at once: exit 1 (problems), four interfaces, lo skipped.
ip netns exec "$NS_T" "$NETTOOL" link --watch 0 --json >"$TMP/all.json" 2>"$TMP/all.err"
expect_exit 1 $? "all staged taps"
check "$TMP/all.json" 'sorted(x["name"] for x in d["interfaces"]) == ["tapd", "tapf", "tapn", "tapo"]' "all non-loopback interfaces listed"

if [ "$FAILED" -ne 0 ]; then
  echo "live link tests FAILED"
  exit 1
fi
echo "live link tests passed"
exit 0
