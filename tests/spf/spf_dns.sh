#!/usr/bin/env bash
# nettool spf against a real DNS server on loopback (tests/spf/zone_server.py, python3-dnslib): the seed's records,
# a TIMEOUT, a 10-lookup chain and the 11th, an include loop, CNAME chains, IPv6 (ip6: prefixes, %{i} nibbles),
# macro edge cases, hostile answers (huge TXT over TCP, thousands of RRs), header files, lint and --suggest.
# Usage: spf_dns.sh NETTOOL SOURCE_DIR
set -u
py=/usr/bin/python3; [ -x "$py" ] || py=python3
nettool=$1
src=$2
if ! "$py" -c 'import dnslib' 2>/dev/null; then
  echo "SKIPPED: python3-dnslib is not installed (scripts/install-deps installs it)"
  exit 77
fi
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

"$py" - "$work/zone.json" <<'EOF'
import json, sys
z = {}
def add(name, *entries): z.setdefault(name, []).extend(entries)
# The seed (../shared/seed, second post): the domain's record and the provider's include.
add('nin29.com', {'TXT': 'v=spf1 +ip4:202.224.39.0/24 ~all'}, {'MX': [10, 'mail.nin29.com']})
add('asahi-net.or.jp', {'TXT': 'v=spf1 include:spf-01.asahi-net.or.jp ?all'})
add('spf-01.asahi-net.or.jp', {'TXT': 'v=spf1 ip4:202.224.32.0/20 ip6:2001:c90::/32 -all'})
add('fc.lolipop.jp', {'A': '203.0.113.80'})
# TIMEOUT
add('slow.example', 'TIMEOUT')
add('inc-slow.example', {'TXT': 'v=spf1 include:slow.example -all'})
# 10 lookups exactly, and 11
chain = ' '.join('a:h%d.chain.example' % i for i in range(9))
for i in range(10): add('h%d.chain.example' % i, {'A': '10.9.9.%d' % i})
add('ok.chain.example', {'A': '192.0.2.10'})
add('ten.example', {'TXT': 'v=spf1 %s a:ok.chain.example -all' % chain})
add('eleven.example', {'TXT': 'v=spf1 %s a:h9.chain.example a:ok.chain.example -all' % chain})
# include loop
add('loop-a.example', {'TXT': 'v=spf1 include:loop-b.example -all'})
add('loop-b.example', {'TXT': 'v=spf1 include:loop-a.example -all'})
# CNAME chains: the record, and an a: target, behind two CNAMEs
add('alias.example', {'CNAME': 'alias2.example'})
add('alias2.example', {'CNAME': 'real.example'})
add('real.example', {'TXT': 'v=spf1 a:host-alias.example -all'})
add('host-alias.example', {'CNAME': 'host.example'})
add('host.example', {'A': '192.0.2.55'})
add('cname-loop.example', {'CNAME': 'cname-loop2.example'})
add('cname-loop2.example', {'CNAME': 'cname-loop.example'})
# IPv6
add('v6.example', {'TXT': 'v=spf1 ip6:2001:db8:100::/48 exists:%{ir}.%{v}.allow.v6.example -all'})
import ipaddress
add(ipaddress.ip_address('2001:db8:200::25').reverse_pointer.replace('.ip6.arpa', '') + '.ip6.allow.v6.example', {'A': '127.0.0.2'})
# macros
add('macro.example', {'TXT': 'v=spf1 exists:%{l1r-}.%{o}._u.macro.example -all exp=why.macro.example'})
add('alice.macro.example._u.macro.example', {'A': '127.0.0.2'})
add('why.macro.example', {'TXT': '%{s} may not send from %{c} (%{v}) via %{h}'})
# hostile: a huge record (TCP), thousands of RRs, thousands of addresses
huge = 'v=spf1 ' + ' '.join('ip4:10.%d.%d.0/24' % (i // 250, i % 250) for i in range(3000)) + ' ip4:192.0.2.99 -all'
add('huge.example', {'TXT': [huge[i:i + 255] for i in range(0, len(huge), 255)]})
for i in range(2000): add('many-rr.example', {'TXT': 'junk record %d' % i})
add('many-rr.example', {'TXT': 'v=spf1 ip4:192.0.2.98 -all'})
add('many-a.example', {'TXT': 'v=spf1 a:addrs.example -all'})
for i in range(3000): add('addrs.example', {'A': '10.%d.%d.1' % (i // 250, i % 250)})
add('addrs.example', {'A': '192.0.2.97'})
json.dump(z, open(sys.argv[1], 'w'))
EOF

"$py" "$src/tests/spf/zone_server.py" "$work/zone.json" --port-file "$work/port" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
if [ ! -s "$work/port" ]; then echo "FAIL: the zone server did not start"; exit 1; fi
server=127.0.0.1:$(cat "$work/port")
failures=0

# check NAME EXPECTED_RESULT EXPECTED_EXIT nettool-args...
check() {
  local name=$1 want=$2 want_exit=$3
  shift 3
  local out status got
  out=$("$nettool" spf --json --dns-server "$server" "$@" 2>"$work/stderr")
  status=$?
  # The top-level "result" key of the (indented) JSON document, without starting a Python per check.
  got=$(printf '%s\n' "$out" | sed -n 's/^  "result": "\([a-z]*\)",\{0,1\}$/\1/p')
  if [ "$got" != "$want" ] || [ "$status" != "$want_exit" ]; then
    echo "FAIL $name: expected $want (exit $want_exit), got '$got' (exit $status)"
    head -c 600 "$work/stderr"
    failures=$((failures + 1))
  else
    echo "ok   $name: $got"
  fi
  printf '%s' "$out" > "$work/last.json"
}
field() { "$py" -c "import json,sys; d=json.load(open('$work/last.json')); print($1)"; }

check seed-relay-listed pass 0 --ip 202.224.39.46 --sender xxx@nin29.com --helo mxdigger3.asahi-net.or.jp
check seed-relay-missing softfail 1 --ip 198.51.100.7 --sender xxx@nin29.com --helo relay.example
[ "$(field 'd["mechanism"]')" = "~all" ] || { echo "FAIL mechanism"; failures=$((failures + 1)); }
check seed-include pass 0 --ip 202.224.39.46 --sender user@asahi-net.or.jp --helo x.example
[ "$(field 'd["path"][1]["domain"]')" = "spf-01.asahi-net.or.jp" ] || { echo "FAIL include path"; failures=$((failures + 1)); }
check seed-include-ipv6 pass 0 --ip 2001:c90::25 --sender user@asahi-net.or.jp --helo x.example
check seed-no-record none 1 --ip 203.0.113.80 --sender user@fc.lolipop.jp --helo x.example
check null-sender-helo softfail 1 --ip 198.51.100.7 --sender '' --helo nin29.com

start=$(date +%s)
check timeout temperror 1 --ip 192.0.2.1 --sender a@slow.example --timeout 500 --tries 2
check include-timeout temperror 1 --ip 192.0.2.1 --sender a@inc-slow.example --timeout 500 --tries 1
elapsed=$(( $(date +%s) - start ))
if [ "$elapsed" -gt 6 ]; then echo "FAIL: timeouts took ${elapsed}s (bound: 2 x 0.5 s + 0.5 s)"; failures=$((failures + 1)); fi

check ten-lookups pass 0 --ip 192.0.2.10 --sender a@ten.example
[ "$(field 'd["lookups"]')" = "10" ] || { echo "FAIL lookup count"; failures=$((failures + 1)); }
check eleven-lookups permerror 1 --ip 192.0.2.10 --sender a@eleven.example
check include-loop permerror 1 --ip 192.0.2.10 --sender a@loop-a.example
check cname-chain pass 0 --ip 192.0.2.55 --sender a@alias.example
check cname-chain-fail fail 1 --ip 192.0.2.56 --sender a@alias.example
check cname-loop none 1 --ip 192.0.2.56 --sender a@cname-loop.example
check ipv6-prefix pass 0 --ip 2001:db8:100:ffff::1 --sender a@v6.example
check ipv6-nibbles pass 0 --ip 2001:db8:200::25 --sender a@v6.example
check ipv6-neither fail 1 --ip 2001:db8:200::26 --sender a@v6.example
check ipv4-mapped fail 1 --ip ::ffff:192.0.2.1 --sender a@v6.example
check macro-local-part pass 0 --ip 192.0.2.1 --sender alice-x@macro.example --helo h.example
check macro-exp fail 1 --ip 192.0.2.1 --sender bob@macro.example --helo h.example
[ "$(field 'd["explanation"]')" = "bob@macro.example may not send from 192.0.2.1 (in-addr) via h.example" ] ||
  { echo "FAIL exp: $(field 'd.get("explanation")')"; failures=$((failures + 1)); }

start=$(date +%s)
check huge-txt-over-tcp pass 0 --ip 192.0.2.99 --sender a@huge.example
check thousands-of-rrs pass 0 --ip 192.0.2.98 --sender a@many-rr.example
check thousands-of-addresses pass 0 --ip 192.0.2.97 --sender a@many-a.example
elapsed=$(( $(date +%s) - start ))
if [ "$elapsed" -gt 20 ]; then echo "FAIL: hostile answers took ${elapsed}s"; failures=$((failures + 1)); fi

# Headers: the Postfix fixture's entry hop is the Asahi-net relay; MAIL FROM from Return-Path.
check headers-postfix pass 0 --headers "$src/tests/fixtures/spf/postfix.eml"
[ "$(field 'd["ip"]')" = "202.224.39.46" ] || { echo "FAIL headers ip"; failures=$((failures + 1)); }
[ "$(field 'd["headers"]["received"][d["headers"]["entry_hop"]]["line"]')" = "7" ] ||
  { echo "FAIL headers line"; failures=$((failures + 1)); }

# Lint: exit statuses and findings.
"$nettool" spf --dns-server "$server" nin29.com >/dev/null; s=$?
[ $s = 0 ] || { echo "FAIL lint nin29.com exit $s"; failures=$((failures + 1)); }
"$nettool" spf --json --dns-server "$server" asahi-net.or.jp > "$work/last.json"; s=$?
[ $s = 1 ] && [ "$(field '[x["code"] for x in d["diagnoses"]]')" = "['spf_neutral_all']" ] ||
  { echo "FAIL lint asahi-net.or.jp exit $s"; failures=$((failures + 1)); }
"$nettool" spf --json --dns-server "$server" eleven.example > "$work/last.json"
[ "$(field 'd["lint"]["lookups"]')" = "11" ] || { echo "FAIL lint lookup count"; failures=$((failures + 1)); }
"$nettool" spf --json --dns-server "$server" loop-a.example > "$work/last.json"
field '[x["code"] for x in d["diagnoses"]]' | grep -q spf_include_loop || { echo "FAIL lint loop"; failures=$((failures + 1)); }

# Suggest: keeps the record, adds the observed relay, verifies.
"$nettool" spf --json --dns-server "$server" nin29.com --ip 198.51.100.7 --suggest > "$work/last.json"
[ "$(field 'd["suggestion"]["proposed"]')" = "v=spf1 +ip4:202.224.39.0/24 ip4:198.51.100.7 ~all" ] &&
  [ "$(field 'd["suggestion"]["verification"]["198.51.100.7"]')" = "pass" ] ||
  { echo "FAIL suggest: $(field 'd.get("suggestion")')"; failures=$((failures + 1)); }

# Usage errors exit 2 with one line.
"$nettool" spf --dns-server "$server" --ip 1.2.3 --sender a@b.example 2>"$work/stderr"; s=$?
[ $s = 2 ] && [ "$(wc -l < "$work/stderr")" = 1 ] || { echo "FAIL usage exit $s"; failures=$((failures + 1)); }
"$nettool" spf --dns-server "$server" --headers /nonexistent/file 2>/dev/null; s=$?
[ $s = 2 ] || { echo "FAIL missing file exit $s"; failures=$((failures + 1)); }

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all spf DNS checks passed"
