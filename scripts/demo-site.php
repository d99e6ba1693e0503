<?php
/**
 * Main job's second half (scripts/run.sh): on the running stack, makes sure a webhook secret is set,
 * replays a signed booking lifecycle (created, rescheduled, cancelled) through the real endpoint, and
 * prints where to look. Usage: eval "$(bash scripts/stack.sh env)"; php scripts/demo-site.php
 */
declare(strict_types=1);

use SolarCapture\Tests\Support\Bookings;
use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Signed_Delivery;

require_once dirname(__DIR__) . '/tests/support/load.php';

$wpDir = (string) getenv('SC_WP_DIR');
$url = rtrim((string) getenv('SC_URL'), '/');
if (!is_file("$wpDir/wp-load.php")) {
    fwrite(STDERR, "the stack is not running: bash scripts/stack.sh start\n");
    exit(1);
}
require "$wpDir/wp-load.php";

$secret = (string) get_option('solar_capture_secret', '');
if (strlen($secret) < 32) {
    $secret = wp_generate_password(48, false, false);
    update_option('solar_capture_secret', $secret);
}
$endpoint = rest_url('solar-capture/v1/calcom-webhook');

$now = time();
$first = strtotime('+3 days 10:00 UTC', $now);
$moved = strtotime('+5 days 14:30 UTC', $now);
$run = substr(bin2hex(random_bytes(4)), 0, 8);
$oldUid = "demo-$run-a";
$newUid = "demo-$run-b";
// Bodies from tests/support/Bookings.php with the demo's booker.
$booking = static fn (string $trigger, string $uid, int $created, int $start, array $extra = []): string => Bookings::booking($trigger, Bookings::iso($created), array_merge([
    'type' => 'roof-survey', 'title' => 'Roof survey between Sunny Solar and Grace Hopper',
    'startTime' => Bookings::iso($start), 'endTime' => Bookings::iso($start + 3600), 'bookingId' => crc32($uid),
    'organizer' => ['name' => 'Sunny Solar', 'email' => 'sales@sunny-solar.example', 'timeZone' => 'Europe/Berlin'],
    'attendees' => [['name' => 'Grace Hopper', 'email' => "grace.$run@example.com", 'timeZone' => 'Europe/Berlin', 'phoneNumber' => '+49 30 1234567', 'language' => ['locale' => 'de']]],
    'responses' => ['notes' => ['label' => 'Notes', 'value' => 'South-facing roof, 40 m², wants a battery too']],
    'metadata' => null, 'uid' => $uid, 'location' => 'integrations:daily',
], $extra));

$steps = [
    'BOOKING_CREATED' => $booking('BOOKING_CREATED', $oldUid, $now, $first),
    'BOOKING_RESCHEDULED' => $booking('BOOKING_RESCHEDULED', $newUid, $now + 1, $moved, ['rescheduleUid' => $oldUid, 'reschedulingReason' => 'Scaffolding arrives later']),
    'BOOKING_CANCELLED' => $booking('BOOKING_CANCELLED', $newUid, $now + 2, $moved, ['status' => 'CANCELLED', 'cancellationReason' => 'Chose a competitor']),
];
printf("\nSolar Capture is running.\n");
printf("  site        %s/\n", $url);
printf("  wp-admin    %s/wp-admin/  (user %s, password %s)\n", $url, getenv('SC_ADMIN_USER') ?: 'admin', getenv('SC_ADMIN_PASSWORD') ?: '(see .run/admin-password)');
printf("  endpoint    %s\n", $endpoint);
printf("  secret      %s\n", $secret);
printf("  engine      %s\n\n", getenv('SC_ENGINE') === 'php' ? 'pure PHP (php-fpm runs without the extension)' : 'native solar_capture extension in php-fpm');
printf("Replaying a signed booking lifecycle for grace.%s@example.com:\n", $run);
$failed = false;
foreach ($steps as $trigger => $body) {
    $answer = Curl_Transport::post($endpoint, Signed_Delivery::of($body, $secret));
    printf("  %-20s → HTTP %d %s\n", $trigger, $answer->status, $answer->body);
    $failed = $failed || $answer->status !== 200;
}
printf("\nThe lead is in wp-admin → Solar leads. Send your own: in Cal.com, Settings → Developer → Webhooks,\n");
printf("subscriber URL %s (it must be reachable from Cal.com), the secret above.\n", $endpoint);
exit($failed ? 1 : 0);
