#!/usr/bin/env bash
# Compares nettool's entry hop with SpamAssassin's first untrusted relay (its Received parser, no trusted_networks)
# on every real chain in tests/fixtures/spf/received. Every difference must be listed, with its reason, in
# spamassassin-differences.tsv; a new or unexplained one fails. Usage: spamassassin_compare.sh NETTOOL SOURCE_DIR.
set -uo pipefail
NETTOOL=$1
SOURCE=$2
HERE=$SOURCE/tests/spf
DIR=$SOURCE/tests/fixtures/spf/received
if ! perl -MMail::SpamAssassin -e 1 2>/dev/null; then
  echo "SKIPPED: SpamAssassin (Debian package spamassassin) is not installed"; exit 77
fi
/usr/bin/python3 -c 'import dnslib' 2>/dev/null || { echo "SKIPPED: python3-dnslib is not installed"; exit 77; }
# A local DNS server with an empty zone: the header analysis comes first, the evaluation then ends at "none".
WORK=$(mktemp -d)
echo '{}' > "$WORK/empty.json"
/usr/bin/python3 "$HERE/zone_server.py" "$WORK/empty.json" --address 127.0.0.1 --port-file "$WORK/port" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
port=$(cat "$WORK/port")
expected=$(grep -v '^#' "$DIR/spamassassin-differences.tsv" | cut -f1-3 | sort)
actual=""
compared=0
for file in "$DIR"/*.eml; do
  name=$(basename "$file")
  sa=$(perl "$HERE/spamassassin_relays.pl" "$file" 2>/dev/null | cut -f2)
  ours=$("$NETTOOL" spf --headers "$file" --json --dns-server "127.0.0.1:$port" --timeout 500 --tries 1 2>/dev/null |
    python3 -c 'import json,sys; h=json.load(sys.stdin)["headers"]; print(h["received"][h["entry_hop"]]["ip"])')
  if [ -z "$sa" ] || [ -z "$ours" ]; then echo "FAIL: $name: no answer (nettool '$ours', SpamAssassin '$sa')"; exit 1; fi
  compared=$((compared + 1))
  [ "$sa" = "$ours" ] || actual+="$name"$'\t'"$ours"$'\t'"$sa"$'\n'
done
actual=$(printf '%s' "$actual" | sort)
echo "compared $compared chains with SpamAssassin; differences:"
printf '%s\n' "$actual"
if [ "$actual" != "$expected" ]; then
  echo "FAIL: the differences are not the documented ones in spamassassin-differences.tsv:"
  diff <(printf '%s\n' "$expected") <(printf '%s\n' "$actual")
  exit 1
fi
[ "$compared" -ge 20 ] || { echo "FAIL: only $compared chains compared"; exit 1; }
echo "ok: every difference is documented"
