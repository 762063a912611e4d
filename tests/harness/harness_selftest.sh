#!/usr/bin/env bash
# Checks the Catch2 harness from outside, as CTest sees it (see tests/harness/CMakeLists.txt).
#   harness_selftest.sh TEST_HARNESS_BINARY BUILD_DIR
set -u
TEST_HARNESS=${1:?usage: harness_selftest.sh TEST_HARNESS_BINARY BUILD_DIR}
BUILD_DIR=${2:?usage: harness_selftest.sh TEST_HARNESS_BINARY BUILD_DIR}
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
out=$(mktemp)
trap 'rm -f "$out"' EXIT

expect_status() {  # WANT WHAT ARGS...
    local want=$1 what=$2
    shift 2
    "$TEST_HARNESS" "$@" >"$out" 2>&1
    local got=$?
    if [ "$got" -eq "$want" ]; then echo "ok: $what (exit $got)"; else fail "$what: exit $got, expected $want"; cat "$out"; fi
}

expect_status 77 "NETTOOL_SKIP after passing checks exits 77" '[.harness-skip]' -w NoTests
grep -q "SKIPPED: the harness self-test skips on purpose" "$out" || fail "the skip reason is not printed"
expect_status 1 "a failed check before a skip is a failure" '[.harness-fail-then-skip]' -w NoTests
expect_status 1 "77 failed checks exit 1, not the skip status" '[.harness-77-failures]' -w NoTests
expect_status 2 "a filter matching no test case fails" 'harness: no such test case' -w NoTests
grep -q "No test cases matched" "$out" || fail "Catch2 did not say that nothing matched"

# Every CTest entry of a Catch2 executable is its whole test case name, ';' included.
ctest --test-dir "$BUILD_DIR" -N -R '^harness: a name with' >"$out" 2>&1
grep -qF 'harness: a name with ; and , [in brackets] "quoted" \ runs whole; every part' "$out" ||
    { fail "the CTest entry does not carry the whole name"; cat "$out"; }
# Every entry runs with -w NoTests, so an entry whose filter selects nothing fails instead of passing.
for tests_file in $(find "$BUILD_DIR/tests" -name '*_tests.cmake'); do
    if grep '^add_test' "$tests_file" | grep -qv -- ' -w NoTests)$'; then
        fail "$tests_file: an entry runs without -w NoTests"
    fi
done

# scripts/skipped-tests (what scripts/test runs after ctest): a skip outside the allow-list fails, with its reason.
SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
junit=$(mktemp) allow=$(mktemp)
trap 'rm -f "$out" "$junit" "$allow"' EXIT
cat >"$junit" <<'XML'
<testsuite tests="3"><testcase name="runs" status="run"><system-out>fine</system-out></testcase>
<testcase name="skips; allowed" status="notrun"><skipped message="SKIP_RETURN_CODE=77"/><system-out>x
  SKIPPED: needs the moon
  and the stars

other output</system-out></testcase>
<testcase name="skips quietly" status="notrun"><skipped message="SKIP_RETURN_CODE=77"/><system-out>x</system-out></testcase>
</testsuite>
XML
printf '# why: the moon\nskips; allowed\n' >"$allow"
"$SOURCE_DIR/scripts/skipped-tests" "$junit" "$allow" >"$out" 2>&1
status=$?
[ "$status" -eq 1 ] || fail "skipped-tests exited $status with a skip that printed no reason (expected 1)"
grep -q "skips; allowed: needs the moon and the stars  \[allowed\]" "$out" ||
    { fail "allowed skip not listed with its whole (wrapped) reason"; cat "$out"; }
grep -q "skips quietly: -  \[NO REASON PRINTED\]" "$out" || { fail "reasonless skip not flagged"; cat "$out"; }
sed -i '/skips quietly/d' "$junit"
"$SOURCE_DIR/scripts/skipped-tests" "$junit" "$allow" >"$out" 2>&1 || { fail "an allowed skip failed the run"; cat "$out"; }
"$SOURCE_DIR/scripts/skipped-tests" "$junit" /dev/null >"$out" 2>&1 && fail "a skip outside the allow-list passed"
grep -q "NOT ALLOWED" "$out" || fail "the unexpected skip is not named"

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "the harness keeps names whole, fails unmatched filters and reports skips"
