#!/usr/bin/env bash
# nettool spf against the reference implementations pyspf (python3-spf) and Mail::SPF (libmail-spf-perl) on 400
# generated policy trees served from a local DNS server (tests/spf/differential.py). Fails on any disagreement not
# listed, with its RFC section, in tests/spf/differential-expectations.txt.
# Usage: spf_differential.sh NETTOOL SOURCE_DIR
set -u
py=/usr/bin/python3; [ -x "$py" ] || py=python3
nettool=$1
src=$2
if ! "$py" -c 'import dnslib, spf, DNS' 2>/dev/null; then
  echo "SKIPPED: python3-dnslib or python3-spf is not installed (scripts/install-deps installs them)"
  exit 77
fi
if ! perl -MMail::SPF -MNet::DNS -e 1 2>/dev/null; then
  echo "SKIPPED: libmail-spf-perl is not installed (scripts/install-deps installs it)"
  exit 77
fi
exec "$py" "$src/tests/spf/differential.py" "$nettool" --seeds 1,2 --trees 200
