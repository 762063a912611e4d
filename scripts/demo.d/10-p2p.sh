#!/usr/bin/env bash
# demo: P2P - "one LAN address in most packets, ~20 outside peers, Wireshark says Gnutella" (nettool p2p)
# The seed's first post (2007): the office internet and VPN crawled; the consultant drove two hours, put a hub
# between router and switch, captured with Wireshark and found 192.168.1.129 in most packets, talking to about 20
# outside peers on non-well-known ports at both ends; the static IP register named the owner (a personal Mac).
# Here the situation is rebuilt packet by packet by tests/fixtures/p2p/make_seed_capture.py (the office LAN, the
# Mac's Gnutella client and its 20 peers, ordinary office traffic) and the register is office-hosts.csv.
# 1. nettool p2p reads the capture and names the host, the protocol, the evidence and the owner (exit 1).
# 2. As root, the same capture is replayed (tcpreplay, 5x speed) into a veth pair inside a network namespace this
#    script creates, and nettool p2p captures it live on the other end: the answer without the hub-and-laptop trip.
set -u
: "${NETTOOL:?set NETTOOL to the nettool binary}"
: "${NETTOOL_SOURCE_DIR:?set NETTOOL_SOURCE_DIR to the repository}"
fixtures="$NETTOOL_SOURCE_DIR/tests/fixtures/p2p"
work=$(mktemp -d)
ns="ntp2p-demo$$"
cleanup() {
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$fixtures/make_seed_capture.py" "$work/office.pcap" || { echo "could not build the capture"; exit 1; }
echo "Rebuilt the 2007 office capture: $(stat -c %s "$work/office.pcap") bytes (tests/fixtures/p2p/make_seed_capture.py)."
if command -v tshark >/dev/null 2>&1; then
  echo "What Wireshark's protocol column sees: Gnutella only for peers on port 6346 ->" \
    "$(tshark -r "$work/office.pcap" -Y gnutella -T fields -e ip.dst -e ip.src 2>/dev/null | tr '\t' '\n' | sort -u | grep -vc '^192\.168\.1\.')" \
    "of the 20 peers."
fi

echo
echo "\$ nettool p2p -r office.pcap --inventory office-hosts.csv --top 5"
"$NETTOOL" p2p -r "$work/office.pcap" --inventory "$fixtures/office-hosts.csv" --top 5 --no-color
echo "(exit status $?)"

if [ "$(id -u)" -ne 0 ] || ! command -v tcpreplay >/dev/null || ! command -v ip >/dev/null; then
  echo
  echo "(the live replay needs root, ip and tcpreplay; skipped)"
  exit 0
fi
ip netns add "$ns" || exit 0
ip -n "$ns" link add ntp2p-wire type veth peer name ntp2p-mirror
ip -n "$ns" link set lo up
ip -n "$ns" link set ntp2p-wire up
ip -n "$ns" link set ntp2p-mirror up
echo
packets=$(python3 -c "import os,struct,sys
d=open(sys.argv[1],'rb').read(); n=0; o=24
while o+16<=len(d): n+=1; o+=16+struct.unpack('<I',d[o+8:o+12])[0]
print(n)" "$work/office.pcap")
echo "\$ nettool p2p ntp2p-mirror --filter ip -c $packets --duration 40 --inventory office-hosts.csv --top 3"
echo "  (live; tcpreplay plays the office into the veth at 5x speed)"
ip netns exec "$ns" "$NETTOOL" p2p ntp2p-mirror --filter ip -c "$packets" --duration 40 \
  --inventory "$fixtures/office-hosts.csv" --top 3 \
  --no-color >"$work/live.txt" 2>&1 &
capture=$!
sleep 1
ip netns exec "$ns" tcpreplay -q --multiplier=5 -i ntp2p-wire "$work/office.pcap" >/dev/null 2>&1
wait "$capture"
status=$?
cat "$work/live.txt"
echo "(exit status $status)"
