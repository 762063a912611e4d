#!/usr/bin/env bash
# Time to give up / time to diagnosis: nslookup and dig (bind9-dnsutils, default options) vs nettool dnscheck,
# in the same namespace topology and the same faults as tests/dnscheck/dnscheck_faults.sh, two resolvers
# (10.204.2.2 and 10.204.2.3, as in the field case "both DNS servers") in the client's resolv.conf.
#
#   bench/dnscheck/run.sh NETTOOL [SOURCE_DIR]
#
# Prints one line per situation with the wall-clock milliseconds of each tool and the ratios
# nslookup/dnscheck and dig/dnscheck. Needs root. Cleans up its namespaces on exit.
set -u
NETTOOL=${1:?usage: run.sh NETTOOL [SOURCE_DIR]}
SOURCE_DIR=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
[ "$(id -u)" -eq 0 ] || { echo "needs root"; exit 77; }
command -v nslookup >/dev/null && command -v dig >/dev/null || { echo "needs bind9-dnsutils"; exit 77; }
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

C=ntdc-bc-$$; R=ntdc-br-$$; S=ntdc-bs-$$
WORK=$(mktemp -d /tmp/ntdc-bench-XXXXXX)
SERVERS=()
cleanup() {
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
    for ns in "$C" "$R" "$S"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "/etc/netns/$C" "$WORK"
}
trap cleanup EXIT

. "$SOURCE_DIR/tests/dnscheck/topology.sh"
dnscheck_topology "$C" "$R" "$S" 10.204.2.2 10.204.2.3 || { echo "cannot build the namespace topology"; exit 1; }

# One server per address: a socket bound to 0.0.0.0 would answer from the interface's first address.
start_server() {
    for address in 10.204.2.2 10.204.2.3; do
        ip netns exec "$S" "$PY" "$SOURCE_DIR/tests/dnscheck/test_dns_server.py" --address $address >"$WORK/$address.log" 2>&1 &
        SERVERS+=($!)
        for _ in $(seq 50); do grep -q ready "$WORK/$address.log" && break; sleep 0.1; done
    done
}
stop_server() { for pid in "${SERVERS[@]}"; do kill "$pid"; wait "$pid" 2>/dev/null; done; SERVERS=(); }
router() { ip netns exec "$R" nft flush ruleset; [ -z "$1" ] || printf 'table inet f {\n chain forward {\n  type filter hook forward priority 0;\n  %s\n }\n}\n' "$1" | ip netns exec "$R" nft -f -; }
resolver_dead() {
    ip netns exec "$S" nft flush ruleset
    [ "$1" = yes ] && printf 'table inet d {\n chain input {\n  type filter hook input priority 0; policy drop;\n }\n}\n' | ip netns exec "$S" nft -f -
}

# Milliseconds of one command run inside the client namespace (the clock runs inside, around the tool alone).
timed() {
    ip netns exec "$C" bash -c 's=$(date +%s%N); "$@" >/dev/null 2>&1; echo $((($(date +%s%N) - s) / 1000000))' timed "$@"
}

printf '%-42s %10s %10s %10s %14s %10s\n' situation nslookup_ms dig_ms dnscheck_ms nslookup/dnscheck dig/dnscheck
measure() {  # LABEL
    local n d t
    n=$(timed nslookup www.test)
    d=$(timed dig www.test)
    t=$(timed "$NETTOOL" dnscheck www.test --reach 10.204.1.1)
    printf '%-42s %10s %10s %10s %14s %10s\n' "$1" "$n" "$d" "$t" \
        "$(awk -v a="$n" -v b="$t" 'BEGIN{printf "%.1fx", a/b}')" "$(awk -v a="$d" -v b="$t" 'BEGIN{printf "%.1fx", a/b}')"
}

start_server
router "";                          measure "healthy (both answer)"
router "udp dport 53 drop";         measure "udp_blocked (field case, both servers)"
router "tcp dport 53 drop";         measure "tcp_blocked"
router "udp dport 53 numgen random mod 100 < 40 drop"; measure "packet_loss (40% of queries dropped)"
router ""; stop_server;             measure "port_closed (server stopped)"
resolver_dead yes;                  measure "server_unreachable (both dead)"
resolver_dead no
