#!/usr/bin/env bash
# demo: Doctor - one command, one root cause (nettool doctor)
# The consultant's walk down the layers in one run: link, address, gateway, internet, DNS. A small office in network
# namespaces (tests/doctor/topology.sh): a client, a router with two unbound resolvers, dnsmasq upstream behind it.
# Each scene breaks one thing and runs `nettool doctor` in the client namespace; the last one is the seed's fourth
# case: DNS packets lost while the link (a recording of a gigabit port with CRC errors rising) is the cause.
# DOCTOR_DEMO_SCENES="healthy udp53_dropped" runs only those scenes.
set -u
: "${NETTOOL:?set NETTOOL to the nettool binary}"
: "${NETTOOL_SOURCE_DIR:?set NETTOOL_SOURCE_DIR to the repository}"
if [ "$(id -u)" -ne 0 ]; then echo "this demo needs root (network namespaces)"; exit 0; fi
for tool in ip nft unbound dnsmasq dig; do
    command -v "$tool" >/dev/null || { echo "this demo needs $tool (scripts/install-deps)"; exit 0; }
done

. "$NETTOOL_SOURCE_DIR/tests/doctor/topology.sh"
WORK=$(mktemp -d /tmp/ntdoc-demo-XXXXXX)
C="" R="" U=""
cleanup() {
    [ -n "$C" ] && doctor_cleanup "$C" "$R" "$U"
    rm -rf "$WORK"
}
trap cleanup EXIT

scene() {  # NAME TITLE
    [ -n "$C" ] && doctor_cleanup "$C" "$R" "$U"
    C=ntdoc-demo-c-$$ R=ntdoc-demo-r-$$ U=ntdoc-demo-u-$$
    mkdir -p "$WORK/$1"
    doctor_topology "$C" "$R" "$U" "$WORK/$1" || { echo "cannot build the namespace topology"; exit 1; }
    echo
    echo "--- $2 ---"
}

doctor() {
    echo "\$ nettool doctor $*"
    ip netns exec "$C" "$NETTOOL" doctor --no-color --resolv-conf "/etc/netns/$C/resolv.conf" "$@"
    echo "(exit status $?)"
}

fault_nft() {
    printf 'table inet fault {\n chain input {\n  type filter hook input priority 0;\n  %s\n }\n}\n' "$1" >"$WORK/fault.nft"
    ip netns exec "$R" nft -f "$WORK/fault.nft"
}

wanted() { [ -z "${DOCTOR_DEMO_SCENES:-}" ] || [[ " $DOCTOR_DEMO_SCENES " == *" $1 "* ]]; }

names=(--name www.test --name mail.test)
beyond=(--reach 10.207.2.2 --tcp 10.207.2.2:53)

if wanted healthy; then
    scene healthy "Healthy: every layer answers"
    doctor "${names[@]}" "${beyond[@]}"
fi
if wanted no_default_route; then
    scene no_default_route "No default route (the DHCP server handed out no gateway)"
    ip -n "$C" route del default
    doctor "${names[@]}" --reach 10.207.2.2
fi
if wanted gateway_gone; then
    scene gateway_gone "Gateway gone: the router's address was removed, ARP gets no answer"
    ip -n "$R" addr del 10.207.1.1/24 dev lan0
    doctor "${names[@]}" --reach 10.207.2.2
fi
if wanted uplink_down; then
    scene uplink_down "The gateway answers but its uplink is down"
    ip -n "$R" link set wan0 down
    doctor "${names[@]}" --reach 10.207.2.2
fi
if wanted udp53_dropped; then
    scene udp53_dropped "UDP/53 dropped to both resolvers (ping and TCP pass)"
    fault_nft "udp dport 53 drop"
    doctor "${names[@]}" --reach 10.207.2.2
fi
if wanted upstream_dead; then
    scene upstream_dead "The resolvers' upstream is dead"
    kill "${DOCTOR_PIDS[0]}"
    wait "${DOCTOR_PIDS[0]}" 2>/dev/null
    doctor "${names[@]}" --reach 10.207.2.2
fi
if wanted link_and_dns_loss; then
    scene link_and_dns_loss "The seed's fourth case: DNS loss, and a gigabit port with CRC errors rising (recorded)"
    fault_nft "udp dport 53 numgen random mod 100 < 60 drop"
    doctor "${names[@]}" --reach 10.207.2.2 --sysfs-root "$NETTOOL_SOURCE_DIR/tests/fixtures/link/downshift-crc"
fi
if wanted all_dead; then
    scene all_dead "Everything dead at once: no carrier"
    ip -n "$R" link set lan0 down
    doctor "${names[@]}" "${beyond[@]}"
fi
