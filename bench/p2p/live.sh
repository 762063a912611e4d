#!/bin/bash
# Live capture under load: a veth pair between two network namespaces made here; tcpreplay sends a large corpus
# replica from one end at fixed rates while one capturing tool at a time listens on the other end. For each tool
# and rate: packets the sender sent, packets the tool captured, and the drops the tool reports, plus the tool's
# CPU time per captured packet. Tools: nettool p2p, tshark (dumpcap underneath), ndpiReader.
#
# Usage: bench/p2p/live.sh NETTOOL [RATES] [PACKETS]
#   RATES    space-separated packets/s, "top" for tcpreplay's top speed (default "100000 300000 600000 top")
#   PACKETS  packets per replay (default 1000000), taken from the shared P2P corpus replicated one day apart
# Needs root, tcpreplay, tshark, ndpiReader, editcap, mergecap, /usr/bin/time. Prints one line per tool and rate
# (TOOLS="nettool tshark" limits the tools). CPU is user+system time of the whole tool process over the run.
set -euo pipefail
nettool="$(readlink -f "$1")"
rates="${2:-100000 300000 600000 top}"
packets="${3:-1000000}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
corpus="$repo/../shared/corpus/p2p/pcap"
[ "$(id -u)" -eq 0 ] || { echo "live.sh needs root (network namespaces)"; exit 3; }
for tool in tcpreplay tshark ndpiReader editcap mergecap capinfos; do
    command -v "$tool" >/dev/null || { echo "missing $tool"; exit 3; }
done
work=$(mktemp -d /tmp/nettool-live.XXXXXX)
A=ntlive-a-$$
B=ntlive-b-$$
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# The input: every Ethernet capture of the corpus (or the seed fixture), copies one day apart until PACKETS.
mkdir -p "$work/base"
if [ -d "$corpus" ]; then
    for f in "$corpus"/*; do
        [ "$(capinfos -T -E "$f" 2>/dev/null | awk -F'\t' 'NR==2 {print $2}')" = "ether" ] || continue
        editcap -F pcap "$f" "$work/base/$(basename "$f").pcap"
    done
else
    cp "$repo/tests/fixtures/p2p/seed-gnutella.pcap" "$work/base/seed.pcap"
fi
mergecap -a -F pcap -w "$work/base.pcap" "$work/base"/*.pcap
base=$(capinfos -M -c "$work/base.pcap" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
copies=$(( (packets + base - 1) / base ))
parts=()
for ((i = 0; i < copies; i++)); do editcap -t $((i * 86400)) "$work/base.pcap" "$work/c$i.pcap"; parts+=("$work/c$i.pcap"); done
mergecap -a -F pcap -w "$work/all.pcap" "${parts[@]}"
rm -f "${parts[@]}"
editcap -r "$work/all.pcap" "$work/input.pcap" "1-$packets"
echo "input: $packets packets ($copies copies of the $base-packet corpus), $(stat -c %s "$work/input.pcap") bytes"

ip netns add "$A"; ip netns add "$B"
ip -n "$A" link add vA type veth peer name vB netns "$B"
ip -n "$A" link set vA up; ip -n "$B" link set vB up
ip -n "$A" link set lo up; ip -n "$B" link set lo up


replay() {  # replay RATE: sends the input from A; prints the packets sent
    local speed=(--pps="$1")
    [ "$1" = top ] && speed=(--topspeed)
    ip netns exec "$A" tcpreplay -i vA "${speed[@]}" "$work/input.pcap" 2>&1 | awk '/Successful packets/ {print $3}'
}

run_tool() {  # run_tool NAME RATE
    local name=$1 rate=$2 pid out=$work/$1.out
    case $name in
        nettool) ip netns exec "$B" /usr/bin/time -o "$work/cpu" -f "%U %S" "$nettool" p2p vB --json > "$out" 2> "$work/err" & ;;
        tshark) ip netns exec "$B" /usr/bin/time -o "$work/cpu" -f "%U %S" tshark -i vB -q -w /dev/null > "$out" 2>&1 & ;;
        # ndpiReader prints its totals only when its -s window ends by itself: long enough for the replay.
        ndpiReader)
            local window=$(( packets / (${rate/top/300000}) + 5 ))
            ip netns exec "$B" /usr/bin/time -o "$work/cpu" -f "%U %S" ndpiReader -i vB -s "$window" > "$out" 2>&1 & ;;
    esac
    pid=$!
    sleep 2  # the tool is capturing
    local sent
    sent=$(replay "$rate")
    sleep 1
    # `ip netns exec` becomes /usr/bin/time, which waits for the tool: SIGINT goes to the tool itself.
    if [ "$name" != ndpiReader ]; then
        local tool_pid
        tool_pid=$(pgrep -P "$pid" | head -1)
        [ -n "$tool_pid" ] && kill -INT "$tool_pid" 2>/dev/null || true
    fi
    wait "$pid" || true
    local cpu
    cpu=$(tail -n 1 "$work/cpu" | awk '{ print $1 + $2 }')
    local captured dropped
    case $name in
        nettool)
            captured=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]["sources"][0]; print(s["packets"])' "$out")
            dropped=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]["sources"][0]; print(s.get("kernel_dropped",0))' "$out") ;;
        tshark)
            # dumpcap: "Packets captured: N" / "N packets captured", "Packets dropped: N" / "N packets dropped"
            captured=$(grep -oE '[0-9]+ packets captured' "$out" | awk '{print $1}' || true)
            dropped=$(grep -oiE '[0-9]+ packets? dropped|dropped[^0-9]*[0-9]+' "$out" | grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}' || true) ;;
        ndpiReader)  # "IP packets: N of M packets total"; ndpiReader 4.2 prints no kernel drop count
            captured=$(grep -oE 'of [0-9]+ packets total' "$out" | grep -oE '[0-9]+' | head -1 || true)
            dropped=$(( ${sent:-0} - ${captured:-0} )) ;;
    esac
    awk -v n="$name" -v r="$rate" -v s="${sent:-0}" -v c="${captured:-0}" -v d="${dropped:-0}" -v cpu="$cpu" 'BEGIN {
        printf "%-10s %7s pps  sent %8d  captured %8d (%6.2f%%)  dropped %7d  CPU %.2f us/packet\n",
               n, r, s, c, (s ? 100 * c / s : 0), d, (c ? 1e6 * cpu / c : 0) }'
}

for rate in $rates; do
    for tool in ${TOOLS:-nettool tshark ndpiReader}; do run_tool "$tool" "$rate"; done
done
