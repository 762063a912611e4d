#!/usr/bin/env bash
# nettool exporter scraped by a real Prometheus (Debian package prometheus), the docs' prometheus.yml and alert
# rules, in network namespaces this test creates:
#   ntexp-c-PID  c0 10.205.1.1/24: nettool exporter on 127.0.0.1:9798, prometheus on 127.0.0.1:9090
#        |
#   ntexp-s-PID  s0 10.205.1.2/24: dnsmasq (host.test, spf.test), nft dropping UDP/53 in the first part
# Asserts: Prometheus stores nettool_diagnosis{code="udp_blocked"} for the resolver and the docs' alert rule
# NettoolCriticalFinding goes pending; `promtool check metrics` accepts every module's answer; after UDP/53 is
# allowed again the stored series says ok. Usage: exporter_prometheus.sh NETTOOL SOURCE_DIR; exit 77 = skipped.
set -uo pipefail
NETTOOL=$1
SRC=$2
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: needs root to create network namespaces"; exit 77; fi
for tool in ip nft prometheus promtool dnsmasq python3; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
done
C=ntexp-c-$$
S=ntexp-s-$$
WORK=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  ip netns del "$C" 2>/dev/null; ip netns del "$S" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$WORK"/*.log; do echo "--- $f"; tail -n 20 "$f"; done
  exit 1
}
in_c() { ip netns exec "$C" "$@"; }
get() {  # get URL: body on stdout (from inside the client namespace)
  in_c python3 -c 'import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())
except Exception as e:
    sys.exit(str(e))' "$1"
}
query() {  # query PROMQL: the number of series the instant query returns
  in_c python3 -c 'import json, sys, urllib.parse, urllib.request
url = "http://127.0.0.1:9090/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[1]})
print(len(json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]))' "$1" 2>/dev/null || echo 0
}
wait_series() {  # wait_series PROMQL SECONDS
  local deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    [ "$(query "$1")" -gt 0 ] && return 0
    sleep 0.5
  done
  return 1
}

ip netns add "$C" && ip netns add "$S" || fail "cannot create namespaces"
ip -n "$C" link add c0 type veth peer name s0 netns "$S" || fail "veth"
for ns in "$C" "$S"; do ip -n "$ns" link set lo up; done
ip -n "$C" addr add 10.205.1.1/24 dev c0 && ip -n "$C" link set c0 up
ip -n "$S" addr add 10.205.1.2/24 dev s0 && ip -n "$S" link set s0 up

ip netns exec "$S" dnsmasq --conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces --listen-address=10.205.1.2 \
  --keep-in-foreground --log-facility=- --host-record=host.test,10.205.1.99 \
  --txt-record=spf.test,"v=spf1 ip4:10.205.1.0/24 -all" --local=/test/ > "$WORK/dnsmasq.log" 2>&1 &
pids+=($!)
# Readiness from the socket itself, not from the code under test.
for _ in $(seq 1 50); do ip netns exec "$S" ss -lun | grep -q '10.205.1.2:53' && break; sleep 0.1; done
ip netns exec "$S" nft add table inet fault && ip netns exec "$S" nft add chain inet fault input \
  '{ type filter hook input priority 0; }' && ip netns exec "$S" nft add rule inet fault input udp dport 53 drop ||
  fail "nft" 

cat > "$WORK/exporter.json" <<JSON
{"listen": "127.0.0.1:9798", "dns_servers": ["10.205.1.2"]}
JSON
in_c "$NETTOOL" exporter --config "$WORK/exporter.json" > "$WORK/exporter.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do in_c ss -ltn | grep -q '127.0.0.1:9798' && break; sleep 0.1; done

# Every module's answer is valid exposition text.
check_module() {  # check_module QUERY: the answer passes promtool and has the common series
  get "http://127.0.0.1:9798/probe?$1" > "$WORK/probe.txt" || fail "probe $1"
  promtool check metrics < "$WORK/probe.txt" > "$WORK/promtool.log" 2>&1 || fail "promtool check metrics: $1"
  grep -q '^nettool_probe_success ' "$WORK/probe.txt" || fail "no nettool_probe_success for $1"
}
for query in "module=ping&target=10.205.1.2" "module=dnscheck&target=10.205.1.2&name=host.test" "module=link&target=c0" \
             "module=doctor&target=c0&name=host.test"; do
  check_module "$query"
done
get "http://127.0.0.1:9798/metrics" > "$WORK/own.txt" || fail "/metrics"
promtool check metrics < "$WORK/own.txt" > "$WORK/promtool.log" 2>&1 || fail "promtool check metrics: /metrics"

# The docs' Prometheus configuration, pointed at this namespace's resolver, interface and exporter.
sed -e "s/10\.0\.0\.53/10.205.1.2/; s/'10\.0\.0\.1'/'10.205.1.2'/; s/'eth0'/'c0'/" \
    -e "s/scrape_interval: 30s/scrape_interval: 2s/; s/scrape_timeout: 10s/scrape_timeout: 1900ms/" \
    -e "s/evaluation_interval: 30s/evaluation_interval: 1s/" \
    -e "s/      module: \[dnscheck\]/      module: [dnscheck]\n      name: [host.test]/" \
    "$SRC/docs/monitoring/prometheus.yml" > "$WORK/prometheus.yml"
cp "$SRC/docs/monitoring/nettool-alerts.yml" "$WORK/"
promtool check config "$WORK/prometheus.yml" > "$WORK/promtool.log" 2>&1 || fail "promtool check config"
in_c prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address=127.0.0.1:9090 > "$WORK/prometheus.log" 2>&1 &
pids+=($!)

wait_series 'nettool_diagnosis{job="nettool_dns",code="udp_blocked",severity="critical",target="10.205.1.2"}' 40 ||
  fail "Prometheus never stored nettool_diagnosis{code=\"udp_blocked\"}"
echo "ok: Prometheus stored nettool_diagnosis{code=\"udp_blocked\"} for 10.205.1.2"
wait_series 'ALERTS{alertname="NettoolCriticalFinding",code="udp_blocked"}' 20 ||
  fail "the docs' alert rule NettoolCriticalFinding did not pick up udp_blocked"
echo "ok: alert NettoolCriticalFinding pending for udp_blocked"
[ "$(query 'nettool_probe_success{job="nettool_ping"}')" -gt 0 ] || fail "no ping probe stored"
[ "$(query 'nettool_ike_tunnel_up')" -eq 0 ] || fail "IKE series without an IKE source"

# The fault cleared: the next scrapes say ok and udp_blocked goes stale.
ip netns exec "$S" nft delete table inet fault
wait_series 'nettool_probe_success{job="nettool_dns"} == 1' 30 || fail "probe_success never came back to 1"
echo "ok: after the fault cleared Prometheus has nettool_probe_success 1"
check_module "module=spf&target=spf.test&ip=10.205.1.7"
grep -q 'nettool_spf_result{ip="10.205.1.7",result="pass"} 1' "$WORK/probe.txt" || fail "spf probe did not evaluate pass"
check_module "module=spf&target=spf.test&ip=192.0.2.1"
grep -q 'nettool_diagnosis{module="spf",target="spf.test",code="spf_fail"' "$WORK/probe.txt" ||
  fail "spf probe: no spf_fail diagnosis for an unlisted client"
echo "ok: every module's answer passes promtool check metrics"
