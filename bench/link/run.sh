#!/usr/bin/env bash
# Benchmark: `nettool link` against the real peer tools reading the same interfaces.
# Builds its own input: namespace ntlink-bench<pid> with N veth pairs (2N interfaces) plus N staged tap devices
# (tests/fixtures/link/tap-stage.py). Then times, in the same run:
#   nettool link --watch 0 --json                         (settings, driver, stats of every interface, once)
#   ethtool IF; ethtool -i IF; ethtool -S IF  per interface (what nettool reads through the ioctls)
#   ip -s -s -j link show                                 (the sysfs/netlink counters, all interfaces at once)
# and checks that nettool's speed/duplex/driver agree with ethtool for every interface.
# usage: bench/link/run.sh NETTOOL [PAIRS (default 50)] [REPEATS (default 5)]   (root)
set -u
NETTOOL=${1:?usage: run.sh NETTOOL [PAIRS] [REPEATS]}
PAIRS=${2:-50}
REPEATS=${3:-5}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
[ "$(id -u)" -eq 0 ] || { echo "needs root (namespaces)"; exit 77; }
ns="ntlink-bench$$"
work=$(mktemp -d)
holders=()
cleanup() {
  exec 8>&- 2>/dev/null
  for pid in "${holders[@]}"; do kill "$pid" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns"
mkfifo "$work/hold"
exec 8<>"$work/hold"  # the tap holders read this until it closes
for i in $(seq 1 "$PAIRS"); do
  ip -n "$ns" link add "bva$i" type veth peer name "bvb$i"
  ip -n "$ns" link set "bva$i" up
  ip -n "$ns" link set "bvb$i" up
done
gig="10baseT/Half,10baseT/Full,100baseT/Half,100baseT/Full,1000baseT/Full"
for i in $(seq 1 "$PAIRS"); do
  ip netns exec "$ns" "$PY" "$SRC/tests/fixtures/link/tap-stage.py" "btap$i" --speed 100 --duplex half \
    --autoneg on --supported "$gig,Autoneg,TP" --advertised "$gig,Autoneg,TP" --partner "$gig,Autoneg" \
    <"$work/hold" >"$work/stage$i.out" 2>&1 &
  holders+=("$!")
done
for i in $(seq 1 "$PAIRS"); do
  for _ in $(seq 200); do grep -q ready "$work/stage$i.out" 2>/dev/null && break; sleep 0.05; done
  ip -n "$ns" link set "btap$i" up
done
ifaces=$(ip netns exec "$ns" ls /sys/class/net | grep -v '^lo$')
count=$(echo "$ifaces" | wc -w)

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

: >"$work/t_nettool"; : >"$work/t_ethtool"; : >"$work/t_ip"
for _ in $(seq 1 "$REPEATS"); do
  t0=$(now); ip netns exec "$ns" "$NETTOOL" link --watch 0 --json >"$work/nettool.json"; t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/t_nettool"
  t0=$(now)
  ip netns exec "$ns" bash -c "for i in $(echo $ifaces); do ethtool \$i; ethtool -i \$i; ethtool -S \$i; done" \
    >"$work/ethtool.txt" 2>/dev/null
  t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/t_ethtool"
  t0=$(now); ip netns exec "$ns" ip -s -s -j link show >"$work/ip.json"; t1=$(now)
  echo "$t1 - $t0" | bc -l >>"$work/t_ip"
done
tn=$(median <"$work/t_nettool"); te=$(median <"$work/t_ethtool"); ti=$(median <"$work/t_ip")

# Agreement: speed/duplex/driver per interface, nettool vs ethtool.
ip netns exec "$ns" bash -c "for i in $(echo $ifaces); do echo \"== \$i\"; ethtool \$i; ethtool -i \$i; done" \
  >"$work/agree.txt" 2>/dev/null
agree=$("$PY" - "$work/nettool.json" "$work/agree.txt" <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
mine = {i["name"]: i for i in doc["interfaces"]}
theirs, cur = {}, None
for line in open(sys.argv[2]):
    if line.startswith("== "):
        cur = line[3:].strip(); theirs[cur] = {}
    elif m := re.match(r"\s*Speed: (\d+)Mb/s", line): theirs[cur]["speed"] = int(m.group(1))
    elif m := re.match(r"\s*Duplex: (\w+)", line): theirs[cur]["duplex"] = m.group(1).lower()
    elif m := re.match(r"driver: (\S+)", line): theirs[cur]["driver"] = m.group(1)
ok = sum(1 for n, t in theirs.items() if n in mine and mine[n]["speed_mbps"] == t.get("speed")
         and mine[n]["duplex"] == t.get("duplex") and mine[n]["driver"]["driver"] == t.get("driver"))
print(f"{ok}/{len(theirs)}")
PY
)
echo "interfaces: $count (veth pairs: $PAIRS, staged taps: $PAIRS), repeats: $REPEATS (median)"
printf "nettool link --watch 0 --json          : %.3f s\n" "$tn"
printf "ethtool + ethtool -i + ethtool -S (each): %.3f s\n" "$te"
printf "ip -s -s -j link show                  : %.3f s\n" "$ti"
printf "ratio nettool / ethtool loop           : %.3f\n" "$(echo "$tn / $te" | bc -l)"
printf "ratio nettool / ip -s link             : %.3f\n" "$(echo "$tn / $ti" | bc -l)"
echo "speed/duplex/driver agreement with ethtool: $agree"
