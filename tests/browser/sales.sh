#!/usr/bin/env bash
# What the sales team sees, in headless Chromium through Playwright (tests/browser/sales.mjs), on a running
# stack:
#   eval "$(bash scripts/stack.sh env)"; bash tests/browser/sales.sh
# Makes a Sales rep (a user of its own, removed afterwards) whose e-mail is the Cal.com host of two new
# bookings, so the two leads are theirs; the rep logs in, finds them under "Mine", opens one, sets the
# stage and adds a note, filters the list by stage, exports it, and sees the week on the dashboard.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${SC_RUN_DIR:?run eval \"\$(bash scripts/stack.sh env)\" first}" "${SC_WP_DIR:?}" "${SC_URL:?}"
shots=${SC_SCREENSHOT_DIR:-$SC_RUN_DIR/screenshots-sales}
node_dir=$SC_RUN_DIR/node
mkdir -p "$shots" "$node_dir"
# shellcheck source=tests/browser/node-deps.sh
source "$repo/tests/browser/node-deps.sh"
cp "$repo/tests/browser/sales.mjs" "$node_dir/sales.mjs"

tag=$(date +%s%N)
password=$(php -r 'echo bin2hex(random_bytes(12));')
export SC_SALES_TAG=$tag SC_SALES_PASSWORD=$password
# shellcheck disable=SC2016 # PHP code: its $ are PHP's.
site() {
  php -r '
    $_SERVER["HTTP_HOST"] = parse_url(getenv("SC_URL"), PHP_URL_HOST) . ":" . parse_url(getenv("SC_URL"), PHP_URL_PORT);
    require getenv("SC_WP_DIR") . "/wp-load.php";
    require_once ABSPATH . "wp-admin/includes/user.php";
    $tag = getenv("SC_SALES_TAG");
    $login = "rep$tag";
    if ("remove" === $argv[1]) {
        $user = get_user_by("login", $login);
        if ($user) {
            wp_delete_user($user->ID);
        }
        exit(0);
    }
    $rep = wp_insert_user(["user_login" => $login, "user_pass" => getenv("SC_SALES_PASSWORD"), "user_email" => "rep$tag@installer.example", "display_name" => "Riley Rep", "role" => "solar_capture_sales_rep"]);
    if (!is_int($rep)) {
        fwrite(STDERR, "sales: could not create the rep\n");
        exit(1);
    }
    // Two bookings the rep hosts, and one somebody else does (so "Mine" is not the whole list).
    add_filter("pre_wp_mail", "__return_true"); // No mail server here: SalesTeamTest checks the e-mails.
    foreach (["Grace Hopper", "Alan <b>Turing</b>", "Ada Lovelace"] as $i => $name) {
        $body = json_encode(["triggerEvent" => "BOOKING_CREATED", "createdAt" => gmdate("Y-m-d\\TH:i:s.000\\Z"), "payload" => [
            "uid" => "sales-$tag-$i", "type" => "roof-survey", "title" => "Roof survey",
            "startTime" => gmdate("Y-m-d\\TH:i:s\\Z", time() + 86400 * (3 + $i)), "endTime" => gmdate("Y-m-d\\TH:i:s\\Z", time() + 86400 * (3 + $i) + 1800),
            "organizer" => ["name" => "Host", "email" => 2 === $i ? "someone-else@elsewhere.example" : "rep$tag@installer.example", "timeZone" => "Europe/London"],
            "attendees" => [["name" => $name, "email" => "lead$i.$tag@example.org", "timeZone" => "Europe/London", "phoneNumber" => "+44 20 7946 000$i"]],
            "responses" => ["roof" => ["label" => "Roof", "value" => "south-facing"]],
        ]]);
        $outcome = SolarCapture\Plugin\Plugin::instance()->pipeline->process($body, SolarCapture\Plugin\Pipeline\Delivery_Source::api());
        if (null === $outcome->lead_id) {
            fwrite(STDERR, "sales: the booking made no lead\n");
            exit(1);
        }
    }' "$1"
}
trap 'site remove >/dev/null 2>&1 || true' EXIT
site add

(cd "$node_dir" && node sales.mjs "$SC_URL" "rep$tag" "$password" "$tag" "$shots")
