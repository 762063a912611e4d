# Shared by the ping script tests (sourced, not run): counted failures and the checks on a command's output.
# The caller sets WORK (a scratch directory); `failures` counts what went wrong.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect STATUS DESCRIPTION -- command...: runs it, keeps stdout/stderr in $WORK/out, $WORK/err.
expect() {
  local want=$1 what=$2; shift 3
  "$@" >"$WORK/out" 2>"$WORK/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$what: exit $got, expected $want"; sed 's/^/  stdout: /' "$WORK/out" | head -60; sed 's/^/  stderr: /' "$WORK/err"
    return 1
  fi
  echo "ok: $what (exit $got)"
}
# json_check DESCRIPTION PYTHON-EXPRESSION: evaluates it with d = the JSON document in $WORK/out.
json_check() {
  if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
      "$WORK/out" "$2"; then
    fail "$1: $2"; head -c 4000 "$WORK/out"; echo
  fi
}
# contains out|err TEXT: the fixed TEXT is in $WORK/out or $WORK/err.
contains() { grep -qF -- "$2" "$WORK/$1" || { fail "missing in $1: $2"; sed 's/^/  | /' "$WORK/$1"; }; }
# The diagnosis codes of the JSON document, for json_check expressions.
codes='[x["code"] for x in d["diagnoses"]]'
