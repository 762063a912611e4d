#!/bin/bash
# nettool p2p input handling: counts and caps that make no sense are usage errors (exit 2, one line); --duration
# with -r is refused (a usage error naming the option); gzip-compressed captures read like plain ones (file and stdin), a cut gzip stream is a
# counted truncation; several -r files from different years give each file's span and their sum as the capture
# time, not the distance between the earliest and the latest packet. Usage: p2p_input.sh NETTOOL SOURCE_DIR.
set -u
nettool=$1
src=$2
command -v python3 >/dev/null || { echo "SKIPPED: python3 is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixture=$src/tests/fixtures/p2p/seed-gnutella.pcap
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

for args in "-c 0" "-c -1" "--max-flows 0" "--max-flows -1" "--duration 5" "-B 1" "-w $work/x.pcapng"; do
    # shellcheck disable=SC2086
    "$nettool" p2p -r "$fixture" $args > "$work/out" 2> "$work/err"
    rc=$?
    if [ "$rc" -ne 2 ] || ! head -n 1 "$work/err" | grep -q "usage error" || [ -s "$work/out" ]; then
        fail "p2p -r FILE $args: want exit 2 and a usage error, got $rc: $(cat "$work/err")"
    else
        echo "ok: $args -> $(head -n 1 "$work/err")"
    fi
done

summary() { python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["summary"]; print(s["packets"], s["duration"], [h["verdict"] for h in d["hosts"] if h["verdict"] != "clean"], [x["span_seconds"] for x in s["sources"]])'; }
plain=$("$nettool" p2p -r "$fixture" --json | summary)
gzip -c "$fixture" > "$work/seed.pcap.gz"
from_gz=$("$nettool" p2p -r "$work/seed.pcap.gz" --json | summary)
from_stdin=$("$nettool" p2p -r - --json < "$work/seed.pcap.gz" | summary)
[ "$plain" = "$from_gz" ] && [ "$plain" = "$from_stdin" ] || fail ".gz differs from the plain capture: '$plain' / '$from_gz' / '$from_stdin'"
echo "ok: .pcap.gz (file and stdin) reads like the plain capture: $from_gz"

head -c 3000 "$work/seed.pcap.gz" > "$work/cut.pcap.gz"
"$nettool" p2p -r "$work/cut.pcap.gz" --json > "$work/cut.json"
rc=$?
python3 - "$work/cut.json" <<'PY' || fail "cut gzip stream: not reported as a truncation (exit $rc)"
import json, sys
d = json.load(open(sys.argv[1]))
src = d["summary"]["sources"][0]
assert src["packets"] > 0 and "gzip" in src.get("error", ""), src
assert "capture_truncated" in [x["code"] for x in d["diagnoses"]]
PY
echo "ok: a cut gzip stream is read up to the cut and reported as capture_truncated"

editcap -t 31536000 "$fixture" "$work/next-year.pcap" 2>/dev/null || python3 - "$fixture" "$work/next-year.pcap" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
e = "<" if data[:4] == b"\xd4\xc3\xb2\xa1" else ">"
pos = 24
while pos + 16 <= len(data):
    sec, usec, incl, orig = struct.unpack(e + "IIII", data[pos:pos + 16])
    data[pos:pos + 4] = struct.pack(e + "I", sec + 31536000)
    pos += 16 + incl
open(sys.argv[2], "wb").write(data)
PY
two=$("$nettool" p2p -r "$work/next-year.pcap" -r "$fixture" --json | summary)
one_span=$(echo "$plain" | awk '{print $2}')
python3 - "$two" "$one_span" <<'PY' || fail "two files a year apart: capture time wrong: $two"
import ast, sys
fields = sys.argv[1].split(" ", 2)
duration = float(fields[1])
one = float(sys.argv[2])
assert abs(duration - 2 * one) < 0.01, (duration, one)
PY
echo "ok: two captures a year apart: capture time $(echo "$two" | awk '{print $2}') s (the sum of the files' spans)"
[ "$failures" -eq 0 ] || exit 1
