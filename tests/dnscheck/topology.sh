# Sourced by the dnscheck fault test, its benchmark and the demo: the field case's network in namespaces.
#   client C (10.204.1.2) --veth-- router R (10.204.1.1 | 10.204.2.1, forwarding) --veth-- resolvers S (10.204.2.2,
#   10.204.2.3, 10.204.2.4)
# and the client's /etc/netns/C/resolv.conf listing NAMESERVER... The caller deletes the namespaces and that file.
# Usage: dnscheck_topology C R S NAMESERVER...   (status non-zero when a step fails)
dnscheck_topology() {
    local c=$1 r=$2 s=$3 ns
    shift 3
    ip netns add "$c" && ip netns add "$r" && ip netns add "$s" || return 1
    ip -n "$c" link add c0 type veth peer name r0 netns "$r" || return 1
    ip -n "$s" link add s0 type veth peer name r1 netns "$r" || return 1
    for ns in "$c" "$r" "$s"; do ip -n "$ns" link set lo up || return 1; done
    ip -n "$c" addr add 10.204.1.2/24 dev c0 && ip -n "$c" link set c0 up &&
        ip -n "$r" addr add 10.204.1.1/24 dev r0 && ip -n "$r" link set r0 up &&
        ip -n "$r" addr add 10.204.2.1/24 dev r1 && ip -n "$r" link set r1 up &&
        ip -n "$s" addr add 10.204.2.2/24 dev s0 && ip -n "$s" addr add 10.204.2.3/24 dev s0 &&
        ip -n "$s" addr add 10.204.2.4/24 dev s0 && ip -n "$s" link set s0 up &&
        ip -n "$c" route add default via 10.204.1.1 && ip -n "$s" route add default via 10.204.2.1 || return 1
    ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 || return 1
    # The ping prober may use an unprivileged ICMP socket in the client namespace.
    ip netns exec "$c" sysctl -qw net.ipv4.ping_group_range="0 2147483647" || return 1
    mkdir -p "/etc/netns/$c" && printf 'nameserver %s\n' "$@" > "/etc/netns/$c/resolv.conf"
}
