#!/usr/bin/env bash
# Installs what is needed and runs every test: Rust core + corpus + fuzz, PHPUnit with the extension
# and with the pure-PHP engine (same suite), parity, stub check, then the benchmark figures.
# Usage: bash scripts/test.sh        (FUZZ_SECONDS, PARITY_MUTATIONS, BENCH_SECONDS tune the bounded parts)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

bash scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

step "Rust: core unit tests, shared corpus, bounded fuzzing (${FUZZ_SECONDS:=10}s per target)"
FUZZ_SECONDS=$FUZZ_SECONDS cargo test --no-default-features --release

step "Build the extension"
cargo build --release
so="$repo/target/release/libsolar_capture.so"
php -d extension="$so" --ri solar_capture

step "PHPUnit with the native extension (engine, parity, stub)"
SOLAR_CAPTURE_ENGINE=native SOLAR_CAPTURE_SO="$so" php -d extension="$so" /usr/bin/phpunit -c tests/php/phpunit.xml

step "PHPUnit with the pure-PHP engine (the same engine suite, extension absent)"
SOLAR_CAPTURE_ENGINE=php php /usr/bin/phpunit -c tests/php/phpunit.xml --exclude-group native

step "valgrind: PHP with the extension over the corpus, 0 bytes definitely lost"
bash scripts/leak-check.sh 20

step "Benchmark (figures only)"
php -d extension="$so" tests/bench/engines.php "${BENCH_SECONDS:-0.5}"
