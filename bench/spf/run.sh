#!/usr/bin/env bash
# Benchmark: wall time of one SPF evaluation of a record tree of depth 3 with 8 includes, against a local DNS
# server that answers every query after 50 ms, for nettool, pyspf (python3-spf) and spfquery (libspf2).
# All three run in a network namespace this script creates, with the server on 127.0.0.1:53 inside and the
# namespace's resolv.conf pointing at it (the peers use the system resolver). Needs root; cleans up on exit.
# Usage: bench/spf/run.sh [NETTOOL] [RUNS]
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
nettool=${1:-$repo/build/spf/apps/nettool/nettool}
runs=${2:-7}
py=/usr/bin/python3; [ -x "$py" ] || py=python3
[ "$(id -u)" = 0 ] || { echo "bench: needs root (ip netns)"; exit 3; }
[ -x "$nettool" ] || { echo "bench: no nettool at $nettool"; exit 3; }
"$py" -c 'import spf, dnslib' || { echo "bench: needs python3-spf and python3-dnslib"; exit 3; }
command -v spfquery >/dev/null || { echo "bench: needs spfquery (libspf2)"; exit 3; }

ns=spfbench$$
work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  ip netns delete "$ns" 2>/dev/null
  rm -rf "/etc/netns/$ns" "$work"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up
mkdir -p "/etc/netns/$ns"
printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:1\n' > "/etc/netns/$ns/resolv.conf"

# tree: the sender's domain has a, mx (two hosts) and two provider includes; each provider includes three
# leaves (depth 3, 8 includes, 10 DNS-querying terms: exactly the limit). The client matches the very last term,
# so every lookup is needed. "pure" is the same tree with only include terms.
"$py" - "$work/zone.json" <<'EOF'
import json, sys
z = {}
def add(n, *e): z.setdefault(n, []).extend(e)
add('bench.example', {'TXT': 'v=spf1 a mx include:p1.bench.example include:p2.bench.example -all'},
    {'A': '198.51.100.1'}, {'MX': [10, 'mx1.bench.example']}, {'MX': [20, 'mx2.bench.example']})
add('mx1.bench.example', {'A': '198.51.100.11'})
add('mx2.bench.example', {'A': '198.51.100.12'})
add('pure.example', {'TXT': 'v=spf1 include:p1.bench.example include:p2.bench.example -all'})
for p in (1, 2):
    add('p%d.bench.example' % p, {'TXT': 'v=spf1 ' + ' '.join('include:l%d%d.bench.example' % (p, l) for l in (1, 2, 3)) + ' -all'})
    for l in (1, 2, 3):
        add('l%d%d.bench.example' % (p, l), {'TXT': 'v=spf1 ip4:10.%d.%d.0/24 ip6:2001:db8:%d%d::/48 -all' % (p, l, p, l)})
json.dump(z, open(sys.argv[1], 'w'))
EOF
ip netns exec "$ns" "$py" "$repo/tests/spf/zone_server.py" "$work/zone.json" --port 53 --delay-ms 50 \
  --port-file "$work/port" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "bench: DNS server did not start"; exit 3; }

ip_match=10.2.3.7  # in the last leaf (l23)
# The timing loop (measure.py) runs inside the namespace, so `ip netns exec` costs nothing per run.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r _ base _ < <(ip netns exec "$ns" "$py" "$here/measure.py" true "$runs" /bin/true 2>/dev/null)
read -r _ start _ < <(ip netns exec "$ns" "$py" "$here/measure.py" start "$runs" "$nettool" --version 2>/dev/null)
echo "process start on this machine now: /bin/true ${base} ms, nettool --version ${start} ms (median)"
for tree in bench pure; do
  domain=$tree.example
  echo "tree $domain (client $ip_match), every DNS answer delayed 50 ms, $runs runs each:"
  for tool in nettool pyspf spfquery; do
    case $tool in
      nettool) cmd=("$nettool" spf --dns-server 127.0.0.1:53 --ip "$ip_match" --sender "a@$domain"
                    --helo mail.example.org --json) ;;
      pyspf) cmd=("$py" -c "import spf; print(spf.check2(i='$ip_match', s='a@$domain', h='mail.example.org'))") ;;
      spfquery) cmd=(spfquery -ip "$ip_match" -sender "a@$domain" -helo mail.example.org) ;;
    esac
    read -r _ median times < <(ip netns exec "$ns" "$py" "$here/measure.py" "$tree-$tool" "$runs" "${cmd[@]}" \
      2>"$work/out")
    echo "$median" > "$work/$tree-$tool.ms"
    printf '  %-9s median %5s ms  (runs: %s)  output: %s\n' "$tool" "$median" "$times" "$(head -c 60 "$work/out")"
  done
  n=$(cat "$work/$tree-nettool.ms"); p=$(cat "$work/$tree-pyspf.ms"); s=$(cat "$work/$tree-spfquery.ms")
  faster=$((p < s ? p : s))
  awk -v n="$n" -v p="$p" -v s="$s" -v f="$faster" 'BEGIN {
    printf "  ratios: nettool/pyspf %.2f, nettool/spfquery %.2f, nettool/faster peer %.2f (target <= 0.30)\n",
      n / p, n / s, n / f }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
