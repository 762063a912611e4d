#!/bin/bash
# Live capture that keeps every packet: tcpreplay sends a known capture across a veth pair between two network
# namespaces made here, at a moderate rate, while `nettool p2p vB -w FILE` captures on the far end as root.
# Asserts: nettool counted exactly the packets tcpreplay sent, with no kernel, driver or NIC drops; the -w pcapng
# holds those packets byte for byte; during the capture the process runs as nobody (uid/gid non-zero), with no
# capabilities and no_new_privs. Usage: p2p_capture_exact.sh NETTOOL SOURCE_DIR; exit 77 = skipped.
set -u
nettool=$1
src=$2
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: needs root (network namespaces, capture as root)"; exit 77; fi
for tool in ip tcpreplay editcap python3; do
    command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done
A=ntcap-a-$$
B=ntcap-b-$$
work=$(mktemp -d)
chmod 755 "$work"
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; cat "$work/err" 2>/dev/null; exit 1; }

ip netns add "$A" && ip netns add "$B" || fail "namespaces"
ip -n "$A" link add vA type veth peer name vB netns "$B" || fail "veth"
# No IPv6 on the veths: router solicitations and MLD reports would be extra packets on the wire.
ip netns exec "$A" sysctl -qw net.ipv6.conf.vA.disable_ipv6=1
ip netns exec "$B" sysctl -qw net.ipv6.conf.vB.disable_ipv6=1
ip -n "$A" link set vA up && ip -n "$B" link set vB up || fail "link up"

# The input: the seed fixture repeated to 20 000 packets (copies one day apart).
input=$work/input.pcap
parts=()
for i in $(seq 0 39); do editcap -F pcap -t $((i * 86400)) "$src/tests/fixtures/p2p/seed-gnutella.pcap" "$work/p$i.pcap"; parts+=("$work/p$i.pcap"); done
python3 - "$input" "${parts[@]}" <<'PY'
import sys
out = open(sys.argv[1], "wb")
for n, path in enumerate(sys.argv[2:]):
    data = open(path, "rb").read()
    out.write(data if n == 0 else data[24:])
PY
out=$work/out.pcapng
ip netns exec "$B" "$nettool" p2p vB --json -w "$out" > "$work/report.json" 2> "$work/err" &
pid=$!
for _ in $(seq 1 50); do grep -q "^Uid:" "/proc/$pid/status" 2>/dev/null && [ -s "$out" ] && break; sleep 0.1; done
sleep 0.5
status=$(cat "/proc/$pid/status")
uid=$(echo "$status" | awk '/^Uid:/ {print $2}')
gid=$(echo "$status" | awk '/^Gid:/ {print $2}')
capeff=$(echo "$status" | awk '/^CapEff:/ {print $2}')
capprm=$(echo "$status" | awk '/^CapPrm:/ {print $2}')
nnp=$(echo "$status" | awk '/^NoNewPrivs:/ {print $2}')
[ "$uid" != 0 ] && [ "$gid" != 0 ] || fail "still root while capturing: Uid $uid Gid $gid"
[ "$capeff" = 0000000000000000 ] && [ "$capprm" = 0000000000000000 ] || fail "capabilities kept: eff $capeff prm $capprm"
[ "$nnp" = 1 ] || fail "no_new_privs not set"
echo "ok: capturing as uid $uid gid $gid, no capabilities, no_new_privs"

sent=$(ip netns exec "$A" tcpreplay -i vA --pps=20000 "$input" 2>&1 | awk '/Successful packets/ {print $3}')
sleep 1
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -le 1 ] || fail "nettool exit $rc"
python3 - "$work/report.json" "$sent" <<'PY' || fail "packet counts"
import json, sys
doc = json.load(open(sys.argv[1]))
src = doc["summary"]["sources"][0]
sent = int(sys.argv[2])
print(f"sent {sent}, captured {src['packets']}, dropped kernel {src['kernel_dropped']} interface {src['interface_dropped']} nic {src['nic_rx_dropped']}, wrote {src['written_packets']}, ran as {src['run_as']}")
assert src["packets"] == sent, "captured != sent"
assert src["kernel_dropped"] == 0 and src["interface_dropped"] == 0 and src["nic_rx_dropped"] == 0
assert src["written_packets"] == sent
assert "capture_drops" not in [d["code"] for d in doc["diagnoses"]]
PY
editcap -F pcap "$out" "$work/out.pcap" || fail "the -w file is not a readable pcapng"
python3 - "$input" "$work/out.pcap" <<'PY' || fail "-w file differs from the replayed packets"
import struct, sys
def packets(path):
    data = open(path, "rb").read()
    little = data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
    e = "<" if little else ">"
    pos, out = 24, []
    while pos + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[pos:pos + 16])
        out.append(data[pos + 16:pos + 16 + incl])
        pos += 16 + incl
    return out
a, b = packets(sys.argv[1]), packets(sys.argv[2])
assert len(a) == len(b), (len(a), len(b))
assert a == b, "payloads differ"
print(f"ok: the -w file holds the {len(b)} replayed packets byte for byte")
PY
