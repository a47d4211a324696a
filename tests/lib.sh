# lib.sh - what the shell tests share: a temporary directory removed at
# exit, the pass/fail counters, and the closing line CTest and CI read.
# Sourced by each tests/*/test_*.sh after `set -u`.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
rows() { sqlite3 "$1" "select count(*) from conversations" 2>/dev/null || echo 0; }
# Emulation needs root, /dev/net/tun and ip (and whatever else is named):
# without them, exit 77 with the reason (CTest: skipped), or fail under
# CI=true, where a missing capability is never a silent skip.
need_emulation() {
  why=""
  [ "$(id -u)" -eq 0 ] || why="not root"
  [ -c /dev/net/tun ] || why="${why:+$why, }no /dev/net/tun"
  for t in ip "$@"; do
    command -v "$t" >/dev/null 2>&1 || why="${why:+$why, }no $t"
  done
  [ -z "$why" ] && return 0
  echo "emulation cannot run here: $why" >&2
  [ "${CI:-}" = true ] && { echo "FAIL: required under CI"; exit 1; }
  exit 77
}
# interrupt PID PATTERN [SIGNAL]: SIGNAL (default INT) to PID once a
# namespace matching PATTERN exists (or after 5 s), then its exit status
# in $st
interrupt() {
  tries=0
  until ip netns list | grep -q "$2" || [ $tries -ge 500 ]; do
    tries=$((tries + 1)); sleep 0.01
  done
  kill -"${3:-INT}" "$1"; wait "$1"; st=$?
}
# sum FILE: its SHA-256 (nothing for what is not a regular file: a
# device such as /dev/full would be read forever)
sum() { [ -f "$1" ] && sha256sum "$1" | cut -d' ' -f1; }
# expect2 TEXT COMMAND...: the command exits 2 with TEXT on stderr
expect2() {
  want="$1"; shift
  "$@" >"$tmp/o" 2>"$tmp/e"; rc=$?
  if [ $rc -eq 2 ] && grep -qF -- "$want" "$tmp/e"; then ok
  else bad "$*: exit $rc, wanted 2 and \"$want\": $(head -c 300 "$tmp/e")"; fi
}
# "N passed, N failed", and the exit status
finish() {
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ]
}
