#!/usr/bin/env bash
# dnscheck and spf against a hostile DNS server (hostile_dns_server.py: compression loops, records past the end of
# the message, a 64 KiB TXT, a flood of answers to one query). No real server sends these, hence the Python
# imitation. Everything runs in a network namespace made here, the server on its 127.0.0.1:53 and the namespace's
# own resolv.conf pointing at it (dnscheck also asks getaddrinfo). Each run must finish in time with one JSON
# document and the expected exit status, with bounded memory, and name what happened: a malformed answer is never
# diagnosed as blocked, lost or unreachable DNS; spf reports the lookup error (temperror) instead of a verdict.
set -u
NETTOOL=${1:?usage: hostile_dns.sh NETTOOL SOURCE_DIR}
# An AddressSanitizer build keeps shadow memory and quarantine (over 100 MB more): its memory bound is wider.
rss_limit_kb=65536
if ldd "$NETTOOL" 2>/dev/null | grep -q libasan; then rss_limit_kb=262144; fi
SOURCE_DIR=${2:?usage: hostile_dns.sh NETTOOL SOURCE_DIR}
skip() { echo "SKIPPED: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (a network namespace with its own resolv.conf)"
command -v ip >/dev/null || skip "ip (iproute2) is not installed"
PY=/usr/bin/python3
[ -x "$PY" ] || skip "python3 is not installed"

NS=nthostile-$$
WORK=$(mktemp -d)
SERVER_PID=""
cleanup() {
    [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    rm -rf "/etc/netns/$NS" "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

ip netns add "$NS" || { echo "FAIL: cannot create namespace $NS"; exit 1; }
ip -n "$NS" link set lo up
mkdir -p "/etc/netns/$NS"
echo "nameserver 127.0.0.1" >"/etc/netns/$NS/resolv.conf"
ip netns exec "$NS" "$PY" "$SOURCE_DIR/tests/dns/hostile_dns_server.py" 127.0.0.1 53 "$WORK/port" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do [ -s "$WORK/port" ] && break; sleep 0.1; done
[ -s "$WORK/port" ] || { echo "FAIL: the hostile server did not start: $(cat "$WORK/server.log")"; exit 1; }

# run NAME EXITS SECONDS CHECK -- ARGS: nettool ARGS --json in the namespace; an exit status in EXITS (e.g. "1"
# or "0 1"), done within SECONDS, peak memory under 64 MB, and the Python expression CHECK true of the document `d`.
run() {
    local name=$1 exits=$2 seconds=$3 check=$4
    shift 5
    local started=$(date +%s%N)
    ip netns exec "$NS" /usr/bin/time -f "%M" -o "$WORK/rss" timeout -s KILL 20 "$NETTOOL" "$@" --json \
        >"$WORK/out.json" 2>"$WORK/err"
    local status=$? elapsed_ms=$((($(date +%s%N) - started) / 1000000)) rss_kb
    rss_kb=$(tail -1 "$WORK/rss")
    if [[ " $exits " != *" $status "* ]]; then
        fail "$name: exit $status, expected $exits: $(head -c 300 "$WORK/err")"
        return
    fi
    [ "$elapsed_ms" -le $((seconds * 1000)) ] || fail "$name: took $elapsed_ms ms (limit ${seconds} s)"
    [ "$rss_kb" -le "$rss_limit_kb" ] || fail "$name: peak memory $rss_kb KB (limit $rss_limit_kb KB)"
    if "$PY" -c "import json,sys; d=json.load(open('$WORK/out.json')); sys.exit(0 if ($check) else 1)"; then
        echo "ok: $name (exit $status, $elapsed_ms ms, $rss_kb KB)"
    else
        fail "$name: $check"
        head -c 2000 "$WORK/out.json"; echo
    fi
}

# Causes that claim DNS packets are dropped, lost or unanswered: wrong when every query got an answer.
BLOCKED='{"udp_blocked","tcp_blocked","packet_loss","server_unreachable","port_closed","high_latency"}'
codes='[c["code"] for s in d["servers"] for c in s["diagnoses"]]'
for attack in loop pastend; do
    run "dnscheck: every answer has a $attack" 1 5 "not set($codes) & $BLOCKED and d['verdict']['status'] != 'ok'" \
        -- dnscheck --server 127.0.0.1 --reach 127.0.0.1 --count 3 "$attack.hostile.test" \
        --large-name bigtxt.hostile.test --large-type TXT
done
# A CNAME whose target loops: the message parses (that record's rdata is kept raw), so "answered" is fair.
run "dnscheck: a CNAME target with a pointer cycle" "0 1" 5 "not set($codes) & $BLOCKED" -- \
    dnscheck --server 127.0.0.1 --reach 127.0.0.1 --count 3 loop2.hostile.test \
    --large-name bigtxt.hostile.test --large-type TXT
udp_counts='all(s["probes"]["udp"]["answered"] <= s["probes"]["udp"]["sent"] for s in d["servers"])'
run "dnscheck: 64 KiB TXT as the large answer, a flood of UDP answers" "0 1" 5 \
    "not set($codes) & $BLOCKED and $udp_counts" -- \
    dnscheck --server 127.0.0.1 --reach 127.0.0.1 --count 3 flood.hostile.test \
    --large-name bigtxt.hostile.test --large-type TXT

spf=(--dns-server 127.0.0.1 --timeout 500 --tries 1)
for attack in loop pastend; do
    run "spf lint: TXT answer with $attack" 1 5 \
        "[c['code'] for c in d['diagnoses']] == ['spf_lookup_error'] and 'bad_response' in d['diagnoses'][0]['summary']" \
        -- spf "$attack.hostile.test" "${spf[@]}"
done
run "spf lint: a 64 KiB record over TCP" 1 5 \
    "d['lint']['tree'][0]['record'].startswith('v=spf1 ') and 'spf_long_record' in [c['code'] for c in d['diagnoses']]" \
    -- spf bigtxt.hostile.test "${spf[@]}"
run "spf lint: a tree of hostile names" 1 5 "'spf_lookup_error' in [c['code'] for c in d['diagnoses']]" \
    -- spf spf.hostile.test "${spf[@]}"
run "spf evaluate: the first lookup meets a compression loop" 1 5 \
    "d['result'] == 'temperror' and [c['code'] for c in d['diagnoses']] == ['spf_temperror']" \
    -- spf spf.hostile.test --ip 192.0.2.1 --sender a@spf.hostile.test "${spf[@]}"

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "dnscheck and spf stay sound against a hostile DNS server"
