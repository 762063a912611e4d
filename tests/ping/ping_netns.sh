#!/usr/bin/env bash
# nettool ping against hosts in network namespaces this test creates, joined by veth pairs:
#
#   ntping-a-PID  vA 10.201.1.1/24 fd00:201:1::1/64
#        |
#   ntping-b-PID  vB 10.201.1.2/24 fd00:201:1::2/64   (router, DNS server)   vBC 10.201.2.1/24
#                                                                              |
#   ntping-c-PID                                                  vC 10.201.2.2/24
#
# Covered for real: replies over both socket kinds and IPv6; TTL exceeded at the router; "Destination Host
# Unreachable" from the router when nobody answers ARP; nft dropping echo (no_reply) and rejecting it
# (host-unreachable, admin-prohibited); duplicate replies (nft dup); the seed's first probe lost to a dropped ARP
# request on the kernel's default ARP timing (1, 3, 5 and 6 leading probes held; first_probe_lost with the late
# replies, first_probe_slow when all made the timeout; loss in the middle still packet_loss); names through a
# dnsmasq in ntping-b.
# Usage: ping_netns.sh NETTOOL SOURCE_DIR. Needs root, ip, nft, python3; exit 77 = skipped, with the reason.
set -uo pipefail
NETTOOL=$1
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: needs root to create network namespaces"; exit 77; fi
for tool in ip nft python3; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done

A=ntping-a-$$
B=ntping-b-$$
C=ntping-c-$$
WORK=$(mktemp -d)
cleanup() {
  [ -f "$WORK/dnsmasq.pid" ] && kill "$(cat "$WORK/dnsmasq.pid")" 2>/dev/null
  ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; ip netns del "$C" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

set -e
for ns in "$A" "$B" "$C"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add vA netns "$A" type veth peer name vB netns "$B"
ip link add vBC netns "$B" type veth peer name vC netns "$C"
ip -n "$A" addr add 10.201.1.1/24 dev vA
ip -n "$A" -6 addr add fd00:201:1::1/64 dev vA nodad
ip -n "$B" addr add 10.201.1.2/24 dev vB
ip -n "$B" -6 addr add fd00:201:1::2/64 dev vB nodad
ip -n "$B" addr add 10.201.2.1/24 dev vBC
ip -n "$C" addr add 10.201.2.2/24 dev vC
for link in "$A vA" "$B vB" "$B vBC" "$C vC"; do set -- $link; ip -n "$1" link set "$2" up; done
ip -n "$A" route add 10.201.2.0/24 via 10.201.1.2
ip -n "$C" route add default via 10.201.2.1
ip netns exec "$B" sysctl -q -w net.ipv4.ip_forward=1
# The cases send ICMP errors to the same peer back to back: the kernel's per-peer ICMP rate limit (1 s by
# default) would otherwise swallow some of them at random.
for ns in "$B" "$C"; do
  ip netns exec "$ns" sysctl -q -w net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
done
# Nobody behind the router answers ARP for 10.201.2.99: make the router give up after one 100 ms try (only on the
# router's far side; the first-probe cases below run on ntping-a's default ARP timing).
ip netns exec "$B" sysctl -q -w net.ipv4.neigh.vBC.mcast_solicit=1 net.ipv4.neigh.vBC.retrans_time_ms=100
set +e

source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
# A case that cannot run here: the others still run, and the test then ends as skipped (exit 77), not passed.
skipped_cases=()
skip_case() { echo "skip $*"; skipped_cases+=("$*"); }
from_a() { ip netns exec "$A" "$NETTOOL" ping "$@"; }

# --- a host on the other end of the veth, raw then datagram socket, IPv4 and IPv6 ---
expect 0 "ping 10.201.1.2 (raw)" -- from_a 10.201.1.2 -c 3 -i 0.2 --json
json_check "3 of 3, ttl 64, ok" \
  'd["socket"]=="raw" and d["statistics"]["received"]==3 and all(p["from"]=="10.201.1.2" and p["ttl"]==64 for p in d["probes"]) and '"$codes"'==["ok"]'
ip netns exec "$A" sysctl -q -w net.ipv4.ping_group_range="0 2147483647"
expect 0 "ping 10.201.1.2 (datagram)" -- from_a 10.201.1.2 -c 3 -i 0.2 --socket datagram --json
json_check "datagram 3 of 3" 'd["socket"]=="datagram" and d["statistics"]["received"]==3'
expect 0 "ping -6 fd00:201:1::2" -- from_a -6 fd00:201:1::2 -c 3 -i 0.2 --json
json_check "IPv6 3 of 3, hop limit 64" \
  'd["family"]=="ipv6" and d["statistics"]["received"]==3 and all(p["ttl"]==64 for p in d["probes"])'

# --- through the router: one hop less; with TTL 1 the router says time exceeded ---
expect 0 "ping 10.201.2.2 through the router" -- from_a 10.201.2.2 -c 2 -i 0.2 --json
json_check "ttl 63 after one router" 'all(p["ttl"]==63 for p in d["probes"])'
for socket in raw datagram; do
  expect 1 "TTL 1 to 10.201.2.2 ($socket)" -- from_a 10.201.2.2 -c 2 -i 0.2 -t 1 --socket "$socket" --json
  json_check "ttl_exceeded from the router ($socket)" \
    "$codes"'==["ttl_exceeded"] and all(p["status"]=="time_exceeded" and p["from"]=="10.201.1.2" and p["detail"]=="Time to live exceeded" for p in d["probes"])'
done

# --- nobody at 10.201.2.99: the router's ARP fails and it reports Destination Host Unreachable ---
for socket in raw datagram; do
  expect 1 "10.201.2.99 behind the router ($socket)" -- from_a 10.201.2.99 -c 2 -i 0.3 -W 2 --socket "$socket" --json
  json_check "host_unreachable from 10.201.1.2 ($socket)" \
    "$codes"'==["host_unreachable"] and d["probes"][0]["status"]=="unreachable" and d["probes"][0]["from"]=="10.201.1.2" and d["probes"][0]["icmp_type"]==3 and d["probes"][0]["icmp_code"]==1 and d["diagnoses"][0]["severity"]=="critical" and "ARP" in d["diagnoses"][0]["advice"]'
done
expect 1 "human lines for unreachable" -- from_a 10.201.2.99 -c 1 -W 2 --no-color
contains out "From 10.201.1.2 icmp_seq=1 Destination Host Unreachable"
contains out "1 packets transmitted, 0 received, +1 errors, 100% packet loss"
contains out "[critical] host_unreachable"

# --- a firewall on the host: silent drop, then reject ---
nft_b() { ip netns exec "$B" nft "$@"; }
nft_b add table inet ntping
nft_b add chain inet ntping in '{ type filter hook input priority 0; }'
nft_b add rule inet ntping in icmp type echo-request drop
expect 1 "echo dropped by nft" -- from_a 10.201.1.2 -c 3 -i 0.2 -W 0.3 --json
json_check "no_reply, 100% loss" \
  "$codes"'==["no_reply"] and d["statistics"]["transmitted"]==3 and d["statistics"]["received"]==0 and d["statistics"]["loss_percent"]==100 and all(p["status"]=="timeout" for p in d["probes"])'
expect 1 "human: no answer lines" -- from_a 10.201.1.2 -c 2 -i 0.2 -W 0.3 --no-color
contains out "no answer yet for icmp_seq=1"
contains out "2 packets transmitted, 0 received, 100% packet loss"

nft_b flush chain inet ntping in
nft_b add rule inet ntping in icmp type echo-request reject with icmp type host-unreachable
for socket in raw datagram; do
  expect 1 "echo rejected host-unreachable ($socket)" -- from_a 10.201.1.2 -c 2 -i 0.2 --socket "$socket" --json
  json_check "host_unreachable recognised ($socket)" \
    "$codes"'==["host_unreachable"] and d["statistics"]["errors"]==2 and d["probes"][1]["detail"]=="Destination Host Unreachable"'
done
nft_b flush chain inet ntping in
nft_b add rule inet ntping in icmp type echo-request reject with icmp type admin-prohibited
nft_b add rule inet ntping in icmpv6 type echo-request reject with icmpv6 type admin-prohibited
expect 1 "echo rejected admin-prohibited" -- from_a 10.201.1.2 -c 2 -i 0.2 --json
json_check "firewall named in the advice" \
  "$codes"'==["host_unreachable"] and d["probes"][0]["icmp_code"]==13 and "firewall" in d["diagnoses"][0]["advice"]'
expect 1 "IPv6 echo rejected admin-prohibited" -- from_a fd00:201:1::2 -c 1 --socket datagram --json
json_check "ICMPv6 admin prohibited" \
  'd["probes"][0]["status"]=="unreachable" and d["probes"][0]["icmp_type"]==1 and d["probes"][0]["icmp_code"]==1'
nft_b delete table inet ntping

# --- the local system refuses to send: the advice names the real reason ---
nft_a() { ip netns exec "$A" nft "$@"; }
nft_a add table inet ntpingout
nft_a add chain inet ntpingout out '{ type filter hook output priority 0; }'
nft_a add rule inet ntpingout out ip daddr 10.201.1.2 icmp type echo-request drop
expect 1 "an nft output rule drops the echo" -- from_a 10.201.1.2 -c 2 -i 0.2 --json
json_check "send_failed names that rule" \
  "$codes"'==["send_failed"] and "ip daddr 10.201.1.2 icmp type echo-request drop" in d["diagnoses"][0]["advice"] and any(e["source"]=="nft list ruleset" for e in d["diagnoses"][0]["evidence"]) and d["probes"][0]["status"]=="send_error"'
nft_a delete table inet ntpingout
expect 1 "no route (ntping-a has no default route)" -- from_a 10.99.0.1 -c 1 --json
json_check "send_failed says no route, not firewall" \
  "$codes"'==["send_failed"] and "no route to 10.99.0.1" in d["diagnoses"][0]["advice"] and "firewall" not in d["diagnoses"][0]["advice"]'
# -I: the socket is bound to the interface (SO_BINDTODEVICE); a wrong one is bad usage.
expect 0 "-I vA" -- from_a -I vA 10.201.1.2 -c 1 --json
json_check "-I recorded" 'd["interface"]=="vA" and d["statistics"]["received"]==1'
expect 2 "-I with an unknown interface" -- from_a -I nosuch0 10.201.1.2 -c 1

# --- every reply twice (nft dup on the host's output): duplicates counted, not received twice ---
nft_b add table ip ntpingdup
nft_b add chain ip ntpingdup out '{ type filter hook output priority 0; }'
if nft_b add rule ip ntpingdup out icmp type echo-reply dup to 10.201.1.1 device vB 2>"$WORK/err"; then
  expect 1 "duplicated replies" -- from_a 10.201.1.2 -c 3 -i 0.2 --json
  json_check "duplicate_replies, 3 received, 3 duplicates" \
    "$codes"'==["duplicate_replies"] and d["statistics"]["received"]==3 and d["statistics"]["duplicates"]==3 and d["statistics"]["loss_percent"]==0'
  expect 1 "human DUP! lines" -- from_a 10.201.1.2 -c 1 --no-color
  contains out "(DUP!)"
  contains out "+1 duplicates"
else
  skip_case "duplicates: nft dup is not available here ($(cat "$WORK/err"))"
fi
nft_b delete table ip ntpingdup

# --- the field case: the first ARP request is lost, so the first echoes wait for the ARP retry ---
# Kernel defaults throughout: ntping-a retries ARP after retrans_time_ms = 1000. ntping-b drops the first ARP
# request it sees (nft quota), so every echo sent in the first second waits in ntping-a's neighbour queue and all
# of them leave, and are answered, together once the retry is answered.
[ "$(ip netns exec "$A" cat /proc/sys/net/ipv4/neigh/vA/retrans_time_ms)" = 1000 ] ||
  fail "ntping-a does not have the default ARP retry of 1000 ms"
arm_arp_drop() {
  ip -n "$A" neigh flush dev vA
  ip -n "$B" neigh flush dev vB
  nft_b delete table arp ntping 2>/dev/null
  nft_b add table arp ntping
  nft_b add chain arp ntping in '{ type filter hook input priority 0; }'
  nft_b add rule arp ntping in arp operation request quota until 40 bytes drop
}
# held_case EXIT DESCRIPTION HELD TIMED_OUT ping-options...: the leading HELD probes (a python tuple of allowed
# counts: a probe sent in the very millisecond the ARP retry is answered may go either way) waited for ARP,
# TIMED_OUT of them past -W (late replies); never packet_loss.
held_case() {
  local want=$1 what=$2 held=$3 timed_out=$4; shift 4
  arm_arp_drop
  expect "$want" "$what" -- from_a 10.201.1.2 "$@" --json || return
  local code=first_probe_lost; [ "$timed_out" -eq 0 ] && code=first_probe_slow
  json_check "$what: $code, $held held, $timed_out late" \
    "'$code' in $codes and 'packet_loss' not in $codes and d['statistics']['late']==$timed_out and [p['status'] for p in d['probes']].count('timeout')==$timed_out and all(p['status']=='timeout' for p in d['probes'][:$timed_out]) and all(p['late_reply_ms'] is not None for p in d['probes'][:$timed_out]) and any(e['what']=='held probes' and e['source'] in ['icmp_seq 1' if h==1 else 'icmp_seq 1-%d' % h for h in $held] for x in d['diagnoses'] for e in x['evidence'])"
  json_check "$what: neighbour evidence" \
    'd["neighbour"]["retrans_time_ms"]==1000 and d["neighbour"]["interface"]=="vA" and d["neighbour"]["state_before"] in ("none","FAILED","STALE","INCOMPLETE") and d["neighbour"]["state_after"]=="REACHABLE" and any("1 retry" in e["observed"] for x in d["diagnoses"] for e in x["evidence"])'
}
held_case 0 "the seed: -c 10 -i 0.2 -W 0.5" "(5,6)" 3 -c 10 -i 0.2 -W 0.5
held_case 0 "one held probe: -c 3 -i 1.2 -W 0.5" "(1,)" 1 -c 3 -i 1.2 -W 0.5
held_case 0 "three held, all late: -c 6 -i 0.4 -W 0.15" "(3,)" 3 -c 6 -i 0.4 -W 0.15
held_case 0 "five held: -c 8 -i 0.22 -W 0.3" "(5,)" 4 -c 8 -i 0.22 -W 0.3
held_case 0 "patient timeout, four held and slow: -c 6 -i 0.3 -W 2" "(4,)" 0 -c 6 -i 0.3 -W 2
arm_arp_drop
expect 0 "human report of the field case" -- from_a 10.201.1.2 -c 4 -i 0.6 -W 0.3 --no-color
contains out "no answer yet for icmp_seq=1"
contains out "(LATE: after the timeout)"
contains out "4 packets transmitted, 2 received, +2 late, 50% packet loss"
contains out "[info] first_probe_lost: the first 2 probes waited for address resolution"
nft_b delete table arp ntping
# Real loss after the start is still loss: the router drops every echo after the first two.
nft_b add table inet ntpingloss
nft_b add chain inet ntpingloss in '{ type filter hook input priority 0; }'
nft_b add rule inet ntpingloss in icmp type echo-request icmp sequence '>' 2 icmp sequence '<' 5 drop
expect 1 "loss in the middle is packet_loss" -- from_a 10.201.1.2 -c 6 -i 0.2 -W 0.3 --json
json_check "packet_loss, not first_probe_*" "$codes"'==["packet_loss"]'
nft_b delete table inet ntpingloss

# --- names through a DNS server in ntping-b (never the machine's resolver) ---
if command -v dnsmasq >/dev/null; then
  ip netns exec "$B" dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address=10.201.1.2 --port=53 --local=/ntping.test/ \
    --address=/gw.ntping.test/10.201.1.2 --address=/gw.ntping.test/fd00:201:1::2 \
    --address=/v4only.ntping.test/10.201.1.2 --pid-file="$WORK/dnsmasq.pid" --user=root 2>"$WORK/dnsmasq.err"
  for _ in $(seq 50); do [ -s "$WORK/dnsmasq.pid" ] && break; sleep 0.1; done
  expect 0 "ping a name via --dns-server" -- from_a gw.ntping.test --dns-server 10.201.1.2 -c 2 -i 0.2 --json
  json_check "resolved to IPv4 first" \
    'd["host"]=="gw.ntping.test" and d["address"]=="10.201.1.2" and "fd00:201:1::2" in d["resolved"] and d["statistics"]["received"]==2'
  expect 0 "-6 with a name" -- from_a -6 gw.ntping.test --dns-server 10.201.1.2:53 -c 1 --json
  json_check "AAAA used" 'd["address"]=="fd00:201:1::2" and d["family"]=="ipv6"'
  expect 0 "human header names the host" -- from_a gw.ntping.test --dns-server 10.201.1.2 -c 1 --no-color
  contains out "PING gw.ntping.test (10.201.1.2) 56(84) bytes of data."
  expect 2 "NXDOMAIN is bad input" -- from_a nosuch.ntping.test --dns-server 10.201.1.2 -c 1
  contains err "nosuch.ntping.test"
  expect 2 "-6 for a name without AAAA" -- from_a -6 v4only.ntping.test --dns-server 10.201.1.2 -c 1
  expect 3 "a DNS server that is not there: cannot run" -- from_a gw.ntping.test --dns-server 10.201.1.2:5399 -c 1
else
  skip_case "name resolution: dnsmasq is not installed"
fi

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
if [ "${#skipped_cases[@]}" -ne 0 ]; then
  (IFS=";"; echo "SKIPPED: every check that ran passed, but not run: ${skipped_cases[*]}"); exit 77
fi
echo "all ping namespace checks passed"
