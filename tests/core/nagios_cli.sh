#!/usr/bin/env bash
# --nagios on every subcommand that has it, in a healthy and a failing case: the first line
# "SERVICE STATE - code: summary | perfdata", the exit status 0/1/2/3 of the plugin API, and UNKNOWN for bad usage.
# Network cases run in a namespace this test creates (dnsmasq on its loopback); nothing leaves it.
# Usage: nagios_cli.sh NETTOOL SOURCE_DIR; exit 77 = skipped.
set -uo pipefail
NETTOOL=$1
SRC=$2
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: needs root to create a network namespace"; exit 77; fi
for tool in ip nft dnsmasq; do command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }; done
NS=ntnagios-$$
WORK=$(mktemp -d)
dnsmasq_pid=
cleanup() {
  [ -n "$dnsmasq_pid" ] && kill "$dnsmasq_pid" 2>/dev/null
  ip netns del "$NS" 2>/dev/null
  rm -rf "/etc/netns/$NS" "$WORK"
}
trap cleanup EXIT
failures=0
# check WANT_STATUS FIRST_LINE_REGEX COMMAND...
check() {
  local want=$1 pattern=$2
  shift 2
  "$@" > "$WORK/out" 2> "$WORK/err"
  local rc=$?
  local first
  first=$(head -n 1 "$WORK/out")
  if [ "$rc" -ne "$want" ] || ! [[ "$first" =~ $pattern ]]; then
    echo "FAIL: $*"
    echo "  want exit $want and first line matching: $pattern"
    echo "  got exit $rc: $first"
    sed 's/^/  stderr: /' "$WORK/err"
    failures=$((failures + 1))
  else
    echo "ok: exit $rc: $first"
  fi
}
in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS" && ip -n "$NS" link set lo up || { echo "FAIL: namespace"; exit 1; }
ip -n "$NS" addr add 127.0.0.53/8 dev lo 2>/dev/null
mkdir -p "/etc/netns/$NS" && echo "nameserver 127.0.0.53" > "/etc/netns/$NS/resolv.conf"
in_ns dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces --listen-address=127.0.0.53 \
  --keep-in-foreground --host-record=host.test,127.0.0.1 --local=/test/ \
  --txt-record=spf.test,"v=spf1 ip4:192.0.2.0/24 -all" > "$WORK/dnsmasq.log" 2>&1 &
dnsmasq_pid=$!
for _ in $(seq 1 50); do in_ns ss -lun | grep -q '127.0.0.53:53' && break; sleep 0.1; done


check 0 "^PING OK - ok: .*\| rta=.*pl=0%" in_ns "$NETTOOL" ping 127.0.0.1 -c 2 -i 0.2 --nagios
in_ns nft add table inet blackhole && in_ns nft add chain inet blackhole input '{ type filter hook input priority 0; }' &&
  in_ns nft add rule inet blackhole input ip daddr 127.0.0.9 icmp type echo-request drop
check 2 "^PING CRITICAL - no_reply: .*pl=100%" in_ns "$NETTOOL" ping 127.0.0.9 -c 2 -i 0.2 -W 0.3 --nagios
check 3 "^PING UNKNOWN - " "$NETTOOL" ping --nagios
check 3 "^PING UNKNOWN - .*excludes" "$NETTOOL" ping 127.0.0.1 --json --nagios

check 0 "^DNSCHECK OK - ok: .*udp_answered=5;;;0;5" \
  in_ns "$NETTOOL" dnscheck host.test --server 127.0.0.53 --reach 127.0.0.1 --large-name host.test --nagios
check 2 "^DNSCHECK CRITICAL - port_closed: .*udp_answered=0;;;0;5" \
  in_ns "$NETTOOL" dnscheck host.test --server 127.0.0.1:9 --reach 127.0.0.1 --nagios

check 0 "^SPF OK - .*\| .*lookups" in_ns "$NETTOOL" spf spf.test --ip 192.0.2.7 --dns-server 127.0.0.53 --nagios
check 2 "^SPF CRITICAL - spf_fail: .*lookups" in_ns "$NETTOOL" spf spf.test --ip 198.51.100.7 --dns-server 127.0.0.53 --nagios

fixtures=$SRC/tests/fixtures
check 0 "^IKE-LOG OK - .*tunnels_up=1" "$NETTOOL" ike-log "$fixtures/ikelog/strongswan/ikev2-ok.log" --nagios
check 2 "^IKE-LOG CRITICAL - no_proposal_chosen: .*tunnels_down=1" \
  "$NETTOOL" ike-log "$fixtures/ikelog/etx-vrt/factory-fail.log" --nagios

check 0 "^LINK OK - ok: .*lo_rx_errors=0c" "$NETTOOL" link lo --watch 0.3 --nagios
check 2 "^LINK CRITICAL - .*rx_crc_errors=[1-9]" \
  "$NETTOOL" link --sysfs-root "$fixtures/link/downshift-crc" --nagios

# doctor in the namespace: the link replayed from the CRC recording is the root cause of whatever else fails.
check 2 "^DOCTOR CRITICAL - .*" in_ns "$NETTOOL" doctor --sysfs-root "$fixtures/link/downshift-crc" lo \
  --resolv-conf "/etc/netns/$NS/resolv.conf" --nagios

[ "$failures" -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
