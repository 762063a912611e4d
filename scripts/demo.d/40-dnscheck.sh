#!/usr/bin/env bash
# demo: dnscheck - "ping by IP works, every name lookup times out" (UDP/53 lost between router and resolver)
#
# The field case (seed, fourth post): after a router swap, ping and HTTP by IP worked but nslookup only ever said
# "timed out" against both DNS servers; the cause, found on the second visit, was DNS-over-UDP packets lost on the
# router's gigabit link. Here: a client, a "router" and a resolver in three network namespaces; the router drops
# UDP to port 53 with nftables while ICMP and TCP pass. First nslookup as the user saw it, then nettool dnscheck.
set -u
: "${NETTOOL:?set NETTOOL to the nettool binary}"
: "${NETTOOL_SOURCE_DIR:?set NETTOOL_SOURCE_DIR to the repository}"
if [ "$(id -u)" -ne 0 ]; then echo "this demo needs root (network namespaces)"; exit 0; fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

C=ntdc-demo-c-$$
R=ntdc-demo-r-$$
S=ntdc-demo-s-$$
LOG=$(mktemp /tmp/ntdc-demo-XXXXXX)
SERVERS=()
cleanup() {
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    for ns in "$C" "$R" "$S"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "/etc/netns/$C" "$LOG" "$LOG".*
}
trap cleanup EXIT

. "$NETTOOL_SOURCE_DIR/tests/dnscheck/topology.sh"
dnscheck_topology "$C" "$R" "$S" 10.204.2.2 10.204.2.3 || { echo "cannot build the namespace topology"; exit 1; }

# One server per address (a socket bound to 0.0.0.0 would answer from the interface's first address).
for address in 10.204.2.2 10.204.2.3; do
    ip netns exec "$S" "$PY" "$NETTOOL_SOURCE_DIR/tests/dnscheck/test_dns_server.py" --address $address >"$LOG.$address" 2>&1 &
    SERVERS+=($!)
    for _ in $(seq 50); do grep -q ready "$LOG.$address" && break; sleep 0.1; done
done

# The fault: the router loses DNS over UDP; ping and TCP still pass.
ip netns exec "$R" nft -f - <<'EOF'
table inet fault {
    chain forward {
        type filter hook forward priority 0;
        udp dport 53 drop
    }
}
EOF

echo "\$ ping -c 1 10.204.2.2          # the resolver answers ping"
ip netns exec "$C" ping -c 1 -W 1 10.204.2.2 | sed -n 2p
echo "\$ nslookup www.test             # what the user saw"
start=$(date +%s%N)
ip netns exec "$C" nslookup www.test 2>&1 | sed 's/^/  /'
echo "  (nslookup gave up after $((($(date +%s%N) - start) / 1000000)) ms)"
echo
echo "\$ nettool dnscheck www.test --reach 10.204.1.1"
start=$(date +%s%N)
ip netns exec "$C" "$NETTOOL" dnscheck www.test --reach 10.204.1.1
status=$?
echo "(exit status $status after $((($(date +%s%N) - start) / 1000000)) ms)"
