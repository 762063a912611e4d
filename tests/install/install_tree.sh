#!/usr/bin/env bash
# cmake --install into a temporary prefix puts exactly the expected files in the GNUInstallDirs layout: the binary,
# one man page per subcommand plus nettool(1), bash and zsh completion, the docs pages.
source "$(dirname "$0")/common.sh"
prefix=$WORK/prefix
install_into "$prefix"

expected=(bin/nettool share/man/man1/nettool.1 share/bash-completion/completions/nettool
          share/zsh/vendor-completions/_nettool share/doc/nettool/README.md)
for sub in $SUBCOMMANDS; do expected+=("share/man/man1/nettool-$sub.1"); done
for page in "$SOURCE_DIR"/docs/*.md; do expected+=("share/doc/nettool/${page##*/}"); done
printf '%s\n' "${expected[@]}" | sort >"$WORK/expected"
(cd "$prefix" && find . -type f | sed 's|^\./||' | sort) >"$WORK/installed"
if diff -u "$WORK/expected" "$WORK/installed"; then
  pass "installed files are exactly the $(wc -l <"$WORK/expected") expected ones"
else
  fail "installed files differ from the expected list (- expected, + installed)"
fi

[ -x "$prefix/bin/nettool" ] && pass "bin/nettool is executable" || fail "bin/nettool is not executable"
version=$("$prefix/bin/nettool" --version)
grep -qE '^nettool [0-9]+\.[0-9]+\.[0-9]+$' <<<"$version" && pass "installed nettool --version: $version" \
  || fail "installed nettool --version printed '$version'"
for page in "$prefix"/share/man/man1/*.1; do
  head -3 "$page" | grep -q '^\.TH ' && pass "${page##*/} has a .TH header" || fail "${page##*/} has no .TH header"
done
for doc in "${expected[@]}"; do
  case $doc in share/doc/*) cmp -s "$prefix/$doc" "$SOURCE_DIR/${doc#share/doc/nettool/}" 2>/dev/null \
    || cmp -s "$prefix/$doc" "$SOURCE_DIR/docs/${doc#share/doc/nettool/}" \
    || fail "$doc is not the source's copy" ;; esac
done
finish
