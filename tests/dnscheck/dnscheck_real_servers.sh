#!/usr/bin/env bash
# dnscheck against real unbound, BIND 9 (named) and dnsmasq from Debian, each configured by this test, and faults
# made by the servers themselves or by the kernel (issue #10).
#
#   dnscheck_real_servers.sh NETTOOL SOURCE_DIR
#
# Topology: topology.sh (client C -- router R -- resolver namespace S); in S, on 10.204.2.0/24:
#   .10            the "ISP": BIND authoritative for the test root (www.ntlab, large.ntlab TXT 3.1 KB, broken.ntlab
#                  a secondary that never loads -> SERVFAIL)
#   A  .2 .3 .4    unbound, named, dnsmasq forwarding to .10, their defaults otherwise
#   B  .5 .6 .7    the same with a 4096-byte UDP answer size (the defaults of named and dnsmasq stop at 1232, so no
#                  large UDP answer ever crosses the path and a fragment filter cannot be seen)
#   C  .11 .12 .13 the same forwarding to 10.204.5.1, which the router discards silently: the upstream is dead
#   D  .14 .15 .16 refusing: unbound access-control 0.0.0.0/0 refuse, BIND allow-query { none; }, dnsmasq without
#                  any upstream
# The client's resolv.conf lists 10.204.2.2 (unbound); for the last case 10.204.5.1 (dead) comes first: failover.
# Every run uses dnscheck's default options (plus --server/names), asserts the exact code per resolver (always in
# the order unbound;named;dnsmasq) and that it took < 3 s. Runs that share no router rule run at once.
set -u

NETTOOL=${1:?usage: dnscheck_real_servers.sh NETTOOL SOURCE_DIR}
SOURCE_DIR=${2:?usage: dnscheck_real_servers.sh NETTOOL SOURCE_DIR}
HERE="$SOURCE_DIR/tests/dnscheck"

. "$HERE/check_lib.sh"
test_prologue ntdr ip nft unbound named dnsmasq

. "$HERE/topology.sh"
. "$HERE/real_servers.sh"

cleanup() {
    stop_daemons
    for ns in "$C" "$R" "$S"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "/etc/netns/$C"; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
die() { echo "FAIL: $*"; exit 1; }

DEAD=10.204.5.1
dnscheck_topology "$C" "$R" "$S" 10.204.2.2 || die "cannot build the namespace topology"
for host in 5 6 7 10 11 12 13 14 15 16; do ip -n "$S" addr add "10.204.2.$host/24" dev s0 || die "address .$host"; done
# The dead address: the router discards packets to it without a word (a blackhole route; without any route the
# router would answer ICMP net unreachable, and a stub resolver moves on at once).
ip -n "$R" route add blackhole "$DEAD/32" || die "blackhole route"

UP=10.204.2.10
RECURSION="allow-recursion { 10.204.0.0/16; };"  # BIND recurses only for its own networks by default
start_upstream $UP
start_unbound 10.204.2.2 $UP "10.204.0.0/16 allow"
start_named 10.204.2.3 $UP "$RECURSION"
start_dnsmasq 10.204.2.4 $UP
start_unbound 10.204.2.5 $UP "10.204.0.0/16 allow" "max-udp-size: 4096" "edns-buffer-size: 4096"
start_named 10.204.2.6 $UP "$RECURSION" "max-udp-size 4096;" "edns-udp-size 4096;"
start_dnsmasq 10.204.2.7 $UP "edns-packet-max=4096"
start_unbound 10.204.2.11 $DEAD "10.204.0.0/16 allow"
start_named 10.204.2.12 $DEAD "$RECURSION"
start_dnsmasq 10.204.2.13 $DEAD
start_unbound 10.204.2.14 $UP "0.0.0.0/0 refuse"
start_named 10.204.2.15 $UP "allow-query { none; };"
start_dnsmasq 10.204.2.16 -
missing=$(wait_dns $UP 10.204.2.{2,3,4,5,6,7,11,12,13,14,15,16}) ||
    die "servers did not come up: $missing$(for d in "$WORK"/*/log; do echo; echo "== $d"; tail -5 "$d"; done)"

servers() { local h; for h in "$@"; do printf -- '--server 10.204.2.%s ' "$h"; done; }
A=$(servers 2 3 4)
B=$(servers 5 6 7)

# ---- no router fault: all at once ----------------------------------------------------------------------------
# At most two runs per server: BIND rate-limits its CHAOS answers (3 a second per client /24, built into its _bind
# view), and a burst of runs would lose some.
# shellcheck disable=SC2086
RUNS=()
run_case healthy $A www.ntlab --large-name large.ntlab & RUNS+=($!)
run_case large_buffer $B www.ntlab --large-name large.ntlab & RUNS+=($!)
run_case refused $(servers 14 15 16) www.ntlab & RUNS+=($!)
run_case upstream_dead $(servers 11 12 13) www.ntlab & RUNS+=($!)
run_case servfail $B www.ntlab x.broken.ntlab & RUNS+=($!)

wait "${RUNS[@]}"  # not a bare wait: the servers run in the background too
expect healthy 0 "ok;ok;ok"
# unbound sends up to 4096 bytes over UDP by default; named and dnsmasq stop at 1232 and truncate (TC): for them
# nothing large crossed the path, so the large check is inconclusive (with the size that came), never ok.
json_is healthy_large '[s["probes"]["large"]["status"] for s in doc["servers"]] == ["ok", "inconclusive", "inconclusive"]'
json_is healthy_large_size '[s["probes"]["large"]["largest_answer_bytes"] > 1232 for s in doc["servers"]] == [True, False, False]'
json_is healthy_local 'all(s["probes"]["local"]["rcodes"].get("NOERROR", 0) >= 1 for s in doc["servers"])'
expect large_buffer 0 "ok;ok;ok"
json_is large_buffer_large '[s["probes"]["large"]["status"] for s in doc["servers"]] == ["ok"] * 3'
json_is large_buffer_size 'all(s["probes"]["large"]["largest_answer_bytes"] > 3000 for s in doc["servers"])'
expect refused 1 "refused;refused;refused"
json_is refused_no_question 'all(q.get("question_missing") for q in doc["servers"][0]["probes"]["udp"]["queries"])'
json_is refused_tcp 'all(s["probes"]["tcp"]["rcodes"] == {"REFUSED": 1} for s in doc["servers"])'
expect upstream_dead 1 "upstream_failure;upstream_failure;upstream_failure"
json_is upstream_dead_verdict 'doc["verdict"]["most_likely_fault"] == "upstream_failure"'
json_is upstream_dead_tcp 'all(s["probes"]["tcp"]["queries"][0]["connected"] for s in doc["servers"])'
expect servfail 1 "servfail;servfail;servfail"
json_is servfail_partial 'all(s["diagnoses"][0]["severity"] == "warning" for s in doc["servers"])'
# ---- faults on the router, one after the other ----------------------------------------------------------------
fault() {  # NFT-RULE: one rule in the router's forward path (prerouting before defragmentation for fragments)
    ip netns exec "$R" nft -f - <<NFT || die "nft in the router failed"
table ip fault {
    chain pre {
        type filter hook prerouting priority -500;
        $1
    }
}
NFT
}
clear_fault() { ip netns exec "$R" nft delete table ip fault; }

fault "udp dport 53 drop"
# shellcheck disable=SC2086
check udp_blocked 1 "udp_blocked;udp_blocked;udp_blocked" $A www.ntlab
clear_fault
fault "tcp dport 53 drop"
# shellcheck disable=SC2086
check tcp_blocked 1 "tcp_blocked;tcp_blocked;tcp_blocked" $A www.ntlab
clear_fault
fault "ip frag-off & 0x1fff != 0 drop"
# named and dnsmasq of set A never send a large UDP answer (the fault cannot touch them: inconclusive, still ok);
# unbound of set A and all of set B do.
# shellcheck disable=SC2086
check large_dropped 1 "large_response_dropped;ok;ok;large_response_dropped;large_response_dropped;large_response_dropped" \
    $A $B www.ntlab --large-name large.ntlab
json_is large_dropped_status '[s["probes"]["large"]["status"] for s in doc["servers"]] == ["dropped", "inconclusive", "inconclusive"] + ["dropped"] * 3'
json_is large_dropped_tcp 'all(s["probes"]["large"]["over_tcp"]["answered"] >= 1 for s in doc["servers"])'
clear_fault

# ---- the default names (example.com, wikipedia.org) do not exist in the test tree: NXDOMAIN is a finding --------
# shellcheck disable=SC2086
check default_names 1 "nxdomain_for_known_names;nxdomain_for_known_names;nxdomain_for_known_names" $A
json_is default_names_verdict 'doc["verdict"]["status"] == "failing" and "can resolve" not in doc["verdict"]["summary"]'


# ---- a dead first nameserver and a working second one: getaddrinfo waits the stub timeout (5 s by default) ----
printf 'nameserver %s\nnameserver 10.204.2.2\n' "$DEAD" >"/etc/netns/$C/resolv.conf"
check failover 1 "server_unreachable;ok" www.ntlab
json_is failover_top '"resolver_failover_delay" in [d["code"] for d in doc["diagnoses"]]'
json_is failover_wait 'doc["verdict"]["failover_wait_s"] == 5 and doc["verdict"]["status"] == "degraded"'

if [ "$FAILURES" -ne 0 ]; then
    echo "$FAILURES dnscheck real-server case(s) failed"
    exit 1
fi
echo "all dnscheck real-server cases passed"
