#!/usr/bin/env bash
# Installs what is needed and runs every test: lint (scripts/lint.sh), Rust core + corpus + fuzz, PHPUnit
# with the extension and with the pure-PHP engine (same suite), parity, stub check, valgrind,
# coverage-guided fuzzing (scripts/fuzz.sh), the benchmark figures, then the WordPress, HTTP, browser,
# fault and flood suites on private stacks, with both engines.
#
# Usage: bash scripts/test.sh           the full run (CI: .ci/run), release builds
#        bash scripts/test.sh --fast    Rust core + both engine PHPUnit suites only, dev build: no lint,
#                                       no WordPress, no valgrind, no benchmark (FUZZ_SECONDS defaults to 2)
#        bash scripts/test.sh --fast --lint   the same, with scripts/lint.sh first
# FUZZ_SECONDS, FUZZ_TARGET_SECONDS, PARITY_MUTATIONS, BENCH_SECONDS, SCALE_LEADS, RECONCILE_BOOKINGS,
# FLOOD_REQUESTS, FAULT_DELIVERIES tune the bounded parts.
# In the full run a lint failure does not stop the tests: it is reported again at the end and makes the
# run fail.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

fast=false lint=auto
for arg in "$@"; do
  case $arg in
    --fast) fast=true ;;
    --lint) lint=true ;;
    -h | --help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'test: unknown option %s (usage: bash scripts/test.sh [--fast [--lint]])\n' "$arg" >&2; exit 2 ;;
  esac
done
[[ $lint == auto ]] && { if [[ $fast == true ]]; then lint=false; else lint=true; fi; }
started=$(date +%s%N)

bash scripts/install-deps.sh
# Only when missing: a PATH that changes between runs makes cargo re-run ext-php-rs's bindgen (slow).
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

step() { printf '\n==> %s\n' "$*"; }

lint_failed=false
if [[ $lint == true ]]; then
  bash scripts/lint.sh || lint_failed=true
fi

# engine_suites PROFILE FUZZ_SECONDS: the Rust core, the extension built with PROFILE (debug: the dev
# profile, release), and both engine PHPUnit suites; sets $so to the extension built.
engine_suites() {
  local profile=$1 fuzz=$2 flags=()
  [[ $profile == release ]] && flags=(--release)
  step "Rust: core unit tests, shared corpus, bounded fuzzing (${fuzz}s per target; $profile)"
  FUZZ_SECONDS=$fuzz cargo test --no-default-features "${flags[@]}"

  step "Build the extension ($profile)"
  cargo build "${flags[@]}"
  so="$repo/target/$profile/libsolar_capture.so"
  php -d extension="$so" --ri solar_capture

  step "PHPUnit with the native extension (engine, parity, stub)"
  SOLAR_CAPTURE_ENGINE=native SOLAR_CAPTURE_SO="$so" php -d extension="$so" /usr/bin/phpunit -c tests/php/phpunit.xml

  step "PHPUnit with the pure-PHP engine (the same engine suite, extension absent)"
  SOLAR_CAPTURE_ENGINE=php php /usr/bin/phpunit -c tests/php/phpunit.xml --exclude-group native
}

# Fast mode prints its time at the end, passed or not.
fast_done() {
  local rc=$? ms=$((($(date +%s%N) - started) / 1000000))
  local took="$((ms / 1000)).$((ms % 1000 / 100))s"
  if ((rc == 0)); then
    printf '\ntest --fast: all passed in %s\n' "$took"
  else
    printf '\ntest --fast: FAILED (exit %d) after %s\n' "$rc" "$took" >&2
  fi
}

if [[ $fast == true ]]; then
  trap fast_done EXIT
  engine_suites debug "${FUZZ_SECONDS:-2}"

  if [[ $lint_failed == true ]]; then
    printf '\ntest: the tests passed but lint failed (see the lint steps above)\n' >&2
    exit 1
  fi
  exit 0
fi

engine_suites release "${FUZZ_SECONDS:-10}"

step "valgrind: PHP with the extension over the corpus, 0 bytes definitely lost"
bash scripts/leak-check.sh 20
step "Coverage-guided fuzzing with libFuzzer: normalisation and header parsing (${FUZZ_TARGET_SECONDS:-60} s per target; fails on a crash)"
bash scripts/fuzz.sh

step "Benchmark (figures only)"
php -d extension="$so" tests/bench/engines.php "${BENCH_SECONDS:-1.5}"

# The WordPress suites run on a stack of their own (own directory and ports), so a site started by
# scripts/run.sh is left alone.
export SC_RUN_DIR="$repo/.run/test" SC_DB_PORT="${SC_TEST_DB_PORT:-33071}" SC_HTTP_PORT="${SC_TEST_HTTP_PORT:-8099}"
trap 'bash scripts/stack.sh stop >/dev/null 2>&1 || true; bash scripts/prism.sh stop 2>/dev/null || true' EXIT
step "Stoplight Prism mocking Cal.com's API v2 from its OpenAPI document (tests/wp/CalcomContractTest.php)"
# Assigned first: a failed start (npm unreachable, say) stops the run here, not as four failed tests later.
prism_env=$(bash scripts/prism.sh start)
eval "$prism_env"
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
  step "Browser: the enquiry form with and without JavaScript, and Cal.com's embed (Playwright; $engine engine)"
  SC_SCREENSHOT_DIR="$SC_RUN_DIR/screenshots-form-$engine" bash tests/browser/form.sh
  step "Browser: connect Cal.com, reconcile, disconnect on the Integrations tab (Playwright, fake Cal.com API; $engine engine)"
  SC_SCREENSHOT_DIR="$SC_RUN_DIR/screenshots-integrations-$engine" bash tests/browser/integrations.sh
  step "Browser: what the sales team sees: Mine, stage, note, stage filter, export, the week (Playwright; $engine engine)"
  SC_SCREENSHOT_DIR="$SC_RUN_DIR/screenshots-sales-$engine" bash tests/browser/sales.sh
  step "HTTP request time through nginx + php-fpm ($engine engine; figures only)"
  php tests/bench/http.php "${HTTP_BENCH_REQUESTS:-200}"
  if [[ $engine == native ]]; then
    # Last of the pass: from an empty database it loads SCALE_LEADS leads and leaves them (the next pass
    # resets it). Figures, but it fails on a wrong answer or lead count. SCALE_LEADS=100000: the issue's.
    step "Scale: requests on the empty site and at ${SCALE_LEADS:-5000} leads, deliveries at once ($engine engine)"
    bash scripts/stack.sh reset-db
    php tests/bench/scale.php --leads="${SCALE_LEADS:-5000}"
    # At those leads: RECONCILE_BOOKINGS=10000 with SCALE_LEADS=100000 gives the issue's figures.
    step "Reconciliation: passes over ${RECONCILE_BOOKINGS:-2000} bookings from the fake Cal.com API ($engine engine; figures)"
    php "${cli_ext[@]}" tests/bench/reconcile.php --bookings="${RECONCILE_BOOKINGS:-2000}"
    # The issue's figure: FLOOD_REQUESTS=100000 (about 5 minutes).
    step "Flood: ${FLOOD_REQUESTS:-5000} forged requests, the admin screens before and after ($engine engine; figures)"
    php tests/bench/flood.php --forged="${FLOOD_REQUESTS:-5000}"
  fi
}
wordpress_suites native
# Without the extension, on the plugin as a site would install it: the packaged zip, unpacked.
bash scripts/package.sh "$SC_RUN_DIR/solar-capture.zip"
rm -rf "$SC_RUN_DIR/package" && mkdir -p "$SC_RUN_DIR/package"
unzip -q "$SC_RUN_DIR/solar-capture.zip" -d "$SC_RUN_DIR/package"
export SC_PLUGIN_DIR="$SC_RUN_DIR/package/solar-capture"
wordpress_suites php
bash scripts/stack.sh stop
bash scripts/prism.sh stop
# Own nodes, run dirs and ports (.run/fault; 33401-33405, 8301-8302, 45601-45617), the release extension
# and the repository's plugin. FAULT_DELIVERIES=10000: the issue's size.
step "Faults: MariaDB and php-fpm workers killed mid-run, duplicate storms over two web nodes, a 3-node Galera cluster (exactly once; figures)"
SC_PLUGIN_DIR="$repo/wp-plugin/solar-capture" bash scripts/fault.sh --engine native --deliveries="${FAULT_DELIVERIES:-3000}"
if [[ $lint_failed == true ]]; then
  printf '\ntest: every test passed but lint failed (see the lint steps at the start)\n' >&2
  exit 1
fi
