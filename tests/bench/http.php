<?php
/**
 * Request time of the webhook route through nginx + php-fpm, next to a no-op WordPress REST route in the
 * same run (prints medians; asserts nothing). Needs the running stack:
 *   eval "$(bash scripts/stack.sh env)"; php tests/bench/http.php [requests]
 */
declare(strict_types=1);

use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Signed_Delivery;

require_once dirname(__DIR__) . '/support/load.php';

$n = (int) ($argv[1] ?? 200);
$base = rtrim((string) getenv('SC_URL'), '/');
$wpDir = (string) getenv('SC_WP_DIR');
if ($base === '' || !is_file("$wpDir/wp-load.php")) {
    fwrite(STDERR, "start the stack and eval \"\$(bash scripts/stack.sh env)\" first\n");
    exit(1);
}
@mkdir("$wpDir/wp-content/mu-plugins");
copy(dirname(__DIR__) . '/e2e/noop-route.php', "$wpDir/wp-content/mu-plugins/solar-capture-noop-route.php");
// The enquiry series comes from one client: lift the form's per-client limit while the benchmark runs.
copy(dirname(__DIR__) . '/support/mu-plugins/no-form-rate-limit.php', "$wpDir/wp-content/mu-plugins/solar-capture-bench-limit.php");
require "$wpDir/wp-load.php";
$secret = 'bench-secret-' . bin2hex(random_bytes(16));
update_option('solar_capture_secret', $secret);

/**
 * @param string|null $secret Secret to sign with, null for none.
 * @return array{float, int} milliseconds and status of one POST with Cal.com's headers
 */
function timed_post(string $url, string $body, ?string $secret): array
{
    $answer = Curl_Transport::post($url, Signed_Delivery::of($body, $secret));
    return [$answer->milliseconds, $answer->status];
}

function median(array $xs): float
{
    sort($xs);
    $m = intdiv(count($xs), 2);
    return count($xs) % 2 ? $xs[$m] : ($xs[$m - 1] + $xs[$m]) / 2;
}

$template = (string) file_get_contents(dirname(__DIR__) . '/fixtures/payloads/01_booking_created.json');
$series = ['no-op REST route' => [], 'webhook: new booking (lead created)' => [], 'webhook: duplicate delivery' => [], 'webhook: PING' => [], 'form: enquiry (lead created)' => []];
$ping = (string) file_get_contents(dirname(__DIR__) . '/fixtures/payloads/15_ping_test.json');
$webhook = Curl_Transport::endpoint($base);
$dup = str_replace('unique-booking-id', 'bench-dup-' . bin2hex(random_bytes(4)), $template);
timed_post($webhook, $dup, $secret);
for ($i = 0; $i < $n; $i++) {
    // Interleaved, so drift on the machine hits every series alike.
    $series['no-op REST route'][] = timed_post("$base/wp-json/solar-capture-test/v1/noop", '{}', null);
    $body = str_replace(['unique-booking-id', 'guest@example.com'], ["bench-$i-" . bin2hex(random_bytes(4)), "bench$i@example.com"], $template);
    $series['webhook: new booking (lead created)'][] = timed_post($webhook, $body, $secret);
    $series['webhook: duplicate delivery'][] = timed_post($webhook, $dup, $secret);
    $series['webhook: PING'][] = timed_post($webhook, $ping, $secret);
    $enquiry = (string) json_encode(['name' => 'Bench Visitor', 'email' => "enquiry$i-" . bin2hex(random_bytes(4)) . '@example.org', 'phone' => '+44 20 7946 0018', 'answers' => ['homeowner' => 'Yes']]);
    $series['form: enquiry (lead created)'][] = timed_post("$base/wp-json/solar-capture/v1/leads", $enquiry, null);
}
unlink("$wpDir/wp-content/mu-plugins/solar-capture-noop-route.php");
unlink("$wpDir/wp-content/mu-plugins/solar-capture-bench-limit.php");
printf("HTTP through nginx + php-fpm, engine %s, %d requests each (median, p90):\n", trim((string) @file_get_contents(dirname($wpDir) . '/php-fpm/engine')) ?: '?', $n);
foreach ($series as $name => $runs) {
    $ms = array_column($runs, 0);
    $codes = array_count_values(array_column($runs, 1));
    sort($ms);
    printf("  %-38s %7.2f ms  %7.2f ms  statuses %s\n", $name, median($ms), $ms[(int) floor(0.9 * (count($ms) - 1))], json_encode($codes));
}
