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
# The resolver namespace runs real unbound on 10.204.2.2 (its defaults, forwarding to a BIND 9 "ISP" on .10 that
# holds the test tree www.ntlab, large.ntlab TXT of 3.1 KB, fragmented on the 1500-byte links: real_servers.sh),
# and test_dns_server.py (python3-dnslib) only for answers no real server gives. nettool runs in
# the client namespace with its own /etc/netns/ntdc-c-ID/resolv.conf (bind-mounted over /etc/resolv.conf by
# `ip netns exec`, so getaddrinfo uses it too) and always with --reach 10.204.1.1.
#
# Each fault is made with the kernel, never with a fake server:
#   udp_blocked             nft in the router: drop udp dport 53 (ping and TCP pass: the field case)
#   large_response_dropped  nft in the router: drop UDP from port 53 longer than 1200 bytes (tcp_blocked and
#                           dropped fragments: dnscheck_real_servers.sh, on all three server programs)
#   packet_loss             nft in the router: udp dport 53 numgen random mod 100 < 40 drop (--count 20, so an
#                           all-or-nothing outcome has a probability below 1e-4)
#   port_closed             the server stopped: the resolver's kernel answers ICMP port unreachable / TCP RST
#   server_unreachable      nft in the resolver namespace: input policy drop (no ping, no DNS), two servers
#   malformed_answer        test_dns_server.py --mode loop / --mode overrun: a compression pointer loop, a record
#                           running past the end of the message (refused and servfail: dnscheck_real_servers.sh)
#   high_latency            delay without netem (this kernel has none): an iptables NFQUEUE rule in the router
#                           sends every UDP answer from port 53 to dnscheck_nfq_delay, which holds each packet
#                           700 ms and then accepts it
#   no_resolver             a resolv.conf without nameservers (exit 3)
#   (no CAP_NET_RAW)        setpriv drops it and ping_group_range excludes root: the hint is printed once
# Every case asserts nettool's exit status, the exact diagnosis codes per resolver and that the run took < 3 s.
# Cleanup (servers, namespaces, /etc/netns files) runs from a trap, also when a case fails.
set -u

NETTOOL=${1:?usage: dnscheck_faults.sh NETTOOL SOURCE_DIR [DELAY_TOOL]}
SOURCE_DIR=${2:?usage: dnscheck_faults.sh NETTOOL SOURCE_DIR [DELAY_TOOL]}
DELAY_TOOL=${3:-}
HERE="$SOURCE_DIR/tests/dnscheck"

. "$HERE/check_lib.sh"
test_prologue ntdc ip nft iptables unbound named
# A case that cannot run here: the others still run, and the test then ends as skipped (exit 77), not passed.
SKIPPED_CASES=()
skip_case() { echo "skip $*"; SKIPPED_CASES+=("$*"); }
SERVER_PIDS=()
DELAY_PID=""

cleanup() {
    stop_daemons
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

. "$HERE/real_servers.sh"

ip -n "$S" addr add 10.204.2.10/24 dev s0 || die "address .10"
start_upstream 10.204.2.10
start_unbound 10.204.2.2 10.204.2.10 "10.204.0.0/16 allow"
missing=$(wait_dns 10.204.2.10 10.204.2.2) || die "servers did not come up: $missing"

# ---- everything works; getaddrinfo in the client namespace goes through its resolv.conf --------------------
check ok 0 "ok" www.ntlab --large-name large.ntlab
json_is ok_system 'doc["system_resolver"]["status"] == "resolved" and doc["system_resolver"]["addresses"] == ["10.204.9.9"]'
json_is ok_verdict 'doc["verdict"]["status"] == "ok" and doc["diagnoses"][0]["code"] == "ok"'
json_is ok_large 'doc["servers"][0]["probes"]["large"]["status"] == "ok" and doc["servers"][0]["probes"]["large"]["largest_answer_bytes"] > 1500'
json_is ok_source 'doc["resolver_files"] == ["/etc/resolv.conf"] and doc["servers"][0]["source"] == "/etc/resolv.conf"'
json_is ok_ping 'doc["servers"][0]["probes"]["icmp"]["replies"] >= 1 and doc["reach"]["reachable"]'

# ---- no CAP_NET_RAW and no ICMP datagram sockets: the permission hint comes once, the DNS probes still run -------
ip netns exec "$C" sysctl -qw net.ipv4.ping_group_range="1 0"
ip netns exec "$C" setpriv --inh-caps=-net_raw --bounding-set=-net_raw "$NETTOOL" dnscheck --reach 10.204.1.1 \
    www.ntlab >"$WORK/nocap.txt" 2>&1
nocap_status=$?
ip netns exec "$C" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
hints=$(grep -c CAP_NET_RAW "$WORK/nocap.txt")
if [ "$nocap_status" -eq 0 ] && [ "$hints" -eq 1 ] && grep -q "Verdict: OK" "$WORK/nocap.txt"; then
    echo "ok   no_cap_net_raw: exit 0, the CAP_NET_RAW hint printed once"
else
    echo "FAIL no_cap_net_raw: exit $nocap_status (want 0), CAP_NET_RAW hint printed $hints times (want 1)"
    cat "$WORK/nocap.txt"; FAILURES=$((FAILURES + 1))
fi

# ---- the field case: UDP/53 dropped by the router, ping and TCP work ----------------------------------------
router_nft <<'EOF'
table inet fault {
    chain forward {
        type filter hook forward priority 0;
        udp dport 53 drop
    }
}
EOF
check udp_blocked 1 "udp_blocked" www.ntlab
json_is udp_blocked_top '[d["code"] for d in doc["diagnoses"]] == ["ip_works_names_fail"]'
json_is udp_blocked_verdict 'doc["verdict"]["most_likely_fault"] == "udp_blocked" and doc["verdict"]["applications_can_resolve"] is False'
json_is udp_blocked_evidence 'doc["servers"][0]["probes"]["udp"]["answered"] == 0 and doc["servers"][0]["probes"]["tcp"]["answered"] == 1'
clear_router

# (TCP/53 dropped and IP fragments dropped: dnscheck_real_servers.sh, on unbound, BIND and dnsmasq.)

# ---- UDP answers from port 53 longer than 1200 bytes dropped ---------------------------------------------------
router_nft <<'EOF'
table inet fault {
    chain forward {
        type filter hook forward priority 0;
        udp sport 53 meta length > 1200 drop
    }
}
EOF
check large_size 1 "large_response_dropped" www.ntlab --large-name large.ntlab
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
check packet_loss 1 "packet_loss" --count 20 www.ntlab
json_is packet_loss_counts '0 < doc["servers"][0]["probes"]["udp"]["answered"] < 20'
clear_router

# ---- malformed answers: a compression pointer loop, a record past the end ----------------------------------------
start_server 10.204.2.3 loop
start_server 10.204.2.4 overrun
check malformed 1 "ok;malformed_answer;malformed_answer" --server 10.204.2.2 --server 10.204.2.3 --server 10.204.2.4 www.ntlab
json_is mixed_verdict 'doc["verdict"]["status"] == "degraded" and doc["verdict"]["working_resolvers"] == ["10.204.2.2:53"]'
json_is mixed_source 'doc["resolver_files"] == ["--server"]'
json_is malformed_loop '"compression" in doc["servers"][1]["diagnoses"][0]["evidence"][0]["observed"] and "bytes)" in doc["servers"][1]["diagnoses"][0]["evidence"][0]["observed"]'
json_is malformed_overrun '"runs past the end" in doc["servers"][2]["diagnoses"][0]["evidence"][0]["observed"]'
json_is malformed_status 'all(q["status"] == "bad_response" and q["answer_bytes"] > 12 for q in doc["servers"][1]["probes"]["udp"]["queries"])'

# ---- delay: NFQUEUE + dnscheck_nfq_delay holding UDP answers 700 ms --------------------------------------------
if [ -n "$DELAY_TOOL" ] && [ -x "$DELAY_TOOL" ]; then
    ip netns exec "$R" "$DELAY_TOOL" --queue 7 --delay 700 >"$WORK/delay.log" 2>&1 &
    DELAY_PID=$!
    for _ in $(seq 50); do grep -q ready "$WORK/delay.log" && break; sleep 0.1; done
    grep -q ready "$WORK/delay.log" || die "delay tool did not start: $(cat "$WORK/delay.log")"
    ip netns exec "$R" iptables -A FORWARD -p udp --sport 53 -j NFQUEUE --queue-num 7 || die "iptables NFQUEUE"
    check high_latency 1 "high_latency" www.ntlab
    json_is high_latency_rtt 'doc["servers"][0]["probes"]["udp"]["rtt_ms"]["median"] >= 690'
    ip netns exec "$R" iptables -F
    kill "$DELAY_PID"; wait "$DELAY_PID" 2>/dev/null; DELAY_PID=""
else
    skip_case "high_latency: the NFQUEUE delay tool was not built (libnetfilter-queue-dev missing)"
fi

# ---- the server stopped: port unreachable / RST ---------------------------------------------------------------
stop_servers
stop_daemons
check port_closed 1 "port_closed" www.ntlab

# ---- every server dead: the resolver namespace drops everything; all probes run at once ------------------------
ip netns exec "$S" nft -f - <<'EOF' || die "nft in the resolver failed"
table inet dead {
    chain input {
        type filter hook input priority 0;
        policy drop
    }
}
EOF
check server_unreachable 1 "server_unreachable;server_unreachable" --server 10.204.2.2 --server 10.204.2.3 www.ntlab
json_is unreachable_ping 'doc["servers"][0]["probes"]["icmp"]["replies"] == 0 and doc["reach"]["reachable"]'
ip netns exec "$S" nft flush ruleset

# ---- no resolver configured ------------------------------------------------------------------------------------
echo "search test" > "/etc/netns/$C/resolv.conf"
check no_resolver 3 "" www.ntlab
json_is no_resolver_top '[d["code"] for d in doc["diagnoses"]][0] == "no_resolver"'
json_is no_resolver_verdict '"can resolve" not in doc["verdict"]["summary"] and doc["verdict"]["applications_can_resolve"] is None'

# ---- the systemd-resolved stub: its upstream list is read and tested too ----------------------------------------
printf 'nameserver 127.0.0.53\n' > "$WORK/stub.conf"
printf 'nameserver 10.204.2.2\n' > "$WORK/upstream.conf"
check systemd_stub 1 "port_closed;port_closed" --resolv-conf "$WORK/stub.conf" --systemd-resolv-conf "$WORK/upstream.conf" www.ntlab
json_is stub_files "doc['resolver_files'] == ['$WORK/stub.conf', '$WORK/upstream.conf']"

if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES dnscheck fault case(s) failed"
    exit 1
fi
if [ "${#SKIPPED_CASES[@]}" -ne 0 ]; then
    (IFS=";"; echo "SKIPPED: every case that ran passed, but not run: ${SKIPPED_CASES[*]}")
    exit 77
fi
echo "all dnscheck fault cases passed"
