#!/bin/bash
# Encrypted P2P that nDPI and Wireshark do not see: private BitTorrent swarms of real libtorrent peers
# (python3-libtorrent; encryption forced to RC4, no DHT/LSD/UPnP/tracker, peers introduced out of band) in network
# namespaces joined by a bridge, captured on the bridge. Every peer must come out p2p or suspect with protocol
# BitTorrent, evidence "encrypted (MSE/PE)"; TLS (curl against a local HTTPS server) must stay clean.
# Swarms: TCP with 2, 3 and 5 peers, uTP with 3 peers. Usage: p2p_encrypted.sh NETTOOL SOURCE_DIR.
set -u
nettool=$1
src=$2
here=$src/tests/p2p
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: needs root (network namespaces)"; exit 77; fi
if ! /usr/bin/python3 -c "import libtorrent" 2>/dev/null; then echo "SKIPPED: python3-libtorrent is not installed"; exit 77; fi
for tool in ip tcpdump openssl curl; do command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }; done
work=$(mktemp -d)
id=$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    # Swarms run in subshells: find their namespaces by this run's id.
    for ns in $(ip netns list | awk -v id="$id" '$1 ~ "^ntenc-" && $1 ~ ("[-h]" id "$") {print $1}'); do ip netns del "$ns" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
# Swarms run two at a time in background subshells: a failure is a file, counted at the end.
fail() { echo "FAIL: $*"; echo "$*" >> "$work/failures"; }

head -c 300000 /dev/urandom > "$work/data.bin"
/usr/bin/python3 "$here/encrypted_swarm.py" make "$work/data.bin" "$work/t.torrent" || { echo "FAIL: torrent"; exit 1; }

# network N: a hub namespace with a bridge and N member namespaces 10.207.0.1..N; prints the hub's name.
network() {
    local n=$1 tag=$2
    local hub=ntenc-$tag-h$id
    ip netns add "$hub"
    ip -n "$hub" link add br0 type bridge && ip -n "$hub" link set br0 up && ip -n "$hub" link set lo up
    for i in $(seq 1 "$n"); do
        local ns=ntenc-$tag-$i-$id
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        ip -n "$ns" link add e0 type veth peer name p$i netns "$hub"
        ip -n "$hub" link set p$i master br0 && ip -n "$hub" link set p$i up
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.e0.disable_ipv6=1
        ip -n "$ns" addr add 10.207.0.$i/24 dev e0 && ip -n "$ns" link set e0 up
    done
}

judge() {  # judge PCAP N LABEL: every member p2p/suspect BitTorrent with the MSE evidence
    "$nettool" p2p -r "$1" --json > "$work/$3.json"
    [ -n "${KEEP_CAPTURES:-}" ] && cp "$1" "$KEEP_CAPTURES/"
    /usr/bin/python3 - "$work/$3.json" "$2" "$3" <<'PY' || fail "$3: not every peer found"
import json, sys
doc = json.load(open(sys.argv[1]))
n, label = int(sys.argv[2]), sys.argv[3]
hosts = {h["address"]: h for h in doc["hosts"]}
ok = True
for i in range(1, n + 1):
    h = hosts.get(f"10.207.0.{i}")
    if not h or h["verdict"] not in ("p2p", "suspect") or "BitTorrent" not in h.get("protocols", []):
        print(f"  {label}: 10.207.0.{i} is {h and h['verdict']}", file=sys.stderr)
        ok = False
text = json.dumps(doc)
if label.startswith("tcp") and "encrypted (MSE/PE)" not in text:
    print(f"  {label}: no MSE/PE evidence", file=sys.stderr)
    ok = False
print(f"ok: {label}: " + ", ".join(f"10.207.0.{i} {hosts[f'10.207.0.{i}']['verdict']}" for i in range(1, n + 1) if f"10.207.0.{i}" in hosts))
sys.exit(0 if ok else 1)
PY
}

swarm() {  # swarm N TRANSPORT [ATTEMPT]: a download that never started is tried once more (attempt 2)
    local n=$1 transport=$2 attempt=${3:-1}
    local tag=$transport$n
    [ "$attempt" -gt 1 ] && tag=$tag-try$attempt
    network "$n" "$tag"
    local hub=ntenc-$tag-h$id
    local pcap=$work/$tag.pcap
    ip netns exec "$hub" tcpdump --immediate-mode -i br0 -U -q -w "$pcap" 2>/dev/null &
    local dump=$!
    sleep 0.5
    local peer_pids=() i
    for i in $(seq 1 "$n"); do
        local save=$work/$tag-$i role=leech
        mkdir -p "$save"
        if [ "$i" = 1 ]; then cp "$work/data.bin" "$save/"; role=seed; fi
        local earlier=()
        for j in $(seq 1 $((i - 1))); do earlier+=("10.207.0.$j"); done
        SWARM_GO=$work/$tag.go ip netns exec "ntenc-$tag-$i-$id" /usr/bin/python3 "$here/encrypted_swarm.py" peer "$role" "10.207.0.$i" \
            "$work/t.torrent" "$save" "$transport" 6 "${earlier[@]}" > "$work/$tag-$i.log" 2>&1 &
        peer_pids+=($!)
    done
    for i in $(seq 1 "$n"); do
        for _ in $(seq 1 100); do ip netns exec "ntenc-$tag-$i-$id" ss -lntu | grep -q ':6881 ' && break; sleep 0.1; done
    done
    touch "$work/$tag.go"
    local unfinished=0
    for p in "${peer_pids[@]}"; do wait "$p" || unfinished=1; done
    if [ "$unfinished" = 1 ]; then
        kill "$dump" 2>/dev/null; wait "$dump" 2>/dev/null
        # libtorrent now and then never completes a first connection in a small swarm: one more try, then fail.
        if [ "$attempt" = 1 ]; then swarm "$n" "$transport" 2; return; fi
        fail "$tag: a peer did not finish the download ($(cat "$work/$tag"-*.log | tr '\n' ' '))"
    fi
    sleep 0.3
    kill "$dump"; wait "$dump" 2>/dev/null
    judge "$pcap" "$n" "$tag"
}

swarm 2 tcp &
swarm 3 tcp &
wait
swarm 5 tcp &
swarm 3 utp &
wait

# Negative: TLS to a local HTTPS server (high-entropy records after structured hellos) stays clean.
network 2 tls
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 -subj /CN=t >/dev/null 2>&1
ip netns exec ntenc-tls-2-$id tcpdump --immediate-mode -i e0 -U -q -w "$work/tls.pcap" 2>/dev/null &
dump=$!
ip netns exec ntenc-tls-1-$id openssl s_server -accept 10.207.0.1:8443 -cert "$work/cert.pem" -key "$work/key.pem" -www -quiet > /dev/null 2>&1 &
pids+=($!)
sleep 1
for _ in $(seq 1 10); do ip netns exec ntenc-tls-2-$id curl -sk https://10.207.0.1:8443/ > /dev/null || echo "curl failed: $?"; done
sleep 0.3
kill "$dump"; wait "$dump" 2>/dev/null
[ -n "${KEEP_CAPTURES:-}" ] && cp "$work/tls.pcap" "$KEEP_CAPTURES/"
"$nettool" p2p -r "$work/tls.pcap" --json > "$work/tls.json"
/usr/bin/python3 - "$work/tls.json" <<'PY' || fail "TLS became p2p or suspect"
import json, sys
doc = json.load(open(sys.argv[1]))
bad = [(h["address"], h["verdict"]) for h in doc["hosts"] if h["verdict"] != "clean"]
flows = doc["summary"]["flows"]
assert not bad, bad
assert flows >= 10, f"only {flows} flows captured"
print(f"ok: TLS ({flows} flows): every host clean")
PY
[ ! -s "$work/failures" ] || exit 1
