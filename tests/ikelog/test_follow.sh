#!/usr/bin/env bash
# ike-log --follow: a test appends router log lines to a file while the command runs, rotates the file (mv +
# new file), appends more, then sends SIGINT; the command prints events as they happen and a final summary.
set -u
nettool=$1
src=$2
fixtures=$src/tests/fixtures/ikelog/etx-vrt
dir=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- stdout"; cat "$dir/out" 2>/dev/null; echo "--- stderr"; cat "$dir/err" 2>/dev/null; exit 1; }
wait_for() {  # wait_for PATTERN FILE: up to 10 s
    for _ in $(seq 1 100); do grep -q -- "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done
    fail "timed out waiting for '$1' in $2"
}

log=$dir/router.log
: > "$log"
"$nettool" ike-log --follow "$log" --no-color > "$dir/out" 2> "$dir/err" &
pid=$!
sleep 0.3
# Refused attempts arrive a few lines at a time.
head -n 6 "$fixtures/factory-fail.log" >> "$log"
wait_for "sign of no_proposal_chosen" "$dir/out"
tail -n +7 "$fixtures/factory-fail.log" >> "$log"
# Rotation: the old file moves away, a new one starts, and the next attempts succeed.
mv "$log" "$log.1"
cat "$fixtures/factory-ok.log" > "$log"
wait_for "phase 1 / IKE SA established" "$dir/out"
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
# Up at the end, but the refused attempts before are a warning: exit 1.
[ "$rc" -eq 1 ] || fail "exit status $rc, want 1 (last attempt established after refusals: a warning)"
grep -q -- "-- stopped; summary --" "$dir/out" || fail "no summary after SIGINT"
grep -q "peer 198.51.100.7" "$dir/out" || fail "summary does not name the peer"
grep -Eq "^  initiator +v1 +5 +1 +1 \(phase 1\)" "$dir/out" || fail "summary counts (5 attempts, 1 up) wrong"
# Evidence from before the rotation names the generation the lines are in now, with their line numbers there;
# the new file's lines count from 1 again.
grep -q "NO_PROPOSAL_CHOSEN \[$log.1:4\]" "$dir/out" || fail "evidence from before the rotation does not name $log.1:4"
grep -q "NO_PROPOSAL_CHOSEN \[$log:4\]" "$dir/out" || fail "evidence from the new file does not restart at line 1"

# JSON mode: one document at the end, nothing else on stdout.
: > "$dir/json.log"
"$nettool" ike-log --follow "$dir/json.log" --json > "$dir/out" 2> "$dir/err" &
pid=$!
sleep 0.3
cat "$fixtures/hq-fail.log" >> "$dir/json.log"
sleep 0.5
kill -INT "$pid"
wait "$pid"
rc=$?
pid=
[ "$rc" -eq 1 ] || fail "exit status $rc, want 1 (peer refused)"
python3 - "$dir/out" <<'PY' || fail "JSON summary wrong"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["command"] == "ike-log", doc
peer = doc["peers"][0]
assert peer["peer"] == "203.0.113.45", peer
assert peer["attempts"] == 3 and peer["failure"] == "no_proposal_chosen", peer
assert [f["code"] for f in peer["failures"]] == ["no_proposal_chosen", "unknown_peer"], peer["failures"]
PY
echo "follow: ok"
