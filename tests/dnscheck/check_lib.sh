# Sourced by the dnscheck namespace tests: run nettool dnscheck in the client namespace $C and assert on its result.
# Needs NETTOOL, PY, C, WORK (test_prologue sets the last three); counts failed assertions in FAILURES.
#   test_prologue PREFIX TOOL...          skips (77) without root, a TOOL, python3 or dnslib; names the namespaces
#                                         PREFIX-{c,r,s}-PID in C, R, S and makes WORK
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

test_prologue() {
    local prefix=$1 tool
    shift
    [ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root (network namespaces, nftables)"; exit 77; }
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed"; exit 77; }
    done
    PY=/usr/bin/python3
    [ -x "$PY" ] || PY=$(command -v python3) || { echo "SKIPPED: python3 is not installed"; exit 77; }
    "$PY" -c 'import dnslib' 2>/dev/null || { echo "SKIPPED: python3-dnslib is not installed"; exit 77; }
    C=$prefix-c-$$
    R=$prefix-r-$$
    S=$prefix-s-$$
    WORK=$(mktemp -d "/tmp/$prefix-XXXXXX")
    chmod 755 "$WORK"  # the servers read their configs from here
}
