#!/usr/bin/env bash
# demo: SPF - the carrier rejects mail because the domain's SPF record does not list the relay
# The seed's second post: from 2007-11-01 a mobile carrier rejected mail whose SPF check failed. nin29.com's mail
# leaves through the provider's relay (mxdigger3.asahi-net.or.jp), which its record did not list. A local DNS
# server (loopback, free port) serves the records; nettool lints the record, evaluates the relay's address, reads a
# delivered message's Received: chain, suggests the fix, and checks the fixed record.
set -u
: "${NETTOOL:?set NETTOOL to the nettool binary}"
: "${NETTOOL_SOURCE_DIR:?set NETTOOL_SOURCE_DIR to the repository}"
py=/usr/bin/python3; [ -x "$py" ] || py=python3
"$py" -c 'import dnslib' 2>/dev/null || { echo "demo needs python3-dnslib (scripts/install-deps)"; exit 0; }
work=$(mktemp -d)
server_pid=
stop_server() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null; server_pid=; }
trap 'stop_server; rm -rf "$work"' EXIT

start_server() {  # ZONE_JSON
  rm -f "$work/port"
  "$py" "$NETTOOL_SOURCE_DIR/tests/spf/zone_server.py" "$1" --port-file "$work/port" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  server=127.0.0.1:$(cat "$work/port")
}
run() { echo; echo "\$ nettool $*"; "$NETTOOL" "$@" --dns-server "$server"; echo "(exit status $?)"; }

# Before: the record lists only the office's own server, not the provider's relay.
cat > "$work/before.json" <<'EOF'
{"nin29.com": [{"TXT": "v=spf1 a:mail.nin29.com -all"}, {"MX": [10, "mail.nin29.com"]}],
 "mail.nin29.com": [{"A": "219.117.200.10"}],
 "asahi-net.or.jp": [{"TXT": "v=spf1 include:spf-01.asahi-net.or.jp ?all"}],
 "spf-01.asahi-net.or.jp": [{"TXT": "v=spf1 ip4:202.224.32.0/20 -all"}]}
EOF
# After: the record the post ends with.
cat > "$work/after.json" <<'EOF'
{"nin29.com": [{"TXT": "v=spf1 +ip4:202.224.39.0/24 ~all"}, {"MX": [10, "mail.nin29.com"]}],
 "mail.nin29.com": [{"A": "219.117.200.10"}],
 "asahi-net.or.jp": [{"TXT": "v=spf1 include:spf-01.asahi-net.or.jp ?all"}],
 "spf-01.asahi-net.or.jp": [{"TXT": "v=spf1 ip4:202.224.32.0/20 -all"}]}
EOF

start_server "$work/before.json"
echo "== 1. Does the domain publish SPF, and is the record sound? (nslookup -type=TXT, and more)"
run spf nin29.com
echo
echo "== 2. The relay that really sends the mail, as the carrier's gateway checks it"
run spf --ip 202.224.39.46 --sender xxx@nin29.com --helo mxdigger3.asahi-net.or.jp
echo
echo "== 3. The same, found from a delivered message's Received: lines"
run spf --headers "$NETTOOL_SOURCE_DIR/tests/fixtures/spf/postfix.eml"
echo
echo "== 4. What record would let the relay pass?"
run spf --headers "$NETTOOL_SOURCE_DIR/tests/fixtures/spf/postfix.eml" --suggest
echo
echo "== 5. The provider's own record (the include: form from the post)"
run spf asahi-net.or.jp
stop_server

start_server "$work/after.json"
echo
echo "== 6. After publishing \"v=spf1 +ip4:202.224.39.0/24 ~all\": the relay passes, instead of mailing a phone"
run spf --ip 202.224.39.46 --sender xxx@nin29.com --helo mxdigger3.asahi-net.or.jp
