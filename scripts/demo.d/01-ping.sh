#!/usr/bin/env bash
# demo: Ping - "the first ping timed out, the rest answered" (nettool ping)
# The seed's first post: asked to ping the router, the customer saw the first echo time out and every later one
# answer. That pattern is address resolution (ARP) holding the first packet back, not packet loss; the real
# trouble was elsewhere (a PC saturating the router with P2P traffic). Here two network namespaces joined by a veth
# pair stand in for the PC and the router, both on the kernel's default timers. The "router" drops the first ARP
# request it sees (an nft quota), so every echo request the PC sends in the first second waits for the ARP retry
# (retrans_time_ms 1000) and they all leave and are answered together, the first ones after their timeout, exactly
# like the field case; nettool ping names the pattern first_probe_lost (exit 0) instead of calling it loss. Then, for contrast, real loss: the router
# drops every echo (no_reply, exit 1) and rejects it (host_unreachable, exit 1).
set -u
: "${NETTOOL:?set NETTOOL to the nettool binary}"

show() { echo; echo "\$ nettool $*"; "$NETTOOL" "$@"; echo "(exit status $?)"; }

if [ "$(id -u)" -ne 0 ] || ! command -v nft >/dev/null || ! command -v ip >/dev/null; then
  echo "(the namespace scenario needs root, ip and nft; showing a plain loopback ping instead)"
  show ping 127.0.0.1 -c 3 -i 0.2
  exit 0
fi

pc="ntping-demo-pc$$"
router="ntping-demo-rt$$"
cleanup() { ip netns del "$pc" 2>/dev/null; ip netns del "$router" 2>/dev/null; }
trap cleanup EXIT
ip netns add "$pc"
ip netns add "$router"
ip link add lan0 netns "$pc" type veth peer name lan0 netns "$router"
ip -n "$pc" addr add 10.201.9.10/24 dev lan0
ip -n "$router" addr add 10.201.9.1/24 dev lan0
for ns in "$pc" "$router"; do ip -n "$ns" link set lo up; ip -n "$ns" link set lan0 up; done
# Kernel defaults: the PC retries ARP after 1 s (net.ipv4.neigh.lan0.retrans_time_ms = 1000).
ip netns exec "$router" nft -f - <<'EOF'
table arp demo {
  chain in {
    type filter hook input priority 0;
    arp operation request quota until 40 bytes drop comment "the first ARP request is lost"
  }
}
EOF
pc_ping() { echo; echo "[pc]\$ nettool ping $*"; ip netns exec "$pc" "$NETTOOL" ping "$@"; echo "(exit status $?)"; }

echo "--- 1. The field case: PC -> router, the first ARP request is lost ---"
pc_ping 10.201.9.1 -c 10 -i 0.2 -W 0.5

echo
echo "--- 2. Same, with a patient timeout: the first reply is merely slow ---"
ip -n "$pc" neigh flush dev lan0
ip -n "$router" neigh flush dev lan0
ip netns exec "$router" nft flush ruleset
ip netns exec "$router" nft add table arp demo
ip netns exec "$router" nft add chain arp demo in '{ type filter hook input priority 0; }'
ip netns exec "$router" nft add rule arp demo in arp operation request quota until 40 bytes drop
pc_ping 10.201.9.1 -c 6 -i 0.3 -W 2

echo
echo "--- 3. For contrast, real trouble: the router drops every echo request ---"
ip netns exec "$router" nft flush ruleset
ip netns exec "$router" nft add table inet demo
ip netns exec "$router" nft add chain inet demo in '{ type filter hook input priority 0; }'
ip netns exec "$router" nft add rule inet demo in icmp type echo-request drop
pc_ping 10.201.9.1 -c 3 -i 0.3 -W 0.3

echo
echo "--- 4. ... and a firewall that rejects it (ICMP admin-prohibited) ---"
ip netns exec "$router" nft flush chain inet demo in
ip netns exec "$router" nft add rule inet demo in icmp type echo-request reject with icmp type admin-prohibited
pc_ping 10.201.9.1 -c 2 -i 0.3
exit 0
