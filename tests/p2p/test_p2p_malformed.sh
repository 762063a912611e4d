#!/bin/bash
# Malformed input through the real binary: corrupted packets (editcap -E 0.05), snaplen-cut packets (editcap -s),
# odd link types (editcap -T), files cut mid-record, pcapng conversion. Each run must finish with exit 0 or 1 and
# one JSON document whose skipped/malformed counters account for the damage. Never a crash, never exit 3.
set -u
nettool="$1"
source_dir="$2"
fixture="$source_dir/tests/fixtures/p2p/seed-gnutella.pcap"
if ! command -v editcap >/dev/null 2>&1; then
    echo "SKIPPED: editcap (wireshark-common) is not installed"
    exit 77
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "SKIPPED: python3 is not installed (used to read the JSON)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# run NAME FILE PYTHON-CHECK: runs nettool p2p -r FILE --json, checks exit status and the JSON with an expression
# over `j` (the document).
run() {
    local name="$1" file="$2" check="$3"
    "$nettool" p2p -r "$file" --json >"$work/out.json" 2>"$work/err.txt"
    local status=$?
    if [ "$status" -ne 0 ] && [ "$status" -ne 1 ]; then
        echo "FAIL $name: exit $status: $(head -c 300 "$work/err.txt")"
        failures=$((failures + 1))
        return
    fi
    if ! python3 -c "import json,sys; j=json.load(open('$work/out.json')); sys.exit(0 if ($check) else 1)"; then
        echo "FAIL $name: check failed: $check"
        python3 -c "import json; j=json.load(open('$work/out.json')); print(json.dumps(j['summary'], indent=1)[:1500])"
        failures=$((failures + 1))
        return
    fi
    echo "ok   $name (exit $status)"
}

run "fixture as written" "$fixture" "j['hosts'][0]['verdict'] == 'p2p' and j['summary']['skipped']['total'] == 0"

for seed in 1 2 3 4 5; do
    editcap -E 0.05 --seed "$seed" "$fixture" "$work/corrupt$seed.pcap" >/dev/null 2>&1 ||
        editcap -E 0.05 "$fixture" "$work/corrupt$seed.pcap"
    run "editcap -E 0.05 (seed $seed)" "$work/corrupt$seed.pcap" \
        "j['summary']['packets'] == 986 and j['summary']['skipped']['total'] + j['summary']['ip_packets'] == 986 and j['summary']['skipped']['total'] > 0"
done

editcap -s 60 "$fixture" "$work/snap60.pcap"
run "snaplen 60 (payloads cut)" "$work/snap60.pcap" \
    "j['summary']['packets'] == 986 and j['summary']['bytes'] > 400000"
editcap -s 30 "$fixture" "$work/snap30.pcap"
run "snaplen 30 (IP headers cut)" "$work/snap30.pcap" \
    "j['summary']['skipped']['truncated'] == 986 and all(h['verdict'] == 'clean' for h in j['hosts'])"

editcap -T user0 "$fixture" "$work/user0.pcap"
run "link type user0" "$work/user0.pcap" "j['summary']['skipped']['unsupported_link'] == 986"

editcap -F pcapng "$fixture" "$work/seed.pcapng"
run "pcapng" "$work/seed.pcapng" "j['hosts'][0]['verdict'] == 'p2p' and j['summary']['packets'] == 986"

size=$(stat -c %s "$fixture")
head -c $((size / 2 + 7)) "$fixture" >"$work/half.pcap"
run "cut mid-record" "$work/half.pcap" \
    "j['summary']['sources'][0]['truncated'] and any(d['code'] == 'capture_truncated' for d in j['diagnoses'])"

head -c 100 /dev/urandom >"$work/random.bin"
"$nettool" p2p -r "$work/random.bin" --json >/dev/null 2>"$work/err.txt"
status=$?
if [ "$status" -ne 2 ]; then
    echo "FAIL random bytes: exit $status, expected 2"
    failures=$((failures + 1))
else
    echo "ok   random bytes are not a capture (exit 2: $(head -c 120 "$work/err.txt"))"
fi

# The corpus, corrupted, when ../shared is there.
corpus="$source_dir/../shared/corpus/p2p/pcap"
if [ -d "$corpus" ]; then
    for f in gnutella.pcap bittorrent.pcap teams.pcap lru_ipv6_caches.pcapng; do
        editcap -E 0.05 "$corpus/$f" "$work/c-$f" >/dev/null 2>&1
        run "corpus $f corrupted" "$work/c-$f" "j['summary']['packets'] > 0"
    done
else
    corpus_absent=1
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
if [ -n "${corpus_absent:-}" ]; then
    echo "SKIPPED: ../shared/corpus/p2p is absent: the corrupted corpus runs did not run (the others passed)"
    exit 77
fi
echo "all malformed-input runs passed"
