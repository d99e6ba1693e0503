#!/usr/bin/env bash
# Runs PHP with the extension under valgrind over the corpus; fails unless 0 bytes are definitely lost.
# Usage: bash scripts/leak-check.sh [rounds]   (needs target/release/libsolar_capture.so and valgrind)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
log=$(mktemp)
USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1 valgrind --leak-check=full --error-exitcode=99 --log-file="$log" \
  php -n -d pcre.jit=0 -d extension="$repo/target/release/libsolar_capture.so" "$repo/tests/bench/leak_check.php" "${1:-5}"
grep -E "definitely lost|indirectly lost|ERROR SUMMARY" "$log"
if ! grep -qE "definitely lost: 0 bytes in 0 blocks|All heap blocks were freed" "$log"; then
  echo "valgrind reports memory definitely lost: full log in $log" >&2
  exit 1
fi
