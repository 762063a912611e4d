# zsh -f zsh_candidates.zsh COMPLETION_DIR WORD...: the candidates zsh's completion system offers for TAB after
# "WORD...", one per line. An interactive zsh runs under zsh/zpty with compinit over COMPLETION_DIR; compadd is
# wrapped to print each match it is given.
zmodload zsh/zpty || exit 77
dir=$1; shift
zpty shell zsh -f -i
zpty -w shell "PS1=''; unsetopt zle_bracketed_paste 2>/dev/null; fpath=($dir \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w shell 'compadd() { if (( ${@[(I)-[OAD]]} )); then builtin compadd "$@"; return; fi
  local -a hits; builtin compadd -A hits "$@"; local h; for h in $hits; do print -r -- "<<match:$h>>"; done
  builtin compadd "$@"; }'
# ^T completes, then prints a marker: the end of the matches is known without guessing at timing.
zpty -w shell 'complete-then-mark() { zle complete-word; print -r -- "<<done>>"; }; zle -N complete-then-mark; bindkey "^T" complete-then-mark'
zpty -w shell "print -r -- '<<ready>>'"
output=
read_until() {  # PATTERN: reads the shell's output until it matches, for at most 10 s
  local chunk tries=0
  while [[ $output != *$1* ]] && (( tries++ < 200 )); do
    if zpty -r -t shell chunk; then output+=$chunk; else sleep 0.05; fi
  done
}
read_until '<<ready>>'$'\r'
output=
zpty -n -w shell "$*"$'\x14'
read_until '<<done>>'
zpty -d shell
print -r -- "$output" | grep -o '<<match:[^>]*>>' | sed 's/^<<match://; s/>>$//' | sort -u
