#!/usr/bin/env bash
# demo: Link - the gigabit link that lost DNS packets (nettool link)
# The seed's fourth post: a router and a fibre box (ONU) negotiated 1000BASE-T and DNS packets were lost; with a
# 100 Mbit/s switch between them, or the port forced to 100 Mbit/s, everything worked. Here a tap device in a
# namespace stands in for the router's WAN port: the ethtool ioctl stages a gigabit-capable port (the partner
# advertises gigabit too) that came up at 100 Mbit/s half duplex. nettool link reads it like any NIC, then the
# seed's remedy is applied with the real ethtool CLI, and a recording of the same kind of port with CRC errors
# rising (a virtual NIC cannot make CRC errors) is analysed. Finally a live reading is recorded and replayed.
set -u
: "${NETTOOL:?set NETTOOL to the nettool binary}"
: "${NETTOOL_SOURCE_DIR:?set NETTOOL_SOURCE_DIR to the repository}"
fixtures="$NETTOOL_SOURCE_DIR/tests/fixtures/link"
py=/usr/bin/python3; [ -x "$py" ] || py=python3

show() { echo; echo "\$ nettool $*"; "$NETTOOL" "$@"; echo "(exit status $?)"; }

recorded_case() {
  echo
  echo "--- Recorded: the same kind of port with CRC errors rising over 3 s (e1000e, both ends gigabit) ---"
  show link --sysfs-root "$fixtures/downshift-crc"
}

if [ "$(id -u)" -ne 0 ] || ! command -v ethtool >/dev/null || [ ! -c /dev/net/tun ]; then
  echo "(the live part needs root, ethtool and /dev/net/tun; showing the recorded case only)"
  recorded_case
  exit 0
fi

ns="ntlink-demo$$"
work=$(mktemp -d)
holder=
cleanup() {
  exec 9>&- 2>/dev/null
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

gigabit="10baseT/Half,10baseT/Full,100baseT/Half,100baseT/Full,1000baseT/Full"
exec 9> >(ip netns exec "$ns" "$py" "$fixtures/tap-stage.py" wan0 --speed 100 --duplex half --autoneg on \
            --supported "$gigabit,Autoneg,TP" --advertised "$gigabit,Autoneg,TP" --partner "$gigabit,Autoneg" \
            >"$work/stage.out" 2>&1)
holder=$!
for _ in $(seq 100); do grep -q ready "$work/stage.out" 2>/dev/null && break; sleep 0.1; done
if ! grep -q ready "$work/stage.out"; then
  echo "could not stage the tap device:"; cat "$work/stage.out"
  recorded_case
  exit 0
fi
ip -n "$ns" link set wan0 up
ip -n "$ns" addr add 10.206.50.1/24 dev wan0

echo "--- The router's WAN port: gigabit on both ends, negotiated 100 Mbit/s half duplex ---"
echo "\$ ethtool wan0   (what the kernel's own tool says)"
ip netns exec "$ns" ethtool wan0 | sed -n '1,/Auto-negotiation:/p'
cd "$work" || exit 1
ip netns exec "$ns" bash -c "$(declare -f show); NETTOOL='$NETTOOL'; show link wan0 --watch 1"

echo
echo "--- The seed's remedy on the router's side: force 100 Mbit/s full duplex ---"
echo "\$ ethtool -s wan0 speed 100 duplex full autoneg off"
ip netns exec "$ns" ethtool -s wan0 speed 100 duplex full autoneg off
ip netns exec "$ns" bash -c "$(declare -f show); NETTOOL='$NETTOOL'; show link wan0 --watch 1"
echo "(autoneg_off is the reminder: force the ONU's port the same way, then recheck DNS with nettool dnscheck)"

recorded_case

echo
echo "--- Record a live reading for later, then analyse the recording ---"
ip netns exec "$ns" "$NETTOOL" link wan0 --watch 1 --record "$work/rec" >/dev/null
echo "\$ nettool link wan0 --watch 1 --record rec     (wrote: $(cd "$work/rec" && find . -type f | wc -l) files)"
show link --sysfs-root "$work/rec"
