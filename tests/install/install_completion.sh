#!/usr/bin/env bash
# The installed bash completion, exercised as bash calls it (COMP_WORDS, COMP_CWORD, then the function): the
# candidates for "nettool d", "nettool dnscheck --", a fixed set of values, interface names and file names, each
# compared with what nettool --cli-spec and the system say. The zsh completion must parse (zsh -n) when zsh is here.
source "$(dirname "$0")/common.sh"
prefix=$WORK/prefix
install_into "$prefix"
bash_completion=$prefix/share/bash-completion/completions/nettool

# candidates WORD...: the sorted candidates for completing the last WORD.
candidates() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _nettool
           printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_completion" "$@" | sed '/^$/d' | sort
}
# expect_candidates DESCRIPTION "EXPECTED (newline-separated)" WORD...
expect_candidates() {
  local what=$1 want; want=$(printf '%s\n' "$2" | sed '/^$/d' | sort); shift 2
  local got; got=$(candidates "$@")
  if [ "$got" = "$want" ]; then pass "$what: $(tr '\n' ' ' <<<"$got")"; else
    fail "$what"; diff <(echo "$want") <(echo "$got") | sed 's/^/  /'; fi
}

bash -n "$bash_completion" && pass "bash completion parses" || fail "bash completion does not parse"
expect_candidates "nettool d" "$(grep '^d' <<<"$SUBCOMMANDS")" nettool d
[ -n "$(grep '^d' <<<"$SUBCOMMANDS")" ] || fail "no subcommand starts with d (dnscheck expected)"
expect_candidates "nettool <TAB>" "$SUBCOMMANDS" nettool ""
expect_candidates "nettool dnscheck --" \
  "$(spec_query '["--" + l for x in s["subcommands"] if x["name"] == "dnscheck" for o in x["options"] for l in o["long"]]')" \
  nettool dnscheck --
expect_candidates "nettool --v" "--version" nettool --v
expect_candidates "nettool ping --socket <TAB>" \
  "$(spec_query '[c for x in s["subcommands"] if x["name"] == "ping" for o in x["options"] if "socket" in o["long"] for c in o["choices"]]')" \
  nettool ping --socket ""
expect_candidates "nettool ike-log --format s" \
  "$(spec_query '[c for x in s["subcommands"] if x["name"] == "ike-log" for o in x["options"] if "format" in o["long"] for c in o["choices"] if c.startswith("s")]')" \
  nettool ike-log --format s
expect_candidates "nettool link <TAB> (interfaces)" "$(ls /sys/class/net)" nettool link ""
expect_candidates "nettool p2p <TAB> (interfaces)" "$(ls /sys/class/net)" nettool p2p ""
mkdir -p "$WORK/files/capdir" && touch "$WORK/files/cap1.pcap" "$WORK/files/cap2.pcapng"
expect_candidates "nettool p2p -r FILE" "$(printf '%s\n' "$WORK/files/cap1.pcap" "$WORK/files/cap2.pcapng" "$WORK/files/capdir")" \
  nettool p2p -r "$WORK/files/cap"
expect_candidates "nettool ike-log FILE" "$(printf '%s\n' "$WORK/files/cap1.pcap" "$WORK/files/cap2.pcapng" "$WORK/files/capdir")" \
  nettool ike-log "$WORK/files/cap"
expect_candidates "nettool ping -c <TAB> (a number: nothing to offer)" "" nettool ping -c ""

zsh_completion=$prefix/share/zsh/vendor-completions/_nettool
head -1 "$zsh_completion" | grep -qx '#compdef nettool' && pass "_nettool starts with #compdef nettool" \
  || fail "_nettool lacks #compdef nettool"
for sub in $SUBCOMMANDS; do grep -q "^_nettool_${sub//-/_}()" "$zsh_completion" || fail "_nettool has no function for $sub"; done
if command -v zsh >/dev/null; then
  zsh -n "$zsh_completion" && pass "zsh completion parses (zsh -n)" || fail "zsh -n _nettool"
  # zsh_expect DESCRIPTION "EXPECTED" WORD...: the candidates of zsh's completion system (compinit, TAB).
  zsh_expect() {
    local what=$1 want got; want=$(printf '%s\n' "$2" | sed '/^$/d' | sort); shift 2
    got=$(cd "$WORK" && zsh -f "$(dirname "$0")/zsh_candidates.zsh" "${zsh_completion%/*}" "$@")
    if [ "$got" = "$want" ]; then pass "zsh: $what: $(tr '\n' ' ' <<<"$got")"; else
      fail "zsh: $what"; diff <(echo "$want") <(echo "$got") | sed 's/^/  /'; fi
  }
  zsh_expect "nettool d" "$(grep '^d' <<<"$SUBCOMMANDS")" nettool d
  zsh_expect "nettool dnscheck --" \
    "$(spec_query '["--" + l for x in s["subcommands"] if x["name"] == "dnscheck" for o in x["options"] for l in o["long"]]')" \
    nettool dnscheck --
  zsh_expect "nettool ping --socket <TAB>" "$(printf '%s\n' auto datagram raw)" nettool ping --socket ""
  zsh_expect "nettool p2p -r FILE" "$(printf '%s\n' cap1.pcap cap2.pcapng capdir)" nettool p2p -r "$WORK/files/cap"
else
  echo "note: zsh is not installed; the zsh completion was not tried"
fi
finish
