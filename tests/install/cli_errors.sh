#!/usr/bin/env bash
# The command line's help: a mistyped subcommand exits 2 with "did you mean"; the top-level --help lists each
# subcommand on one line; with --json, usage and runtime errors are one JSON document on stdout
# ({"error": {"kind": ..., "message": ...}}) with the usual exit status.
source "$(dirname "$0")/common.sh"

# run EXPECTED_STATUS WHAT -- ARGS...: nettool's stdout in $WORK/out, stderr in $WORK/err.
run() {
  local want=$1 what=$2; shift 3
  "$NETTOOL" "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then pass "$what: exit $got"; else
    fail "$what: exit $got, expected $want"; sed 's/^/  stdout: /' "$WORK/out"; sed 's/^/  stderr: /' "$WORK/err"; fi
}
# json_error KIND MESSAGE_SUBSTRING COMMAND: stdout is exactly one JSON error document like that.
json_error() {
  python3 - "$WORK/out" "$1" "$2" "$3" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
doc = json.loads(text)  # the whole of stdout must be one document
err = doc["error"]
assert err["kind"] == sys.argv[2], err
assert sys.argv[3] in err["message"], err
assert err["exit_status"] in (2, 3), err
assert doc["schema_version"] == 1, doc
want = None if sys.argv[4] == "-" else sys.argv[4]
assert doc["command"] == want, doc
PY
}

run 2 "nettool pign 10.0.0.1" -- pign 10.0.0.1
grep -qx "nettool: usage error: unknown subcommand 'pign'; did you mean 'ping'?" "$WORK/err" \
  && pass "says: $(cat "$WORK/err")" || fail "pign message: $(cat "$WORK/err")"
[ -s "$WORK/out" ] && fail "stdout not empty without --json"
run 2 "nettool dnschek" -- dnschek
grep -q "did you mean 'dnscheck'?" "$WORK/err" && pass "dnschek -> dnscheck" || fail "dnschek: $(cat "$WORK/err")"
run 2 "nettool frobnicate" -- frobnicate
grep -q "unknown subcommand 'frobnicate'; the subcommands are: .*ping" "$WORK/err" \
  && pass "no close name: the list" || fail "frobnicate: $(cat "$WORK/err")"

run 0 "nettool --help" -- --help
python3 - "$WORK/out" "$WORK/spec.json" <<'PY' && pass "--help lists each subcommand on exactly one line" || fail "--help subcommand lines"
import json, sys
lines = open(sys.argv[1]).read().split("\n")
start = lines.index("Subcommands:")
listed = [l for l in lines[start + 1:] if l.strip()]
subs = json.load(open(sys.argv[2]))["subcommands"]
assert len(listed) == len(subs), (listed, [s["name"] for s in subs])
for line, sub in zip(listed, subs):
    assert line.split()[0] == sub["name"], line
    assert sub["summary"] in line and "\n" not in sub["summary"], line
print("\n".join(listed))
PY
run 0 "nettool p2p --help keeps the full description" -- p2p --help
[ "$(grep -c . "$WORK/out")" -gt 10 ] && grep -q "Karagiannis" "$WORK/out" && pass "p2p --help is complete" \
  || fail "p2p --help lost its description"

run 2 "--json with a mistyped subcommand" -- pign --json
json_error usage "did you mean 'ping'?" - && pass "JSON usage error: $(tr -d '\n' <"$WORK/out")" || fail "JSON for pign"
run 2 "--json before the subcommand" -- --json pign
json_error usage "unknown subcommand 'pign'" - && pass "JSON usage error (--json first)" || fail "JSON for --json pign"
run 2 "--json with a bad option value" -- ping --count abc 127.0.0.1 --json
json_error usage "--count" ping && pass "JSON usage error for --count abc" || fail "JSON for --count abc"
run 2 "--json with an unknown option" -- dnscheck --frobnicate --json
json_error usage "frobnicate" dnscheck && pass "JSON usage error for --frobnicate" || fail "JSON for --frobnicate"
run 2 "--json with an unreadable file (input error)" -- ike-log "$WORK/missing.log" --json
json_error input "missing.log" ike-log && pass "JSON input error" || fail "JSON for a missing file"
run 2 "--json with an unreadable capture (runtime error)" -- p2p -r "$WORK/missing.pcap" --json
json_error input "missing.pcap" p2p && pass "JSON runtime error from p2p" || fail "JSON for p2p -r missing"
grep -q "missing.pcap" "$WORK/err" && pass "the person still gets the line on stderr" || fail "no stderr line with --json"
run 3 "--json with a missing interface (could not run)" -- p2p nosuchif$$ --json
json_error environment "nosuchif$$" p2p && pass "JSON environment error, exit 3" || fail "JSON for p2p nosuchif"
run 2 "without --json, errors stay off stdout" -- ike-log "$WORK/missing.log"
[ -s "$WORK/out" ] && fail "stdout not empty without --json: $(cat "$WORK/out")"
run 2 "'--json' after '--' is an argument, not the flag" -- ike-log -- --json
[ -s "$WORK/out" ] && fail "JSON printed for an argument named --json"
finish
