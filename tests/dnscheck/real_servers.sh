# Sourced by dnscheck_real_servers.sh: config writers and starters for real unbound, BIND 9 (named) and dnsmasq,
# each bound to one address inside the resolver namespace $S, with a config file in $WORK and otherwise their
# defaults. Nothing runs on the host and nothing reads the host's /etc/resolv.conf: unbound and BIND get their
# upstream (or root hints) from the config, dnsmasq runs with --no-resolv.
#
# The "ISP" upstream is a BIND 9 instance authoritative for the root zone of a small test tree under "ntlab."
# (www.ntlab, other.ntlab, large.ntlab TXT of about 3.1 KB; broken.ntlab is a secondary that never loads, so BIND
# answers SERVFAIL for it). Not "test.": unbound serves that special-use name as a local zone (NXDOMAIN).
# The resolvers forward to it (dnsmasq, BIND, unbound: the office router and its ISP).
#
# Every starter appends its pid to DAEMON_PIDS and returns at once; wait_dns then waits for all of them together.

DAEMON_PIDS=()

# wait_dns ADDRESS...: until every ADDRESS:53 sends back a DNS message (any rcode) to CHAOS version.bind, at most
# 10 s; one python process in the namespace polls them all. Prints the addresses that never answered.
wait_dns() {
    ip netns exec "$S" "$PY" - "$@" <<'EOF'
import socket, sys, time
from dnslib import DNSRecord
waiting = set(sys.argv[1:])
deadline = time.monotonic() + 10
query = DNSRecord.question("version.bind", "TXT", "CH").pack()
while waiting and time.monotonic() < deadline:
    for address in sorted(waiting):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.05)
        try:
            s.sendto(query, (address, 53))
            s.recvfrom(4096)
            waiting.discard(address)
        except OSError:
            pass
        finally:
            s.close()
    if waiting:
        time.sleep(0.05)
print(" ".join(sorted(waiting)))
sys.exit(1 if waiting else 0)
EOF
}

# start_upstream ADDRESS: the authoritative "ISP" server.
start_upstream() {
    local address=$1 dir="$WORK/upstream-$1"
    mkdir -p "$dir"
    {
        echo '$TTL 60'
        echo '@ IN SOA ns.ntlab. admin.ntlab. 1 3600 600 86400 60'
        echo '@ IN NS ns.ntlab.'
        echo "ns.ntlab. IN A $address"
        echo 'www.ntlab. IN A 10.204.9.9'
        echo 'other.ntlab. IN A 10.204.9.10'
        for i in $(seq -w 0 14); do
            printf 'large.ntlab. IN TXT "%s"\n' "$(printf "$i%.0s" $(seq 100))"
        done
    } >"$dir/root.db"
    cat >"$dir/named.conf" <<EOF
options {
    directory "$dir";
    pid-file none;
    session-keyfile "$dir/session.key";
    managed-keys-directory "$dir";
    listen-on port 53 { $address; };
    listen-on-v6 { none; };
    recursion no;
    dnssec-validation no;
    max-udp-size 4096;
};
controls { };
zone "." { type primary; file "$dir/root.db"; };
zone "broken.ntlab" { type secondary; primaries { 10.204.5.1; }; file "$dir/broken.db"; };
EOF
    ip netns exec "$S" named -g -c "$dir/named.conf" >"$dir/log" 2>&1 &
    DAEMON_PIDS+=($!)
}

# start_unbound ADDRESS UPSTREAM ACL [EXTRA-SERVER-LINES...]: unbound forwarding everything to UPSTREAM, with
# "access-control: ACL" (unbound's default refuses everyone but localhost).
start_unbound() {
    local address=$1 upstream=$2 acl=$3 dir="$WORK/unbound-$1"
    shift 3
    mkdir -p "$dir"
    {
        echo 'server:'
        echo "    interface: $address"
        echo '    do-daemonize: no'
        echo '    chroot: ""'
        echo '    username: ""'
        echo "    directory: \"$dir\""
        echo '    pidfile: ""'
        echo '    use-syslog: no'
        echo "    access-control: $acl"
        for line in "$@"; do echo "    $line"; done
        echo 'remote-control:'
        echo '    control-enable: no'
        echo 'forward-zone:'
        echo '    name: "."'
        echo "    forward-addr: $upstream"
    } >"$dir/unbound.conf"
    ip netns exec "$S" unbound -d -c "$dir/unbound.conf" >"$dir/log" 2>&1 &
    DAEMON_PIDS+=($!)
}

# start_named ADDRESS UPSTREAM [EXTRA-OPTIONS...]: BIND as a forwarding resolver; the options say who may ask
# (BIND recurses only for its own networks unless allow-recursion says more). dnssec-validation no because the test
# root is not signed; the root hints point at the test upstream so not even priming leaves the namespaces.
start_named() {
    local address=$1 upstream=$2 dir="$WORK/named-$1"
    shift 2
    mkdir -p "$dir"
    printf '. 3600 IN NS ns.ntlab.\nns.ntlab. 3600 IN A %s\n' "$upstream" >"$dir/root.hints"
    {
        echo 'options {'
        echo "    directory \"$dir\";"
        echo '    pid-file none;'
        echo "    session-keyfile \"$dir/session.key\";"
        echo "    managed-keys-directory \"$dir\";"
        echo "    listen-on port 53 { $address; };"
        echo '    listen-on-v6 { none; };'
        echo "    forwarders { $upstream; };"
        echo '    forward only;'
        echo '    dnssec-validation no;'
        for line in "$@"; do echo "    $line"; done
        echo '};'
        echo 'controls { };'
        echo "zone \".\" { type hint; file \"$dir/root.hints\"; };"
    } >"$dir/named.conf"
    ip netns exec "$S" named -g -c "$dir/named.conf" >"$dir/log" 2>&1 &
    DAEMON_PIDS+=($!)
}

# start_dnsmasq ADDRESS UPSTREAM|- [EXTRA-OPTIONS...]: dnsmasq forwarding to UPSTREAM ('-': no upstream at all).
start_dnsmasq() {
    local address=$1 upstream=$2 dir="$WORK/dnsmasq-$1"
    shift 2
    mkdir -p "$dir"
    {
        echo "listen-address=$address"
        echo 'bind-interfaces'
        echo 'no-resolv'
        echo 'no-hosts'
        echo 'user=root'
        echo 'pid-file='
        [ "$upstream" = - ] || echo "server=$upstream"
        for line in "$@"; do echo "$line"; done
    } >"$dir/dnsmasq.conf"
    ip netns exec "$S" dnsmasq --keep-in-foreground --log-facility=- --conf-file="$dir/dnsmasq.conf" >"$dir/log" 2>&1 &
    DAEMON_PIDS+=($!)
}

stop_daemons() {
    for pid in "${DAEMON_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${DAEMON_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    DAEMON_PIDS=()
}
