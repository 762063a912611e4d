# Sourced by the dnscheck namespace tests: run nettool dnscheck in the client namespace $C and assert on its result.
# Needs NETTOOL, PY, C, WORK; counts failed assertions in FAILURES.
#   run_case NAME [dnscheck args...]      one run (may go to the background: `run_case a ... & run_case b ... & wait`)
#   expect NAME EXIT CODES                its exit status, the codes per resolver ("a,b;c") and the time bound
#   check NAME EXIT CODES [args...]       both, in the foreground
#   json_is NAME PYTHON-EXPR              an extra assertion on the last expected run's JSON (as `doc`)
FAILURES=0
BOUND_MS=${BOUND_MS:-3000}

run_case() {
    local name=$1
    shift
    # The clock runs inside the namespace around nettool alone: `ip netns exec` itself (mount namespace, /sys
    # remount) costs 100-400 ms on a busy machine and is not part of the command's time to diagnosis.
    TIMING_FILE="$WORK/$name.time" ip netns exec "$C" bash -c \
        'start=$(date +%s%N); "$@"; status=$?; echo "$status $((($(date +%s%N) - start) / 1000000))" >"$TIMING_FILE"' \
        timed "$NETTOOL" dnscheck --json --reach 10.204.1.1 "$@" >"$WORK/$name.json" 2>"$WORK/$name.err"
}

expect() {
    local name=$1 want_exit=$2 want_codes=$3 status elapsed got_codes ok=1
    read -r status elapsed <"$WORK/$name.time" 2>/dev/null || { status=999; elapsed=999999; }
    got_codes=$("$PY" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
print(";".join(",".join(d["code"] for d in s["diagnoses"]) for s in doc["servers"]))
' "$WORK/$name.json" 2>/dev/null)
    [ "$status" -eq "$want_exit" ] || ok=0
    [ "$got_codes" = "$want_codes" ] || ok=0
    [ "$elapsed" -lt "$BOUND_MS" ] || ok=0
    if [ $ok -eq 1 ]; then
        echo "ok   $name: exit $status, codes [$got_codes], ${elapsed} ms"
    else
        echo "FAIL $name: exit $status (want $want_exit), codes [$got_codes] (want [$want_codes]), ${elapsed} ms (bound ${BOUND_MS} ms)"
        echo "---- stderr:"; cat "$WORK/$name.err"; echo "---- stdout:"; cat "$WORK/$name.json"
        FAILURES=$((FAILURES + 1))
    fi
    LAST_JSON="$WORK/$name.json"
}

check() {
    local name=$1 want_exit=$2 want_codes=$3
    shift 3
    run_case "$name" "$@"
    expect "$name" "$want_exit" "$want_codes"
}

json_is() {
    if ! "$PY" -c '
import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)
' "$LAST_JSON" "$2"; then
        echo "FAIL $1: $2 does not hold"; FAILURES=$((FAILURES + 1))
    fi
}
