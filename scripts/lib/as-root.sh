# Sourced by scripts/test, scripts/demo and scripts/install-deps. On a root-only Debian machine there is no sudo,
# so the README's commands carry none: the scripts raise themselves with sudo when they must and can.
#
# as_root_or_explain WHY SCRIPT ARGS...: as root, returns. Otherwise, when sudo exists, says so and re-runs SCRIPT
# with ARGS through sudo (does not return); without sudo, says what will be missing and returns (status 1).
as_root_or_explain() {
  local why=$1 script
  script=$(readlink -f "$2")
  shift 2
  [ "$(id -u)" -eq 0 ] && return 0
  if command -v sudo >/dev/null 2>&1; then
    echo "${script##*/}: not root; running again with sudo (root is needed for: $why)" >&2
    exec sudo -- "$script" "$@"
  fi
  echo "${script##*/}: not root and no sudo: carrying on as $(id -un), without: $why" >&2
  return 1
}
