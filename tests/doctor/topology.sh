# Sourced by the doctor test and its demo scene: a small office in network namespaces, with real DNS software.
#
#   client C                       router R (forwarding)                          uplink U ("the internet")
#   eth0 10.207.1.2/24  <-veth->  lan0 10.207.1.1/24 + 10.207.1.53/24 | wan0 10.207.2.1/24  <-veth->  up0 10.207.2.2/24
#   default via 10.207.1.1        unbound resolvers on .1 and .53,                          dnsmasq answering the
#                                 forwarding to 10.207.2.2                                 test zone (www.test, ...)
#
# The client's resolvers are listed in /etc/netns/C/resolv.conf. The resolvers are unbound (forwarding everything to
# the upstream), the upstream is dnsmasq (answers with TTL 0, so nothing stays cached and an upstream fault shows at
# once); both run in the foreground with config files written here (no /etc/unbound or /etc/dnsmasq.conf, no hosts
# file, no resolv.conf); their pids are appended to the array DOCTOR_PIDS. The caller kills them and deletes the namespaces and
# /etc/netns/C (doctor_cleanup does all of it).
#
# Usage: doctor_topology C R U WORKDIR   (status non-zero when a step fails)
DOCTOR_PIDS=()

doctor_dnsmasq() {  # NS CONF LOG
    ip netns exec "$1" dnsmasq --keep-in-foreground --conf-file="$2" --log-facility="$3" &
    DOCTOR_PIDS+=($!)
}

doctor_topology() {
    local c=$1 r=$2 u=$3 work=$4 ns address
    ip netns add "$c" && ip netns add "$r" && ip netns add "$u" || return 1
    ip -n "$c" link add eth0 type veth peer name lan0 netns "$r" || return 1
    ip -n "$u" link add up0 type veth peer name wan0 netns "$r" || return 1
    for ns in "$c" "$r" "$u"; do ip -n "$ns" link set lo up || return 1; done
    ip -n "$c" addr add 10.207.1.2/24 dev eth0 && ip -n "$c" link set eth0 up &&
        ip -n "$r" addr add 10.207.1.1/24 dev lan0 && ip -n "$r" addr add 10.207.1.53/24 dev lan0 &&
        ip -n "$r" link set lan0 up && ip -n "$r" addr add 10.207.2.1/24 dev wan0 && ip -n "$r" link set wan0 up &&
        ip -n "$u" addr add 10.207.2.2/24 dev up0 && ip -n "$u" link set up0 up &&
        ip -n "$c" route add default via 10.207.1.1 && ip -n "$u" route add default via 10.207.2.1 || return 1
    ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 || return 1
    # Removing the router address must leave the second resolver address in place (the "gateway gone" case).
    ip netns exec "$r" sysctl -qw net.ipv4.conf.lan0.promote_secondaries=1 || return 1
    # The ICMP prober may use an unprivileged ICMP socket in the client namespace.
    ip netns exec "$c" sysctl -qw net.ipv4.ping_group_range="0 2147483647" || return 1

    cat >"$work/upstream.conf" <<CONF
listen-address=10.207.2.2
bind-interfaces
no-resolv
no-hosts
pid-file=
user=root
address=/www.test/10.207.2.80
address=/mail.test/10.207.2.25
CONF
    doctor_dnsmasq "$u" "$work/upstream.conf" "$work/upstream.log"
    for address in 10.207.1.1 10.207.1.53; do
        cat >"$work/resolver-$address.conf" <<CONF
server:
    interface: $address
    port: 53
    access-control: 10.207.1.0/24 allow
    username: ""
    chroot: ""
    directory: "$work"
    pidfile: ""
    use-syslog: no
    logfile: "$work/resolver-$address.log"
    module-config: "iterator"
    do-not-query-localhost: no
    # .test is a special-use name unbound answers itself by default; here it is the zone under test.
    local-zone: "test." nodefault
forward-zone:
    name: "."
    forward-addr: 10.207.2.2
CONF
        ip netns exec "$r" unbound -d -c "$work/resolver-$address.conf" &
        DOCTOR_PIDS+=($!)
    done
    mkdir -p "/etc/netns/$c" && printf 'nameserver 10.207.1.1\nnameserver 10.207.1.53\n' >"/etc/netns/$c/resolv.conf"
    # Ready when both resolvers answer through the upstream.
    for _ in $(seq 50); do
        if ip netns exec "$c" dig +time=1 +tries=1 +short @10.207.1.1 www.test 2>/dev/null | grep -q 10.207.2.80 &&
            ip netns exec "$c" dig +time=1 +tries=1 +short @10.207.1.53 www.test 2>/dev/null | grep -q 10.207.2.80; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

doctor_cleanup() {  # C R U
    local pid ns
    for pid in "${DOCTOR_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${DOCTOR_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    DOCTOR_PIDS=()
    for ns in "$@"; do ip netns del "$ns" 2>/dev/null; done
    rm -rf "/etc/netns/$1"
}
