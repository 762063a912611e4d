#!/usr/bin/env bash
# ping benchmark: nettool ping against iputils ping, the real peer tool, in the same run on the same target: a
# host in a network namespace at the other end of a veth pair (both ends in namespaces this script creates).
# Measures wall time, CPU time (user+sys of the process) and the reported average RTT for a fast burst
# (COUNT probes at a 2 ms interval, the fastest iputils allows an unprivileged user) and for a short normal run, each over the raw and the datagram socket, and
# prints the ratios nettool/iputils. Needs root.
# Usage: bench/ping/run.sh [COUNT]   (default 1000)
#        NETTOOL=/path/to/nettool bench/ping/run.sh   (else a Release nettool is built in build/bench-ping)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
count=${1:-1000}
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 3; }
for tool in ip ping python3 cmake; do command -v "$tool" >/dev/null || { echo "bench: $tool missing" >&2; exit 3; }; done

if [ -z "${NETTOOL:-}" ]; then
  build="$repo/build/bench-ping"
  echo "bench: building nettool (Release) in $build"
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DNETTOOL_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target nettool -j2 >/dev/null
  NETTOOL="$build/apps/nettool/nettool"
fi

a=ntping-bench-a$$
b=ntping-bench-b$$
work=$(mktemp -d /tmp/nettool-bench-ping.XXXXXX)
cleanup() { ip netns del "$a" 2>/dev/null; ip netns del "$b" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add v0 netns "$a" type veth peer name v0 netns "$b"
ip -n "$a" addr add 10.201.77.1/24 dev v0
ip -n "$b" addr add 10.201.77.2/24 dev v0
for ns in "$a" "$b"; do ip -n "$ns" link set lo up; ip -n "$ns" link set v0 up; done
ip netns exec "$a" ping -c 1 -q 10.201.77.2 >/dev/null  # resolve ARP before measuring
# A copy of ping without its file capability: run as nobody it must use the ICMP datagram socket.
cp "$(command -v ping)" "$work/ping-nocap"
chmod 755 "$work" "$work/ping-nocap"

echo "bench: nettool = $NETTOOL"
echo "bench: iputils = $(ping -V | head -1)"
echo "bench: target 10.201.77.2 over a veth pair between two namespaces; $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"

python3 - "$NETTOOL" "$a" "$count" "$work/ping-nocap" <<'EOF'
import json, os, re, resource, subprocess, sys, time

nettool, ns, count, ping_nocap = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
target = "10.201.77.2"

def measure(argv, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.run(["ip", "netns", "exec", ns] + argv, capture_output=True, text=True, env=env)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, wall, cpu

def iputils(n, interval, datagram):
    # As root iputils uses a raw socket; without CAP_NET_RAW (a capability-less copy run as nobody) it uses the
    # ICMP datagram socket that ping_group_range allows.
    prefix = ["ping"]
    if datagram:
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", ping_nocap]
    proc, wall, cpu = measure(prefix + ["-q", "-n", "-c", str(n), "-i", str(interval), "-W", "2", target])
    m = re.search(r"(\d+) packets transmitted, (\d+) received", proc.stdout)
    r = re.search(r"= [\d.]+/([\d.]+)/", proc.stdout)
    return {"received": int(m.group(2)) if m else -1, "avg": float(r.group(1)) if r else None,
            "wall": wall, "cpu": cpu, "status": proc.returncode, "err": proc.stderr.strip()}

def ours(n, interval, datagram):
    proc, wall, cpu = measure([nettool, "ping", target, "-c", str(n), "-i", str(interval), "-W", "2", "--json",
                               "--socket", "datagram" if datagram else "raw"])
    try:
        d = json.loads(proc.stdout)
        s = d["statistics"]
        return {"received": s["received"], "avg": s["rtt_avg_ms"], "wall": wall, "cpu": cpu,
                "status": proc.returncode, "err": proc.stderr.strip()}
    except Exception as e:
        return {"received": -1, "avg": None, "wall": wall, "cpu": cpu, "status": proc.returncode, "err": str(e)}

subprocess.run(["ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647"],
               check=True)
rows = []
for label, n, interval in (("burst", count, 0.002), ("normal", 20, 0.05)):
    for datagram in (False, True):
        sock = "datagram" if datagram else "raw"
        # alternate, best of 3 each, so load changes on the shared machine hit both alike
        best = {"nettool": None, "iputils": None}
        for _ in range(3):
            for name, fn in (("nettool", ours), ("iputils", iputils)):
                r = fn(n, interval, datagram)
                if r["received"] < 0:
                    print(f"bench: {name} {label} {sock} failed: status {r['status']} {r['err']}", file=sys.stderr)
                    sys.exit(1)
                if best[name] is None or r["wall"] < best[name]["wall"]:
                    best[name] = r
        rows.append((label, n, interval, sock, best["nettool"], best["iputils"]))

print()
print(f"{'case':<8} {'count':>6} {'interval':>8} {'socket':<8} {'tool':<8} {'recv':>6} {'wall s':>8} {'cpu s':>7} {'avg rtt ms':>10}")
for label, n, interval, sock, nt, ip in rows:
    for name, r in (("nettool", nt), ("iputils", ip)):
        avg = f"{r['avg']:.3f}" if r["avg"] is not None else "-"
        print(f"{label:<8} {n:>6} {interval:>8} {sock:<8} {name:<8} {r['received']:>6} {r['wall']:>8.3f} {r['cpu']:>7.3f} {avg:>10}")
print()
print("ratios nettool / iputils (best of 3 each):")
for label, n, interval, sock, nt, ip in rows:
    wall = nt["wall"] / ip["wall"] if ip["wall"] else float("nan")
    cpu = nt["cpu"] / ip["cpu"] if ip["cpu"] else float("nan")
    rtt = (nt["avg"] / ip["avg"]) if nt["avg"] and ip["avg"] else float("nan")
    print(f"  {label:<6} {sock:<8} wall {wall:5.2f}   cpu {cpu:5.2f}   avg rtt {rtt:5.2f}   "
          f"received {nt['received']}/{n} vs {ip['received']}/{n}")
EOF
