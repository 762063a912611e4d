#!/usr/bin/env bash
# nettool doctor against a small office in network namespaces (topology.sh): unbound resolvers on the router,
# dnsmasq as their upstream beyond it, every fault made with the kernel or by stopping real software.
#
#   doctor_netns.sh NETTOOL SOURCE_DIR
#
# Cases (each: root_cause.code, root_cause.layer, exit status, wall clock under 5 s):
#   healthy            nothing broken                                  root_cause null, exit 0
#   no_default_route   the client's default route deleted              address / no_default_route
#   gateway_gone       the router's address removed (ARP fails)        gateway / gateway_unreachable
#   uplink_down        the router's WAN port down, --reach beyond it   internet / internet_unreachable
#   udp53_dropped      nft on the router drops UDP/53 to both resolvers dns / udp_blocked
#   upstream_dead      the upstream dnsmasq stopped                    dns / upstream_failure
#   link_and_dns_loss  a recording with rising CRC errors (--sysfs-root tests/fixtures/link/downshift-crc) while nft
#                      drops 60% of UDP/53: the DNS loss must be tied to the link     link / errors_rising
#   ipv6_default       no IPv4 default route, an IPv6 one: IFACE and the gateway from it     root_cause null, exit 0
#   all_dead           the router's end of the cable down (no carrier): every probe fails     link / link_down
# The healthy case runs once more with --capture 1: the traffic layer is ok and has seen packets (bound 6 s).
# doctor runs inside the client namespace with --resolv-conf /etc/netns/C/resolv.conf (the namespace's resolvers).
set -u

NETTOOL=${1:?usage: doctor_netns.sh NETTOOL SOURCE_DIR}
SOURCE_DIR=${2:?usage: doctor_netns.sh NETTOOL SOURCE_DIR}
BOUND_MS=5000

skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, nftables, ARP probe)"
for tool in ip nft unbound dnsmasq dig jq; do command -v "$tool" >/dev/null || skip "$tool is not installed"; done

. "$SOURCE_DIR/tests/doctor/topology.sh"
ID=$$
WORK=$(mktemp -d /tmp/ntdoc-XXXXXX)
C="" R="" U=""
cleanup() {
    [ -n "$C" ] && doctor_cleanup "$C" "$R" "$U"
    rm -rf "$WORK"
}
trap cleanup EXIT

FAILED=0
fail() { echo "FAIL [$CASE]: $*"; FAILED=1; }

# A fresh office for every case, so one fault never leaks into the next.
setup() {
    CASE=$1
    [ -n "$C" ] && doctor_cleanup "$C" "$R" "$U"
    C=ntdoc-c-$ID-$CASE R=ntdoc-r-$ID-$CASE U=ntdoc-u-$ID-$CASE
    C=${C:0:40} R=${R:0:40} U=${U:0:40}
    mkdir -p "$WORK/$CASE"
    doctor_topology "$C" "$R" "$U" "$WORK/$CASE" || { fail "cannot build the topology"; cat "$WORK/$CASE"/*.log; exit 1; }
}

fault_nft() {  # RULE: an nft input rule in the router
    printf 'table inet fault {\n chain input {\n  type filter hook input priority 0;\n  %s\n }\n}\n' "$1" >"$WORK/$CASE/fault.nft"
    ip netns exec "$R" nft -f "$WORK/$CASE/fault.nft" || fail "nft rule not loaded"
}

# check EXPECTED_EXIT EXPECTED_LAYER EXPECTED_CODE [doctor options...]   ("null" layer/code: no root cause)
check() {
    local want_exit=$1 want_layer=$2 want_code=$3 start end status ms layer code
    shift 3
    start=$(date +%s%N)
    ip netns exec "$C" "$NETTOOL" doctor --json --resolv-conf "/etc/netns/$C/resolv.conf" --name www.test \
        --name mail.test "$@" >"$WORK/$CASE/out.json" 2>"$WORK/$CASE/err.txt"
    status=$?
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    layer=$(jq -r '.root_cause.layer // "null"' "$WORK/$CASE/out.json")
    code=$(jq -r '.root_cause.code // "null"' "$WORK/$CASE/out.json")
    echo "[$CASE] exit $status, root cause $layer/$code, ${ms} ms"
    [ "$status" -eq "$want_exit" ] || fail "exit $status, expected $want_exit"
    [ "$layer" = "$want_layer" ] || fail "root cause layer $layer, expected $want_layer"
    [ "$code" = "$want_code" ] || fail "root cause code $code, expected $want_code"
    [ "$ms" -lt "$BOUND_MS" ] || fail "took ${ms} ms, bound ${BOUND_MS} ms"
    jq -e '.layers | map(.name) == ["link","address","gateway","internet","dns","traffic"]' "$WORK/$CASE/out.json" \
        >/dev/null || fail "layers are not link..traffic in order"
    if [ $FAILED -ne 0 ]; then cat "$WORK/$CASE/err.txt"; jq -c '.layers[] | {name, status, why, codes: [.diagnoses[].code]}' "$WORK/$CASE/out.json"; fi
}

setup healthy
check 0 null null --reach 10.207.2.2 --tcp 10.207.2.2:53
jq -e '[.layers[] | select(.name != "traffic") | .status] | all(. == "ok")' "$WORK/$CASE/out.json" >/dev/null ||
    fail "a layer is not ok"
jq -e '.layers[] | select(.name == "traffic") | .status == "skipped"' "$WORK/$CASE/out.json" >/dev/null ||
    fail "traffic should be skipped without --capture"

# Usage and environment errors: one line on stderr, exit 2 / 3, nothing probed.
usage_check() {  # EXPECTED_EXIT ARGS...
    local want=$1 status lines
    shift
    ip netns exec "$C" "$NETTOOL" doctor "$@" >"$WORK/$CASE/usage.out" 2>"$WORK/$CASE/usage.err"
    status=$?
    lines=$(wc -l <"$WORK/$CASE/usage.err")
    [ "$status" -eq "$want" ] || fail "doctor $*: exit $status, expected $want"
    [ "$lines" -ge 1 ] && [ ! -s "$WORK/$CASE/usage.out" ] || fail "doctor $*: expected an error on stderr only"
}
RC=(--resolv-conf "/etc/netns/$C/resolv.conf")
usage_check 2 "${RC[@]}" --tcp www.test:443
usage_check 2 "${RC[@]}" --reach not-an-ip
usage_check 2 "${RC[@]}" --capture -1
usage_check 2 "${RC[@]}" --name 'bad..name'
usage_check 2 "${RC[@]}" 'bad/iface'
usage_check 2 "${RC[@]}" --ethtool-json /dev/null
usage_check 2 --resolv-conf /nonexistent/resolv.conf
usage_check 3 "${RC[@]}" eth9
grep -q "no such interface" "$WORK/$CASE/usage.err" || fail "eth9: the error should name the missing interface"

# The traffic layer: one second of capture on the client's port (CAP_NET_RAW as root), within 5 s + 1 s.
BOUND_MS=6000
check 0 null null --capture 1
jq -e '.layers[] | select(.name == "traffic") | .status == "ok"' "$WORK/$CASE/out.json" >/dev/null ||
    fail "traffic should be ok with --capture"
jq -e '.observations.traffic.summary.packets > 0' "$WORK/$CASE/out.json" >/dev/null ||
    fail "the capture should have seen the probes"
BOUND_MS=5000

setup no_default_route
ip -n "$C" route del default
check 1 address no_default_route --reach 10.207.2.2
jq -e '.layers[] | select(.name == "gateway") | .status == "skipped"' "$WORK/$CASE/out.json" >/dev/null ||
    fail "gateway should be skipped without a default route"
jq -e '.root_cause.explains | index("internet: internet_unreachable")' "$WORK/$CASE/out.json" >/dev/null ||
    fail "the unreachable target should be explained by the missing route"

setup gateway_gone
ip -n "$R" addr del 10.207.1.1/24 dev lan0
check 1 gateway gateway_unreachable --reach 10.207.2.2
jq -e '.observations.gateways[0].neighbour == "failed"' "$WORK/$CASE/out.json" >/dev/null ||
    fail "the ARP probe should have got no answer"
jq -e '.layers[] | select(.name == "gateway") | .diagnoses[0].summary | test("ARP got no answer")' \
    "$WORK/$CASE/out.json" >/dev/null || fail "the evidence should say ARP got no answer"

setup uplink_down
ip -n "$R" link set wan0 down
check 1 internet internet_unreachable --reach 10.207.2.2
jq -e '.layers[] | select(.name == "gateway") | .status == "ok"' "$WORK/$CASE/out.json" >/dev/null ||
    fail "the gateway answers"
jq -e '.independent_causes == []' "$WORK/$CASE/out.json" >/dev/null || fail "DNS failure should follow from the uplink"

setup udp53_dropped
fault_nft "udp dport 53 drop"
check 1 dns udp_blocked --reach 10.207.2.2
jq -e '[.observations.dns.servers[].diagnoses[].code] | index("udp_blocked")' "$WORK/$CASE/out.json" >/dev/null ||
    fail "udp_blocked per resolver"

setup upstream_dead
kill "${DOCTOR_PIDS[0]}"  # the upstream dnsmasq (started first)
wait "${DOCTOR_PIDS[0]}" 2>/dev/null
check 1 dns upstream_failure --reach 10.207.2.2

setup link_and_dns_loss
fault_nft "udp dport 53 numgen random mod 100 < 60 drop"
check 1 link errors_rising --reach 10.207.2.2 --sysfs-root "$SOURCE_DIR/tests/fixtures/link/downshift-crc"
jq -e '.layers[] | select(.name == "link") | [.diagnoses[].code] | index("errors_rising")' "$WORK/$CASE/out.json" \
    >/dev/null || fail "errors_rising from the recording"
# With 60% loss the DNS layer almost always shows it (all 12 UDP queries answered: p < 1e-4); when it does, the
# loss must be listed as a consequence of the link, never as a second cause.
if jq -e '.layers[] | select(.name == "dns") | .status == "problem"' "$WORK/$CASE/out.json" >/dev/null; then
    jq -e '(.root_cause.explains | map(startswith("dns:")) | any) and .independent_causes == []' \
        "$WORK/$CASE/out.json" >/dev/null || fail "the DNS loss should be explained by the link"
fi

# IPv6 only: no IPv4 default route, a global IPv6 default route; IFACE and the gateway come from it.
setup ipv6_default
ip -n "$R" addr add 2001:db8:207::1/64 dev lan0 nodad
ip -n "$C" addr add 2001:db8:207::2/64 dev eth0 nodad
ip -n "$C" route del default
ip -n "$C" -6 route add default via 2001:db8:207::1 dev eth0
check 0 null null
jq -e '.interface == "eth0" and .interface_source == "IPv6 default route"' "$WORK/$CASE/out.json" >/dev/null ||
    fail "IFACE should come from the IPv6 default route"
jq -e '.observations.gateways[0].address == "2001:db8:207::1" and
       (.observations.gateways[0].echoes | map(.status == "reply") | any)' "$WORK/$CASE/out.json" >/dev/null ||
    fail "the IPv6 gateway should answer ping"

# Everything dead at once: the router's end of the cable goes down (no carrier), so every probe fails; the run
# still ends within the bound and names the link.
setup all_dead
ip -n "$R" link set lan0 down
check 1 link link_down --reach 10.207.2.2 --tcp 10.207.2.2:53

exit $FAILED
