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
# "N passed, N failed", and the exit status
finish() {
  echo "$passed passed, $failed failed"
  [ $failed -eq 0 ]
}
