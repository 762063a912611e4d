# Sourced by the tests in tests/install: arguments, a scratch directory, failure counting, the CLI spec.
set -uo pipefail
NETTOOL=$1
SOURCE_DIR=$2
BUILD_DIR=${NETTOOL_BUILD_DIR:?NETTOOL_BUILD_DIR is set by tests/install/CMakeLists.txt}
command -v python3 >/dev/null || { echo "SKIPPED: python3 is not installed"; exit 77; }
WORK=$(mktemp -d)
cleanup_hooks=()
cleanup() {
  local hook
  for hook in "${cleanup_hooks[@]}"; do eval "$hook"; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }
finish() {
  if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
  echo "all checks passed"
  exit 0
}

# The command line as the binary defines it; spec_query 'PYTHON EXPRESSION over s' prints one result per line.
"$NETTOOL" --cli-spec >"$WORK/spec.json" || { echo "FAIL: nettool --cli-spec"; exit 1; }
spec_query() {
  python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("\n".join(eval(sys.argv[2])))' "$WORK/spec.json" "$1"
}
SUBCOMMANDS=$(spec_query '[x["name"] for x in s["subcommands"]]')

# Installs the build into PREFIX with cmake --install.
install_into() {
  cmake --install "$BUILD_DIR" --prefix "$1" >"$WORK/install.log" 2>&1 || {
    echo "FAIL: cmake --install"; cat "$WORK/install.log"; exit 1; }
}
