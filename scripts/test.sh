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
php -d extension="$so" tests/bench/engines.php "${BENCH_SECONDS:-1.5}"

# The WordPress suites run on a stack of their own (own directory and ports), so a site started by
# scripts/run.sh is left alone.
export SC_RUN_DIR="$repo/.run/test" SC_DB_PORT="${SC_TEST_DB_PORT:-33071}" SC_HTTP_PORT="${SC_TEST_HTTP_PORT:-8099}"
trap 'bash scripts/stack.sh stop >/dev/null 2>&1 || true' EXIT
wordpress_suites() {
  local engine=$1 cli_ext=()
  [[ $engine == native ]] && cli_ext=(-d extension="$so")
  bash scripts/stack.sh stop >/dev/null
  bash scripts/stack.sh start --engine "$engine"
  bash scripts/stack.sh reset-db
  eval "$(bash scripts/stack.sh env)"
  step "WordPress integration tests in the real WordPress ($engine engine)"
  SOLAR_CAPTURE_ENGINE=$engine php "${cli_ext[@]}" /usr/bin/phpunit -c tests/wp/phpunit.xml
  step "HTTP end-to-end through nginx + php-fpm ($engine engine in php-fpm)"
  php /usr/bin/phpunit -c tests/e2e/phpunit.xml
  step "Browser: wp-admin in headless Chromium ($engine engine; screenshots in $SC_RUN_DIR/screenshots-$engine)"
  SC_SCREENSHOT_DIR="$SC_RUN_DIR/screenshots-$engine" bash tests/browser/run.sh
  step "HTTP request time through nginx + php-fpm ($engine engine; figures only)"
  php tests/bench/http.php "${HTTP_BENCH_REQUESTS:-200}"
}
wordpress_suites native
# Without the extension, on the plugin as a site would install it: the packaged zip, unpacked.
bash scripts/package.sh "$SC_RUN_DIR/solar-capture.zip"
rm -rf "$SC_RUN_DIR/package" && mkdir -p "$SC_RUN_DIR/package"
unzip -q "$SC_RUN_DIR/solar-capture.zip" -d "$SC_RUN_DIR/package"
export SC_PLUGIN_DIR="$SC_RUN_DIR/package/solar-capture"
wordpress_suites php
bash scripts/stack.sh stop
