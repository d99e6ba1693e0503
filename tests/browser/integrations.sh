#!/usr/bin/env bash
# Connect Cal.com from Solar leads > Settings > Integrations in headless Chromium through Playwright
# (tests/browser/integrations.mjs), on a running stack:
#   eval "$(bash scripts/stack.sh env)"; bash tests/browser/integrations.sh
# Starts the project's stateful fake of Cal.com's API v2 (tests/support/fake-calcom/server.php, PHP's
# built-in server on a free loopback port) holding one booking whose webhook never came; the admin pastes
# a key and the fake's address as a self-hosted Cal.com, presses Connect, then Reconcile now, then
# Disconnect. Puts the site's Cal.com settings back and stops the fake afterwards.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${SC_RUN_DIR:?run eval \"\$(bash scripts/stack.sh env)\" first}" "${SC_WP_DIR:?}" "${SC_URL:?}"
shots=${SC_SCREENSHOT_DIR:-$SC_RUN_DIR/screenshots-integrations}
node_dir=$SC_RUN_DIR/node
mkdir -p "$shots" "$node_dir"
# shellcheck source=tests/browser/node-deps.sh
source "$repo/tests/browser/node-deps.sh"
cp "$repo/tests/browser/integrations.mjs" "$node_dir/integrations.mjs"

# shellcheck disable=SC2016 # PHP code: $s is PHP's.
port=$(php -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo substr(strrchr(stream_socket_get_name($s, false), ":"), 1);')
state=$(mktemp "$SC_RUN_DIR/fake-calcom-XXXXXX")
FAKE_CALCOM_STATE=$state php -d variables_order=EGPCS -S "127.0.0.1:$port" "$repo/tests/support/fake-calcom/server.php" >"$SC_RUN_DIR/logs/fake-calcom.log" 2>&1 &
fake_pid=$!

# shellcheck disable=SC2016 # PHP code: its $ are PHP's.
site() {
  php -r '
    $_SERVER["HTTP_HOST"] = parse_url(getenv("SC_URL"), PHP_URL_HOST) . ":" . parse_url(getenv("SC_URL"), PHP_URL_PORT);
    require getenv("SC_WP_DIR") . "/wp-load.php";
    foreach (["solar_capture_calcom_api_key", "solar_capture_calcom_api_base", "solar_capture_calcom_connection", "solar_capture_reconcile_state", "solar_capture_reconcile_last_run", "solar_capture_reconcile_lock"] as $option) {
      delete_option($option);
    }'
}
cleanup() { site >/dev/null 2>&1 || true; kill "$fake_pid" 2>/dev/null || true; rm -f "$state" "$state.lock" "$state.tmp"; }
trap cleanup EXIT
site
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$port/_fake/state" && break; sleep 0.1; done

(cd "$node_dir" && node integrations.mjs "$SC_URL" "$(cat "$SC_RUN_DIR/admin-password")" "http://127.0.0.1:$port" "$shots")
