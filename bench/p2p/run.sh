#!/bin/bash
# Throughput and peak memory of `nettool p2p -r` against ndpiReader, tshark and a bare libpcap read loop, on the
# same large pcap built by replicating the P2P corpus (../shared/corpus/p2p; without it, the repository's seed
# fixture) with editcap (pcap conversion, time shifts) and mergecap (concatenation).
#
# Usage: bench/p2p/run.sh NETTOOL [COPIES] [WORKDIR]
#   NETTOOL  the nettool binary (a release build)
#   COPIES   how many time-shifted copies of the corpus make the big file (default 80: ~2.5 M packets, ~570 MB)
#   WORKDIR  where the inputs go (default /tmp/nettool-bench-p2p; removed at the end unless KEEP=1)
# Prints one line per tool (packets/s, peak RSS) for a quarter-size and the full-size file, then the ratios.
set -euo pipefail
nettool="$(readlink -f "$1")"
copies="${2:-80}"
work="${3:-/tmp/nettool-bench-p2p}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="$repo/../shared/corpus/p2p/pcap"

for tool in editcap mergecap capinfos ndpiReader tshark cc; do
    command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install wireshark-common tshark libndpi-bin gcc)"; exit 3; }
done
[ -x /usr/bin/time ] || { echo "missing /usr/bin/time (apt-get install time)"; exit 3; }
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

cc -O2 -o "$work/pcap_loop" "$here/pcap_loop.c" -lpcap

# 1. One base file: every corpus capture converted to classic pcap (Ethernet) and concatenated.
#    (With KEEP=1 a second run reuses the inputs already in WORKDIR.)
if [ ! -f "$work/full.pcap" ] || [ ! -f "$work/quarter.pcap" ] || [ ! -f "$work/base.pcap" ]; then
mkdir -p "$work/base"
if [ -d "$corpus" ]; then
    for f in "$corpus"/*; do editcap -F pcap "$f" "$work/base/$(basename "$f").pcap"; done
else
    echo "note: ../shared/corpus/p2p absent, replicating the seed fixture instead"
    cp "$repo/tests/fixtures/p2p/seed-gnutella.pcap" "$work/base/seed.pcap"
fi
mergecap -a -F pcap -w "$work/base.pcap" "$work/base"/*.pcap

# 2. Copies shifted one day apart (so flows of one copy expire before the next), concatenated in time order.
build() {
    local n="$1" out="$2"
    local parts=()
    for ((i = 0; i < n; i++)); do
        editcap -t $((i * 86400)) "$work/base.pcap" "$work/copy$i.pcap"
        parts+=("$work/copy$i.pcap")
    done
    mergecap -a -F pcap -w "$out" "${parts[@]}"
    rm -f "${parts[@]}"
}
quarter=$((copies / 4))
build "$quarter" "$work/quarter.pcap"
build "$copies" "$work/full.pcap"
fi
base_packets=$(capinfos -M -c "$work/base.pcap" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')

# 3. Measure: elapsed seconds and peak RSS (kB) from /usr/bin/time.
measure() {  # name file command...
    local name="$1" file="$2"
    shift 2
    sync
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || {
        local status=$?
        # nettool exits 1 when it finds P2P hosts: that is a result, not a failure.
        [ "$name" = nettool ] && [ $status -eq 1 ] || { echo "$name failed ($status): $(tail -3 "$work/err.txt")"; exit 1; }
    }
    # (time writes "Command exited with non-zero status 1" first when nettool reports P2P hosts)
    read -r seconds rss < <(tail -n 1 "$work/time.txt")
    echo "$name $file $seconds $rss"
}

results="$work/results.txt"
: >"$results"
for size in quarter full; do
    file="$work/$size.pcap"
    packets=$(capinfos -M -c "$file" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
    bytes=$(stat -c %s "$file")
    echo "== $size: $packets packets, $bytes bytes ($((packets / base_packets)) copies of $base_packets)"
    for tool in loop nettool ndpi tshark; do
        case $tool in
            loop) line=$(measure loop "$size" "$work/pcap_loop" "$file") ;;
            nettool) line=$(measure nettool "$size" "$nettool" p2p -r "$file" --json) ;;
            ndpi) line=$(measure ndpiReader "$size" ndpiReader -i "$file" -q -v 0) ;;
            tshark) line=$(measure tshark "$size" tshark -r "$file" -q -z conv,ip) ;;
        esac
        read -r name _ seconds rss <<<"$line"
        rate=$(awk -v p="$packets" -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? p / s : 0) }')
        printf '%-10s %-7s %10s packets %8.2f s %12s packets/s %9s kB peak RSS\n' "$name" "$size" "$packets" "$seconds" "$rate" "$rss"
        echo "$name $size $packets $seconds $rate $rss" >>"$results"
    done
done

echo
echo "== ratios (full size)"
awk '$2 == "full" { rate[$1] = $5; rss[$1] = $6 }
     $2 == "quarter" { qrss[$1] = $6 }
     END {
        printf "nettool / ndpiReader  throughput: %.2fx  (target >= 2x)\n", rate["nettool"] / rate["ndpiReader"];
        printf "nettool / tshark      throughput: %.2fx  (target >= 10x)\n", rate["nettool"] / rate["tshark"];
        printf "nettool / bare loop   throughput: %.0f%%  (target >= 50%%)\n", 100 * rate["nettool"] / rate["loop"];
        printf "nettool peak RSS quarter -> full: %d kB -> %d kB (%.2fx for 4x the file)\n", qrss["nettool"], rss["nettool"], rss["nettool"] / qrss["nettool"];
        printf "ndpiReader peak RSS quarter -> full: %d kB -> %d kB\n", qrss["ndpiReader"], rss["ndpiReader"];
        printf "tshark peak RSS quarter -> full: %d kB -> %d kB\n", qrss["tshark"], rss["tshark"];
     }' "$results"
