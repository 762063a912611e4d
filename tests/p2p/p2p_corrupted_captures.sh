#!/bin/bash
# Corrupted captures through `nettool p2p -r`: every fixture capture (pcap and pcapng) with bytes corrupted by
# editcap -E at several rates (fixed seeds, so a failure can be replayed), and the P2P seed capture cut at every
# 1 KiB (its pcapng form every 3 KiB). Each run must end with exit 0 or 1 (2 only with a one-line error) and one
# JSON document whose packet count does not exceed the intact file's; a cut file must give exactly the packets
# whose records lie wholly before the cut, and be reported truncated exactly when the cut falls inside a record.
# Never a crash, a hang (10 s each) or exit 3.
set -u
nettool="$1"
source_dir="$2"
for tool in editcap python3 timeout; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED: $tool is not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs nettool on FILE, recording "NAME<TAB>FILE<TAB>STATUS<TAB>EXPECTED_MAX_PACKETS<TAB>CUT" for the checker.
runs=0
run() {  # NAME FILE MAX_PACKETS [INTACT_FILE CUT_AT]
    local out="$work/out-$runs"
    timeout -s KILL 10 "$nettool" p2p -r "$2" --json >"$out.json" 2>"$out.err"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$out" "$?" "$3" "${4:-}" "${5:-0}" >>"$work/runs.tsv"
    runs=$((runs + 1))
}
packets_in() { "$nettool" p2p -r "$1" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["packets"])'; }

captures=("$source_dir"/tests/fixtures/capture/*.pcap "$source_dir"/tests/fixtures/capture/*.pcapng
          "$source_dir/tests/fixtures/p2p/seed-gnutella.pcap")
for capture in "${captures[@]}"; do
    name=$(basename "$capture")
    intact=$(packets_in "$capture") || intact=1000000  # truncated-record.pcap is cut on purpose: exit 1, still JSON
    for rate in 0.001 0.01 0.1 0.5; do
        for seed in 1 2; do
            editcap -E "$rate" --seed "$seed" "$capture" "$work/c.${name##*.}" >/dev/null 2>&1 ||
                { echo "FAIL: editcap -E $rate --seed $seed $name"; exit 1; }
            cp "$work/c.${name##*.}" "$work/$name-E$rate-s$seed"
            run "$name editcap -E $rate --seed $seed" "$work/$name-E$rate-s$seed" "$intact"
        done
    done
done

seed_capture="$source_dir/tests/fixtures/p2p/seed-gnutella.pcap"
editcap -F pcapng "$seed_capture" "$work/seed.pcapng"
# The pcap at every 1 KiB; the pcapng (same packets) every 3 KiB, which keeps the test short.
for capture in "$seed_capture" "$work/seed.pcapng"; do
    intact=$(packets_in "$capture")
    size=$(stat -c %s "$capture")
    step=1024
    [[ $capture == *.pcapng ]] && step=3072
    for ((cut = step; cut < size; cut += step)); do
        head -c "$cut" "$capture" >"$work/cut"
        run "$(basename "$capture") cut at $cut bytes" "$work/cut" "$intact" "$capture" "$cut"
    done
done

python3 - "$work/runs.tsv" <<'PY'
import json, struct, sys

def record_ends(path):
    """(end offsets of the packet records, end offsets of every header/record/block) of an intact little-endian
    pcap or pcapng file."""
    data = open(path, "rb").read()
    packets, boundaries = [], []
    if data[:4] == bytes.fromhex("d4c3b2a1"):
        offset = 24
        boundaries.append(offset)
        while offset + 16 <= len(data):
            offset += 16 + struct.unpack_from("<I", data, offset + 8)[0]
            packets.append(offset)
            boundaries.append(offset)
    else:
        offset = 0
        while offset + 8 <= len(data):
            block_type, length = struct.unpack_from("<II", data, offset)
            offset += length
            boundaries.append(offset)
            if block_type in (2, 3, 6):
                packets.append(offset)
    return packets, set(boundaries)

layouts = {}
failures = 0
lines = open(sys.argv[1]).read().splitlines()
for line in lines:
    name, out, status, most, intact, cut = line.split("\t")
    status, most, cut = int(status), int(most), int(cut)
    err = open(out + ".err", errors="replace").read()
    problem = None
    if status == 2:
        # Only a file whose header is gone may be refused, with one line saying so.
        if len(err.strip().splitlines()) != 1:
            problem = f"exit 2 without a one-line error: {err[:300]!r}"
    elif status not in (0, 1):
        problem = f"exit {status}: {err[:300]!r}"
    else:
        try:
            doc = json.load(open(out + ".json"))
            packets = doc["summary"]["packets"]
            truncated = any(source.get("truncated") for source in doc["summary"]["sources"])
            if packets > most:
                problem = f"{packets} packets, more than the intact file's {most}"
            elif cut:
                if intact not in layouts:
                    layouts[intact] = record_ends(intact)
                packet_ends, boundaries = layouts[intact]
                whole = sum(1 for end in packet_ends if end <= cut)
                inside = cut not in boundaries
                if packets != whole:
                    problem = f"{packets} packets, but {whole} records lie wholly before the cut"
                elif truncated != inside:
                    problem = f"truncated={truncated}, but the cut is {'inside' if inside else 'between'} records"
        except (ValueError, KeyError) as error:
            problem = f"no usable JSON document ({error})"
    if problem:
        failures += 1
        print(f"FAIL {name}: {problem}")
print(f"{len(lines) - failures}/{len(lines)} corrupted-capture runs ended cleanly")
sys.exit(1 if failures else 0)
PY
