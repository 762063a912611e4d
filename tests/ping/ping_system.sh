#!/usr/bin/env bash
# nettool ping where the system decides: names through the namespace's own resolver configuration (compared with
# `getent ahosts` in the same namespace), IPv6 link-local with and without a zone, and the subnet broadcast with
# and without -b. Three namespaces on one bridge:
#
#   ntps-c-PID  vC  10.203.1.1/24            (the client: nettool and getent run here)
#        |
#   ntps-b-PID  br0 10.203.1.2/24 fe80::2    (bridge, dnsmasq on 10.203.1.2)
#        |
#   ntps-d-PID  vD  10.203.1.3/24            (a second host, for the broadcast)
#
# `ip netns exec` bind-mounts /etc/netns/<ns>/{resolv.conf,hosts,nsswitch.conf} over /etc: the client's resolver
# is ours (search office.lan, ndots:2, dnsmasq in ntps-b), never the machine's.
# Usage: ping_system.sh NETTOOL SOURCE_DIR. Needs root, ip, python3, dnsmasq, getent; exit 77 = skipped.
set -uo pipefail
NETTOOL=$1
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: needs root to create network namespaces"; exit 77; fi
for tool in ip python3 dnsmasq getent; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done

C=ntps-c-$$
B=ntps-b-$$
D=ntps-d-$$
WORK=$(mktemp -d)
cleanup() {
  [ -f "$WORK/dnsmasq.pid" ] && kill "$(cat "$WORK/dnsmasq.pid")" 2>/dev/null
  ip netns del "$C" 2>/dev/null; ip netns del "$B" 2>/dev/null; ip netns del "$D" 2>/dev/null
  rm -rf "/etc/netns/$C" "$WORK"
}
trap cleanup EXIT INT TERM

set -e
for ns in "$C" "$B" "$D"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip -n "$B" link add br0 type bridge
ip link add vC netns "$C" type veth peer name vBC netns "$B"
ip link add vD netns "$D" type veth peer name vBD netns "$B"
ip -n "$B" link set vBC master br0
ip -n "$B" link set vBD master br0
ip -n "$C" addr add 10.203.1.1/24 dev vC
# A non-link-local IPv6 address, so that getaddrinfo's AI_ADDRCONFIG (and getent's) returns IPv6 answers at all.
ip -n "$C" addr add fd00:203::1/64 dev vC nodad
ip -n "$B" addr add 10.203.1.2/24 dev br0
ip -n "$B" addr add fe80::2/64 dev br0 nodad
ip -n "$D" addr add 10.203.1.3/24 dev vD
for link in "$C vC" "$B vBC" "$B vBD" "$B br0" "$D vD"; do set -- $link; ip -n "$1" link set "$2" up; done

mkdir -p "/etc/netns/$C"
cat >"/etc/netns/$C/resolv.conf" <<CONF
search office.lan
options ndots:2 timeout:1 attempts:1
nameserver 10.203.1.2
CONF
printf '127.0.0.1 localhost\n10.203.1.3 printer.office.lan printer\n' >"/etc/netns/$C/hosts"
printf 'hosts: files dns\n' >"/etc/netns/$C/nsswitch.conf"
# office.lan is answered here (NXDOMAIN unless listed); anything else has no upstream, which dnsmasq answers with
# REFUSED.
ip netns exec "$B" dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
  --listen-address=10.203.1.2 --port=53 --local=/office.lan/ \
  --address=/router.office.lan/10.203.1.2 --address=/deep.name.office.lan/10.203.1.3 \
  --pid-file="$WORK/dnsmasq.pid" --user=root 2>"$WORK/dnsmasq.err"
for _ in $(seq 50); do [ -s "$WORK/dnsmasq.pid" ] && break; sleep 0.1; done
set +e

source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
from_c() { ip netns exec "$C" "$NETTOOL" ping "$@"; }
# getent ahosts NAME in the client namespace -> "canonical addr1 addr2 ..." (addresses once each, in order).
getent_view() {
  ip netns exec "$C" getent ahosts "$1" | awk 'NR==1 {canon=$3} !seen[$1]++ {addrs=addrs " " $1} END {print canon addrs}'
}
nettool_view() {
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join([d["canonical_name"]] + d["resolved"]))' "$WORK/out"
}

# --- names resolve as getent ahosts resolves them in the same namespace ---
for name in router printer deep.name router.office.lan; do
  expect 0 "ping $name (system resolver)" -- from_c "$name" -c 1 --json
  want=$(getent_view "$name")
  got=$(nettool_view)
  if [ -z "$want" ] || [ "$want" != "$got" ]; then fail "$name: getent ahosts says '$want', nettool '$got'"; else echo "ok: $name -> $got, as getent"; fi
done
expect 0 "ping router: the search list made router.office.lan" -- from_c router -c 1 --json
json_check "canonical name, resolver, candidates" \
  'd["canonical_name"]=="router.office.lan" and d["address"]=="10.203.1.2" and d["resolved_by"]=="system resolver" and d["search_tried"]==["router.office.lan","router"]'
expect 0 "human: which name finally answered" -- from_c router -c 1 --no-color
contains out "router → router.office.lan → 10.203.1.2 (system resolver)"
contains out "PING router.office.lan (10.203.1.2) 56(84) bytes of data."

# --- failures: NXDOMAIN is bad input (2); a server that refuses is "could not run" (3), with its reason ---
# Two dots reach ndots:2, so the name is tried as given first, then with the search domain: NXDOMAIN for both.
expect 2 "a name nobody knows (NXDOMAIN for every candidate)" -- from_c ghost.office.lan -c 1
contains err "no such host"
contains err "tried ghost.office.lan, ghost.office.lan.office.lan"
ip netns exec "$C" getent ahosts ghost.office.lan >/dev/null; [ $? -eq 2 ] || fail "getent ahosts should say not found (2)"
# "ghost": ghost.office.lan is NXDOMAIN, then "ghost" itself is REFUSED (no upstream). getent only says "not
# found"; the reason is the refusal, so it is "could not run", not "no such host".
expect 3 "the last candidate refused" -- from_c ghost -c 1
contains err "answered REFUSED for ghost"
expect 3 "a name the server refuses" -- from_c www.example.org -c 1
contains err "REFUSED"
contains err "www.example.org"
ip netns exec "$C" getent ahosts www.example.org >/dev/null && fail "getent ahosts www.example.org should fail too"
# A server that never answers: the message says how long the system resolver really waited.
cp "/etc/netns/$C/resolv.conf" "$WORK/resolv.conf.good"
printf 'search office.lan\noptions ndots:2 timeout:1 attempts:1\nnameserver 10.203.1.3\n' >"/etc/netns/$C/resolv.conf"
ip netns exec "$D" nft add table inet ntps 2>/dev/null && \
  ip netns exec "$D" nft add chain inet ntps in '{ type filter hook input priority 0; }' && \
  ip netns exec "$D" nft add rule inet ntps in udp dport 53 drop
expect 3 "no answer from the name server" -- from_c router -c 1
contains err "DNS timeout"
if ! grep -Eq "after [0-9]+\.[0-9] s" "$WORK/err"; then fail "the timeout message does not say what was waited"; cat "$WORK/err"; fi
ip netns exec "$D" nft delete table inet ntps 2>/dev/null
cp "$WORK/resolv.conf.good" "/etc/netns/$C/resolv.conf"

# --- IPv6 link-local: a zone or -I is needed, as with iputils ---
expect 0 "fe80::2%vC" -- from_c fe80::2%vC -c 2 -i 0.2 --json
json_check "zone used, replies from fe80::2" \
  'd["interface"]=="vC" and d["statistics"]["received"]==2 and all(p["from"]=="fe80::2" for p in d["probes"])'
expect 0 "fe80::2 -I vC" -- from_c fe80::2 -I vC -c 1 --json
json_check "-I gives the zone" 'd["interface"]=="vC" and d["statistics"]["received"]==1'
expect 2 "fe80::2 without a zone" -- from_c fe80::2 -c 1
contains err "link-local"
contains err "fe80::2%eth0"
[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "the link-local error is not one line"
expect 2 "an unknown zone" -- from_c fe80::2%nosuch0 -c 1
contains err "nosuch0"

# --- the subnet broadcast: refused without -b; with -b every answering host is counted ---
expect 2 "10.203.1.255 without -b" -- from_c 10.203.1.255 -c 1
contains err "broadcast address of 10.203.1.0/24 on vC"
contains err "-b"
# Linux ignores broadcast pings by default (net.ipv4.icmp_echo_ignore_broadcasts = 1): that setting on the hosts
# that should answer is the one real users change, so the two responders get it; the client keeps its default.
for ns in "$B" "$D"; do ip netns exec "$ns" sysctl -q -w net.ipv4.icmp_echo_ignore_broadcasts=0; done
expect 0 "10.203.1.255 -b" -- from_c -b 10.203.1.255 -c 2 -i 0.3 --json
json_check "two hosts answered, every one counted" \
  'd["broadcast"] and sorted(r["address"] for r in d["responders"])==["10.203.1.2","10.203.1.3"] and all(r["replies"]==2 for r in d["responders"]) and '"$codes"'==["ok","broadcast_replies"]'
expect 0 "human: broadcast" -- from_c --broadcast 10.203.1.255 -c 1 --no-color
contains out "(DUP!)"
contains out "[info] broadcast_replies: 2 hosts answered the broadcast to 10.203.1.255"
for ns in "$B" "$D"; do ip netns exec "$ns" sysctl -q -w net.ipv4.icmp_echo_ignore_broadcasts=1; done
expect 1 "-b when every host ignores broadcasts (the default)" -- from_c -b 10.203.1.255 -c 1 -W 0.5 --json
json_check "no_reply names icmp_echo_ignore_broadcasts" \
  "$codes"'==["no_reply"] and "icmp_echo_ignore_broadcasts" in d["diagnoses"][0]["advice"]'

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all ping system-resolver, link-local and broadcast checks passed"
