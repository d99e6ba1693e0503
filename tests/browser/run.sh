#!/usr/bin/env bash
# Browser test of the admin screens: headless Chromium (Debian's chromium) driven over WebDriver by
# chromedriver (Debian's chromium-driver), on the running stack.
#
# Usage: bash scripts/stack.sh start && eval "$(bash scripts/stack.sh env)" && bash tests/browser/run.sh
# Screenshots: tests/browser/screenshots/ (override with SC_SCREENSHOT_DIR). chromedriver's log goes to
# $SC_RUN_DIR/logs/chromedriver.log.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() { printf 'browser: ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck disable=SC2016 # the command to run is printed as it is, not expanded
[[ -n "${SC_URL:-}" && -n "${SC_WP_DIR:-}" ]] || die 'the stack settings are missing: eval "$(bash scripts/stack.sh env)" first'
command -v chromedriver >/dev/null || die 'chromedriver is missing (Debian package chromium-driver): bash scripts/install-deps.sh'
[[ -x "${SC_CHROMIUM:-/usr/bin/chromium}" ]] || die 'chromium is missing: bash scripts/install-deps.sh'

logs=${SC_RUN_DIR:-/tmp}/logs
mkdir -p "$logs"

# A free port for chromedriver, picked by the kernel.
# shellcheck disable=SC2016 # PHP code: $s is PHP's
port=$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];')
chromedriver --port="$port" --log-path="$logs/chromedriver.log" >/dev/null 2>&1 &
driver_pid=$!
# Ends chromedriver (and the browsers it started) by its pid only.
trap 'kill "$driver_pid" 2>/dev/null || true; wait "$driver_pid" 2>/dev/null || true' EXIT

for ((i = 0; i < 100; i++)); do
  curl -fsS "http://127.0.0.1:$port/status" 2>/dev/null | grep -q '"ready":true' && break
  kill -0 "$driver_pid" 2>/dev/null || die "chromedriver exited (log: $logs/chromedriver.log)"
  sleep 0.1
done
((i < 100)) || die "chromedriver not ready after 10 s (log: $logs/chromedriver.log)"

SC_WEBDRIVER_URL="http://127.0.0.1:$port" php "$here/admin_flow.php"
