#!/usr/bin/env bash
# The official RFC 7208 SPF test suite (203 tests, ../shared/corpus/spf) through ../shared/tools/spf-suite, which
# serves each scenario from a real DNS server on loopback. Fails unless every test passes, explanations included.
# Usage: spf_suite.sh NETTOOL SOURCE_DIR
set -u
py=/usr/bin/python3; [ -x "$py" ] || py=python3
nettool=$1
src=$2
shared=${NETTOOL_SHARED_DIR:-$src/../shared}
suite_tool=$shared/tools/spf-suite
if [ ! -x "$suite_tool" ] || [ ! -f "$shared/corpus/spf/rfc7208-tests.yml" ]; then
  echo "SKIPPED: $shared (tools/spf-suite and corpus/spf) is not present"
  exit 77
fi
if ! "$py" -c 'import yaml, dnslib' 2>/dev/null; then
  echo "SKIPPED: python3-yaml or python3-dnslib is not installed (scripts/install-deps installs them)"
  exit 77
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$suite_tool" --strict-exp --jobs 4 --timeout 60 \
  --cmd "$nettool spf --json --dns-server 127.0.0.1:{port} --timeout 1500 --tries 2 --ip {ip} --sender {mailfrom} --helo {helo} {domain}" \
  | tee "$out"
last=$(tail -n 1 "$out")
if [ "$last" != "203 passed, 0 failed" ]; then
  echo "FAIL: expected '203 passed, 0 failed', got '$last'"
  exit 1
fi
