#!/usr/bin/env bash
# The installed man pages: groff -man -ww -z and man -l render them without a warning; each has the sections of
# a Debian man page; every option of every subcommand (as nettool --cli-spec lists them) has its entry in the
# OPTIONS section of its page. The checker itself is shown to catch a page with an option's entry removed.
source "$(dirname "$0")/common.sh"
command -v groff >/dev/null || { echo "SKIPPED: groff is not installed (apt-get install groff-base)"; exit 77; }
command -v man >/dev/null || { echo "SKIPPED: man is not installed (apt-get install man-db)"; exit 77; }
prefix=$WORK/prefix
install_into "$prefix"
man1=$prefix/share/man/man1

render() { MANWIDTH=250 MAN_KEEP_FORMATTING=0 man -P cat --warnings=w -l "$1" 2>"$WORK/man.err" | col -b; }

# check_options PAGE SUBCOMMAND|"": every option's label ("-c, --count", "HOST") opens a line of OPTIONS.
check_options() {
  render "$1" >"$WORK/rendered"
  python3 - "$WORK/spec.json" "$2" "$WORK/rendered" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
options = spec["options"] if not sys.argv[2] else next(s for s in spec["subcommands"] if s["name"] == sys.argv[2])["options"]
lines = open(sys.argv[3]).read().split("\n")
start = next(i for i, l in enumerate(lines) if l.strip() == "OPTIONS")
end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i][0].isspace()), len(lines))
section = [l.strip() for l in lines[start + 1:end]]
missing = []
for o in options:
    label = o["name"] if o["positional"] else ", ".join(["-" + x for x in o["short"]] + ["--" + x for x in o["long"]])
    if not any(l == label or l.startswith(label + " ") for l in section):
        missing.append(label)
if missing:
    print("no OPTIONS entry for: " + "; ".join(missing))
    sys.exit(1)
print("%d options, each with its entry" % len(options))
PY
}

pages=(nettool.1)
for sub in $SUBCOMMANDS; do pages+=("nettool-$sub.1"); done
for page in "${pages[@]}"; do
  [ -f "$man1/$page" ] || { fail "$page is not installed"; continue; }
  if groff -man -ww -z "$man1/$page" 2>"$WORK/groff.err" && [ ! -s "$WORK/groff.err" ]; then
    pass "$page: groff -man -ww -z without warnings"
  else
    fail "$page: groff warnings:"; sed 's/^/  /' "$WORK/groff.err"
  fi
  render "$man1/$page" >"$WORK/rendered"
  if [ -s "$WORK/man.err" ]; then fail "$page: man -l warnings:"; sed 's/^/  /' "$WORK/man.err"; else pass "$page: man -l without warnings"; fi
  sections=(NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" "SEE ALSO")
  [ "$page" != nettool.1 ] && sections+=("DIAGNOSIS CODES" EXAMPLES)
  for section in "${sections[@]}"; do
    grep -qx "$section" "$WORK/rendered" || fail "$page has no $section section"
  done
  sub=${page#nettool}; sub=${sub#-}; sub=${sub%.1}
  if out=$(check_options "$man1/$page" "$sub"); then pass "$page: $out"; else fail "$page: $out"; fi
done

# The check must fail when an option has no entry: drop ping's --count entry from a copy of its page.
python3 - "$man1/nettool-ping.1" "$WORK/nettool-ping.1" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
i = next(i for i, l in enumerate(lines) if l.startswith(r"\fB\-c\fR, \fB\-\-count\fR"))
del lines[i - 1:i + 2]  # .TP, the label, the text
open(sys.argv[2], "w").write("\n".join(lines))
PY
if out=$(check_options "$WORK/nettool-ping.1" ping); then
  fail "a page without --count passed the option check"
else
  grep -q -- "-c, --count" <<<"$out" && pass "a page without --count fails the check ($out)" || fail "unexpected: $out"
fi
finish
