#!/usr/bin/env bash
# cpack -G DEB, then the package installed with dpkg into a throwaway root (dpkg --root, maintainer scripts run
# chrootless with DPKG_ROOT): Depends computed by dpkg-shlibdeps and satisfiable here (apt-get -s), the files in
# place, the postinst grants cap_net_raw+ep. An unprivileged user (nobody), in a network namespace of our own,
# runs nettool --version and nettool ping 127.0.0.1 -c 1 (also forced onto a raw socket) and captures on lo
# (nettool p2p lo); without the capability the raw ping and the capture exit 3. prerm takes the capability away,
# a failed upgrade's postinst gives it back, dpkg -r removes the binary.
source "$(dirname "$0")/common.sh"
[ "$(id -u)" -eq 0 ] || { echo "SKIPPED: needs root (setcap, setpriv, network namespace)"; exit 77; }
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps setcap getcap setpriv ip; do
  command -v "$tool" >/dev/null || { echo "SKIPPED: $tool is not installed (scripts/install-deps)"; exit 77; }
done
chmod 755 "$WORK"  # nobody must reach the installed binary

# The file system must keep file capabilities (security.capability xattrs) for any of this to mean anything.
cp "$NETTOOL" "$WORK/probe" && setcap cap_net_raw+ep "$WORK/probe" 2>/dev/null \
  || { echo "SKIPPED: $WORK does not keep file capabilities"; exit 77; }

if ! cpack -G DEB --config "$BUILD_DIR/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1; then
  echo "FAIL: cpack -G DEB"; cat "$WORK/cpack.log"; exit 1
fi
deb=$(ls "$WORK"/pkg/nettool_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "FAIL: cpack made no nettool_*.deb"; cat "$WORK/cpack.log"; exit 1; }
pass "cpack made ${deb##*/}"

depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
dependency_names=$(tr ',' '\n' <<<"$depends" | awk '{print $1}')
for needed in libpcap0.8 libc-ares2 libstdc++6 libc6 libcap2-bin; do
  grep -qxF "$needed" <<<"$dependency_names" && pass "Depends names $needed" || fail "Depends lacks $needed"
done
# Every dependency is installed here, so 'apt install ./nettool_*.deb' needs nothing from the network.
for name in $dependency_names; do
  dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q "install ok installed" \
    || fail "dependency $name is not installed on this system"
done
if command -v apt-get >/dev/null; then
  if apt-get install -s "$deb" >"$WORK/apt.log" 2>&1 && grep -q '^Inst nettool ' "$WORK/apt.log"; then
    pass "apt-get install -s ./${deb##*/}: installable here"
  else
    fail "apt-get install -s refuses the package"; sed 's/^/  /' "$WORK/apt.log"
  fi
fi
dpkg-deb -e "$deb" "$WORK/control"
for script in postinst prerm; do
  [ -x "$WORK/control/$script" ] && pass "$script is in the package" || fail "$script missing from the package"
done

root=$WORK/root
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
dpkg_root() { dpkg --root="$root" --force-script-chrootless --log=/dev/null "$@"; }
# The throwaway root has no package database, so its Depends cannot be met there (they are on the host, above).
if dpkg_root --force-depends -i "$deb" >"$WORK/dpkg.log" 2>&1; then pass "dpkg --root -i installed the package"; else
  fail "dpkg --root -i"; cat "$WORK/dpkg.log"; fi
binary=$root/usr/bin/nettool
for file in usr/bin/nettool usr/share/man/man1/nettool.1 usr/share/man/man1/nettool-dnscheck.1 \
            usr/share/bash-completion/completions/nettool usr/share/zsh/vendor-completions/_nettool \
            usr/share/doc/nettool/README.md; do
  [ -f "$root/$file" ] || fail "/$file is not in the installed package"
done
caps=$(getcap "$binary")
grep -q "cap_net_raw=ep" <<<"$caps" && pass "postinst set the capability: $caps" || fail "no cap_net_raw=ep after install: '$caps'"

NS=ntinstall-deb-$$
ip netns add "$NS" || { echo "FAIL: cannot create namespace $NS"; exit 1; }
cleanup_hooks+=("ip netns del $NS 2>/dev/null")
ip netns exec "$NS" ip link set lo up
as_nobody() { ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

as_nobody id -u | grep -qx "$(id -u nobody)" || fail "setpriv did not switch to nobody"
if out=$(as_nobody "$binary" --version 2>&1); then pass "nobody: nettool --version: $out"; else fail "nobody: nettool --version: $out"; fi
if as_nobody "$binary" ping 127.0.0.1 -c 1 >"$WORK/ping.out" 2>&1; then
  pass "nobody: nettool ping 127.0.0.1 -c 1 exits 0"
else
  fail "nobody: nettool ping 127.0.0.1 -c 1 exited $?"; sed 's/^/  /' "$WORK/ping.out"
fi
grep -q "1 packets transmitted, 1 received" "$WORK/ping.out" || fail "ping did not report 1 of 1 received"
if as_nobody "$binary" ping 127.0.0.1 -c 1 -W 1 --socket raw --json >"$WORK/raw.json" 2>"$WORK/raw.err"; then
  pass "nobody: nettool ping --socket raw works with the capability"
else
  fail "nobody: ping --socket raw exited $?"; sed 's/^/  /' "$WORK/raw.err"
fi
# The control: the same binary without the capability may not open a raw socket.
cp "$binary" "$WORK/nocap" && chmod 755 "$WORK/nocap"
as_nobody "$WORK/nocap" ping 127.0.0.1 -c 1 -W 1 --socket raw >"$WORK/nocap.out" 2>&1
status=$?
[ "$status" -eq 3 ] && pass "without the capability, a raw ping exits 3: $(head -1 "$WORK/nocap.out")" \
  || { fail "without the capability a raw ping exited $status, expected 3"; sed 's/^/  /' "$WORK/nocap.out"; }

# Capture without root: nobody captures on the namespace's loopback while root pings across it.
as_nobody "$binary" p2p lo -B 8192 --duration 3 --json >"$WORK/capture.json" 2>"$WORK/capture.err" &
capture=$!
sleep 0.5
# A small ring (-B) opens at once; the pings cover most of the window all the same.
ip netns exec "$NS" "$NETTOOL" ping 127.0.0.1 -c 8 -i 0.2 -W 1 >/dev/null 2>&1
wait "$capture"
status=$?
packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["packets"])' "$WORK/capture.json" 2>/dev/null)
if [ "$status" -eq 0 ] && [ "${packets:-0}" -ge 6 ]; then
  pass "nobody: nettool p2p lo captured $packets packets with the capability"
else
  fail "nobody: capture exited $status with '${packets:-no}' packets"; sed 's/^/  /' "$WORK/capture.err"
fi
as_nobody "$WORK/nocap" p2p lo --duration 1 >"$WORK/nocap.out" 2>&1
status=$?
[ "$status" -eq 3 ] && pass "without the capability, capture exits 3" || fail "capture without the capability exited $status"

# prerm (upgrade) takes the capability away; the old postinst after a failed upgrade (abort-upgrade) gives it back.
DPKG_ROOT=$root sh "$root/var/lib/dpkg/info/nettool.prerm" upgrade 0.1.1
[ -z "$(getcap "$binary")" ] && pass "prerm upgrade removed the capability" || fail "prerm left: $(getcap "$binary")"
DPKG_ROOT=$root sh "$root/var/lib/dpkg/info/nettool.postinst" abort-upgrade 0.1.1
grep -q "cap_net_raw=ep" <<<"$(getcap "$binary")" && pass "postinst abort-upgrade restored the capability" \
  || fail "postinst abort-upgrade did not restore the capability"

if dpkg_root -r nettool >"$WORK/remove.log" 2>&1; then pass "dpkg --root -r removed the package"; else
  fail "dpkg --root -r"; cat "$WORK/remove.log"; fi
[ ! -e "$binary" ] && pass "the binary is gone" || fail "$binary is still there after removal"
finish
