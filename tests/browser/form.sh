#!/usr/bin/env bash
# The enquiry form in headless Chromium through Playwright (tests/browser/form.mjs), on a running stack:
#   eval "$(bash scripts/stack.sh env)"; bash tests/browser/form.sh
# Installs playwright-core and Cal.com's @calcom/embed-core (pinned) from npm into $SC_RUN_DIR/node (never
# into the repository), serves Cal.com's embed script from the site itself in place of app.cal.com (the
# plugin's solar_capture_embed_script_url filter, set by a throwaway mu-plugin; another lifts the form's
# per-client limit, tests/support/mu-plugins/no-form-rate-limit.php), puts the form on a page,
# runs the checks, and removes the page, the mu-plugin and the settings it changed.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${SC_RUN_DIR:?run eval \"\$(bash scripts/stack.sh env)\" first}" "${SC_WP_DIR:?}" "${SC_URL:?}"
shots=${SC_SCREENSHOT_DIR:-$SC_RUN_DIR/screenshots-form}
node_dir=$SC_RUN_DIR/node
mkdir -p "$shots" "$node_dir"

# shellcheck source=tests/browser/node-deps.sh
source "$repo/tests/browser/node-deps.sh"
cp "$repo/tests/browser/form.mjs" "$node_dir/form.mjs"

embed_dir=$SC_WP_DIR/wp-content/uploads/solar-capture-test
mu=$SC_WP_DIR/wp-content/mu-plugins/solar-capture-test-embed.php
mkdir -p "$embed_dir" "$(dirname "$mu")"
limit=$SC_WP_DIR/wp-content/mu-plugins/solar-capture-test-limit.php
cp "$repo/tests/support/mu-plugins/no-form-rate-limit.php" "$limit"
cp "$node_dir/node_modules/@calcom/embed-core/dist/embed/embed.js" "$embed_dir/embed.js"
cat >"$mu" <<PHP
<?php
// Written by tests/browser/form.sh and removed by it: Cal.com's embed script served by the site.
add_filter( 'solar_capture_embed_script_url', static fn () => '$SC_URL/wp-content/uploads/solar-capture-test/embed.js' );
PHP

# shellcheck disable=SC2016 # PHP code: its $ are PHP's.
setup() {
  php -r '
    $_SERVER["HTTP_HOST"] = parse_url(getenv("SC_URL"), PHP_URL_HOST) . ":" . parse_url(getenv("SC_URL"), PHP_URL_PORT);
    require getenv("SC_WP_DIR") . "/wp-load.php";
    if ("up" === $argv[1]) {
      update_option("solar_capture_booking_link", "sunny-solar/roof-survey");
      update_option("solar_capture_booking_mode", "embed");
      update_option("solar_capture_consent_text", "Sunny Solar may contact me about my enquiry.");
      $id = wp_insert_post(["post_type" => "page", "post_status" => "publish", "post_title" => "Solar quote", "post_content" => "<!-- wp:shortcode -->[solar_capture_form]<!-- /wp:shortcode -->"]);
      echo get_permalink($id), "\n", $id;
    } else {
      wp_delete_post((int) $argv[2], true);
      delete_option("solar_capture_consent_text");
      delete_option("solar_capture_booking_mode");
    }' -- "$@"
}
mapfile -t page < <(setup up)
cleanup() { setup down "${page[1]}" >/dev/null 2>&1 || true; rm -f "$mu" "$limit"; rm -rf "$embed_dir"; }
trap cleanup EXIT

(cd "$node_dir" && node form.mjs "${page[0]}" "$shots")
