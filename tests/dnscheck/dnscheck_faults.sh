#!/usr/bin/env bash
# dnscheck against real servers and real faults made by the kernel.
#
#   dnscheck_faults.sh NETTOOL SOURCE_DIR [DELAY_TOOL]
#
# Topology (three network namespaces, veth pairs, addresses in 10.204.0.0/16):
#
#   client ntdc-c-ID              router ntdc-r-ID                      resolver ntdc-s-ID
#   c0 10.204.1.2/24  <-veth->  r0 10.204.1.1/24 | r1 10.204.2.1/24  <-veth->  s0 10.204.2.2/24 (+ .3, .4)
#
# The resolver namespace runs test_dns_server.py (python3-dnslib wire format, real UDP+TCP sockets) serving a
# test zone with a large answer (". DNSKEY" of about 3.3 KB, fragmented on the 1500-byte links). nettool runs in
# the client namespace with its own /etc/netns/ntdc-c-ID/resolv.conf (bind-mounted over /etc/resolv.conf by
# `ip netns exec`, so getaddrinfo uses it too) and always with --reach 10.204.1.1.
#
# Each fault is made with the kernel, never with a fake server:
#   udp_blocked             nft in the router: drop udp dport 53 (ping and TCP pass: the field case)
#   tcp_blocked             nft in the router: drop tcp dport 53
#   large_response_dropped  nft in the router, prerouting before defragmentation: drop IP fragments; and, as a
#                           second case, drop UDP from port 53 longer than 1200 bytes
#   packet_loss             nft in the router: udp dport 53 numgen random mod 100 < 40 drop (--count 20, so an
#                           all-or-nothing outcome has a probability below 1e-4)
#   port_closed             the server stopped: the resolver's kernel answers ICMP port unreachable / TCP RST
#   server_unreachable      nft in the resolver namespace: input policy drop (no ping, no DNS), two servers
#   refused / servfail      the server started with --mode refuse / --mode servfail
#   high_latency            delay without netem (this kernel has none): an iptables NFQUEUE rule in the router
#                           sends every UDP answer from port 53 to dnscheck_nfq_delay, which holds each packet
#                           700 ms and then accepts it
#   no_resolver             a resolv.conf without nameservers (exit 3)
# Every case asserts nettool's exit status, the exact diagnosis codes per resolver and that the run took < 3 s.
# Cleanup (servers, namespaces, /etc/netns files) runs from a trap, also when a case fails.
set -u

NETTOOL=${1:?usage: dnscheck_faults.sh NETTOOL SOURCE_DIR [DELAY_TOOL]}
SOURCE_DIR=${2:?usage: dnscheck_faults.sh NETTOOL SOURCE_DIR [DELAY_TOOL]}
DELAY_TOOL=${3:-}
HERE="$SOURCE_DIR/tests/dnscheck"

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, nftables)"
for tool in ip nft iptables; do command -v "$tool" >/dev/null || skip "$tool is not installed"; done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 is not installed"
"$PY" -c 'import dnslib' 2>/dev/null || skip "python3-dnslib is not installed"

ID=$$
C=ntdc-c-$ID
R=ntdc-r-$ID
S=ntdc-s-$ID
WORK=$(mktemp -d /tmp/ntdc-XXXXXX)
SERVER_PIDS=()
DELAY_PID=""

cleanup() {
    for pid in "${SERVER_PIDS[@]}" $DELAY_PID; do kill "$pid" 2>/dev/null; done
    for pid in "${SERVER_PIDS[@]}" $DELAY_PID; do wait "$pid" 2>/dev/null; done
    for ns in "$C" "$R" "$S"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "/etc/netns/$C" "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

die() { echo "FAIL: $*"; exit 1; }

. "$HERE/topology.sh"
dnscheck_topology "$C" "$R" "$S" 10.204.2.2 || die "cannot build the namespace topology"

start_server() {  # ADDRESS MODE
    local log="$WORK/server-$1-$2.log"
    ip netns exec "$S" "$PY" "$HERE/test_dns_server.py" --address "$1" --mode "$2" >"$log" 2>&1 &
    SERVER_PIDS+=($!)
    for _ in $(seq 50); do grep -q ready "$log" 2>/dev/null && return 0; sleep 0.1; done
    die "DNS server $1 ($2) did not start: $(cat "$log")"
}
stop_servers() {
    for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    SERVER_PIDS=()
}
router_nft() { ip netns exec "$R" nft -f - || die "nft in the router failed"; }
clear_router() { ip netns exec "$R" nft flush ruleset; ip netns exec "$R" iptables -F 2>/dev/null; }

. "$HERE/check_lib.sh"

start_server 10.204.2.2 normal

# ---- everything works; getaddrinfo in the client namespace goes through its resolv.conf --------------------
check ok 0 "ok" www.test
json_is ok_system 'doc["system_resolver"]["status"] == "resolved" and doc["system_resolver"]["addresses"] == ["10.204.9.9"]'
json_is ok_verdict 'doc["verdict"]["status"] == "ok" and doc["diagnoses"][0]["code"] == "ok"'
json_is ok_large 'max(q.get("answer_bytes", 0) for q in doc["servers"][0]["probes"]["large"]["queries"]) > 1500'
json_is ok_source 'doc["resolver_files"] == ["/etc/resolv.conf"] and doc["servers"][0]["source"] == "/etc/resolv.conf"'
json_is ok_ping 'doc["servers"][0]["probes"]["icmp"]["replies"] >= 1 and doc["reach"]["reachable"]'

# ---- the field case: UDP/53 dropped by the router, ping and TCP work ----------------------------------------
router_nft <<'EOF'
table inet fault {
    chain forward {
        type filter hook forward priority 0;
        udp dport 53 drop
    }
}
EOF
check udp_blocked 1 "udp_blocked" www.test
json_is udp_blocked_top '[d["code"] for d in doc["diagnoses"]] == ["ip_works_names_fail"]'
json_is udp_blocked_verdict 'doc["verdict"]["most_likely_fault"] == "udp_blocked" and doc["verdict"]["applications_can_resolve"] is False'
json_is udp_blocked_evidence 'doc["servers"][0]["probes"]["udp"]["answered"] == 0 and doc["servers"][0]["probes"]["tcp"]["answered"] == 1'
clear_router

# ---- TCP/53 dropped -------------------------------------------------------------------------------------------
router_nft <<'EOF'
table inet fault {
    chain forward {
        type filter hook forward priority 0;
        tcp dport 53 drop
    }
}
EOF
check tcp_blocked 1 "tcp_blocked" www.test
clear_router

# ---- IP fragments dropped (before the router could reassemble them) -------------------------------------------
router_nft <<'EOF'
table ip fault {
    chain pre {
        type filter hook prerouting priority -500;
        ip frag-off & 0x1fff != 0 drop
    }
}
EOF
check large_fragments 1 "large_response_dropped" www.test
clear_router
router_nft <<'EOF'
table inet fault {
    chain forward {
        type filter hook forward priority 0;
        udp sport 53 meta length > 1200 drop
    }
}
EOF
check large_size 1 "large_response_dropped" www.test
clear_router

# ---- 40% of UDP queries dropped at random ------------------------------------------------------------------------
router_nft <<'EOF'
table inet fault {
    chain forward {
        type filter hook forward priority 0;
        udp dport 53 numgen random mod 100 < 40 drop
    }
}
EOF
check packet_loss 1 "packet_loss" --count 20 www.test
json_is packet_loss_counts '0 < doc["servers"][0]["probes"]["udp"]["answered"] < 20'
clear_router

# ---- refused / servfail -------------------------------------------------------------------------------------------
start_server 10.204.2.3 refuse
start_server 10.204.2.4 servfail
check refused_servfail 1 "ok;refused;servfail" --server 10.204.2.2 --server 10.204.2.3 --server 10.204.2.4 www.test
json_is mixed_verdict 'doc["verdict"]["status"] == "degraded" and doc["verdict"]["working_resolvers"] == ["10.204.2.2:53"]'
json_is mixed_source 'doc["resolver_files"] == ["--server"]'

# ---- delay: NFQUEUE + dnscheck_nfq_delay holding UDP answers 700 ms --------------------------------------------
if [ -n "$DELAY_TOOL" ] && [ -x "$DELAY_TOOL" ]; then
    ip netns exec "$R" "$DELAY_TOOL" --queue 7 --delay 700 >"$WORK/delay.log" 2>&1 &
    DELAY_PID=$!
    for _ in $(seq 50); do grep -q ready "$WORK/delay.log" && break; sleep 0.1; done
    grep -q ready "$WORK/delay.log" || die "delay tool did not start: $(cat "$WORK/delay.log")"
    ip netns exec "$R" iptables -A FORWARD -p udp --sport 53 -j NFQUEUE --queue-num 7 || die "iptables NFQUEUE"
    check high_latency 1 "high_latency" www.test
    json_is high_latency_rtt 'doc["servers"][0]["probes"]["udp"]["rtt_ms"]["median"] >= 690'
    ip netns exec "$R" iptables -F
    kill "$DELAY_PID"; wait "$DELAY_PID" 2>/dev/null; DELAY_PID=""
else
    echo "skip high_latency: the NFQUEUE delay tool was not built (libnetfilter-queue-dev missing)"
fi

# ---- the server stopped: port unreachable / RST ---------------------------------------------------------------
stop_servers
check port_closed 1 "port_closed" www.test

# ---- every server dead: the resolver namespace drops everything; all probes run at once ------------------------
ip netns exec "$S" nft -f - <<'EOF' || die "nft in the resolver failed"
table inet dead {
    chain input {
        type filter hook input priority 0;
        policy drop
    }
}
EOF
check server_unreachable 1 "server_unreachable;server_unreachable" --server 10.204.2.2 --server 10.204.2.3 www.test
json_is unreachable_ping 'doc["servers"][0]["probes"]["icmp"]["replies"] == 0 and doc["reach"]["reachable"]'
ip netns exec "$S" nft flush ruleset

# ---- no resolver configured ------------------------------------------------------------------------------------
echo "search test" > "/etc/netns/$C/resolv.conf"
check no_resolver 3 "" www.test
json_is no_resolver_top '[d["code"] for d in doc["diagnoses"]][0] == "no_resolver"'

# ---- the systemd-resolved stub: its upstream list is read and tested too ----------------------------------------
printf 'nameserver 127.0.0.53\n' > "$WORK/stub.conf"
printf 'nameserver 10.204.2.2\n' > "$WORK/upstream.conf"
check systemd_stub 1 "port_closed;port_closed" --resolv-conf "$WORK/stub.conf" --systemd-resolv-conf "$WORK/upstream.conf" www.test
json_is stub_files "doc['resolver_files'] == ['$WORK/stub.conf', '$WORK/upstream.conf']"

if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES dnscheck fault case(s) failed"
    exit 1
fi
echo "all dnscheck fault cases passed"
