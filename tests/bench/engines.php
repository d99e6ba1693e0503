<?php
/**
 * Benchmark (prints figures; asserts nothing): in one PHP process, on the 3 KB corpus body and on a
 * 1 MB body, ops/s of
 *   native   SolarCapture\verify_signature + normalize_payload (the extension)
 *   php      the same two calls on the pure-PHP engine (SolarCapture\PhpEngine)
 *   bare     hash_hmac + hash_equals + json_decode (the least any PHP receiver does)
 * and the HMAC-SHA256 throughput of the extension alone on the 1 MB body.
 *
 * Run: php -d extension=$PWD/target/release/libsolar_capture.so tests/bench/engines.php [seconds-per-figure]
 */
declare(strict_types=1);

if (!extension_loaded('solar_capture')) {
    fwrite(STDERR, "load the extension: php -d extension=\$PWD/target/release/libsolar_capture.so tests/bench/engines.php\n");
    exit(1);
}
require dirname(__DIR__, 2) . '/php/functions.php';

$seconds = (float) ($argv[1] ?? 1.0);
$secret = 'test-secret-calcom-webhook';
$small = (string) file_get_contents(dirname(__DIR__) . '/fixtures/payloads/03_booking_rescheduled.json');
$large = one_megabyte_body($small);

/** A 1 MB booking: the 3 KB body with 2,500 guests and long notes, as a large team booking would be. */
function one_megabyte_body(string $base): string
{
    $event = json_decode($base, true);
    for ($i = 0; count($event['payload']['attendees']) < 2500; $i++) {
        $event['payload']['attendees'][] = ['email' => "guest$i@example.com", 'name' => "Guest Number $i", 'timeZone' => 'Europe/Berlin',
            'language' => ['locale' => 'de'], 'utcOffset' => 60, 'phoneNumber' => null];
    }
    $body = json_encode($event, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    $event['payload']['additionalNotes'] = str_repeat('Roof faces south-west, 32 degrees pitch. ', (int) ((1048576 - strlen($body)) / 42));
    return json_encode($event, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
}

/** Calls $f repeatedly for about $seconds and answers calls per second. */
function ops_per_second(callable $f, float $seconds): float
{
    $f();
    $n = 0;
    $batch = 1;
    $start = hrtime(true);
    do {
        for ($i = 0; $i < $batch; $i++) {
            $f();
        }
        $n += $batch;
        $batch = min($batch * 2, 1024);
        $elapsed = (hrtime(true) - $start) / 1e9;
    } while ($elapsed < $seconds);
    return $n / $elapsed;
}

ob_start();
(new ReflectionExtension('solar_capture'))->info();
preg_match('/SHA-256 hardware instructions => (.*)/', (string) ob_get_clean(), $sha);
printf("PHP %s, solar_capture %s, SHA-256 hardware instructions: %s\n", PHP_VERSION, SolarCapture\version(), $sha[1] ?? 'unknown');

foreach (['3 KB' => $small, '1 MB' => $large] as $label => $body) {
    $sig = hash_hmac('sha256', $body, $secret);
    $contenders = [
        'native' => static function () use ($body, $sig, $secret) {
            SolarCapture\verify_signature($body, $sig, $secret) && SolarCapture\normalize_payload($body);
        },
        'php' => static function () use ($body, $sig, $secret) {
            SolarCapture\PhpEngine::verify_signature($body, $sig, $secret) && SolarCapture\PhpEngine::normalize_payload($body);
        },
        'bare' => static function () use ($body, $sig, $secret) {
            hash_equals(hash_hmac('sha256', $body, $secret), $sig) && json_decode($body, true);
        },
    ];
    // Three interleaved rounds, best of each: the other processes on a shared machine only ever slow a
    // round down, and interleaving exposes every contender to the same drift.
    $best = array_fill_keys(array_keys($contenders), 0.0);
    for ($round = 0; $round < 3; $round++) {
        foreach ($contenders as $name => $f) {
            $best[$name] = max($best[$name], ops_per_second($f, $seconds / 3));
        }
    }
    ['native' => $native, 'php' => $php, 'bare' => $bare] = $best;
    printf("%-5s body (%7d bytes): native %9.0f ops/s | pure-PHP %9.0f ops/s | bare hash_hmac+json_decode %9.0f ops/s | native/pure-PHP %5.1fx | native/bare %5.1fx\n",
        $label, strlen($body), $native, $php, $bare, $native / $php, $native / $bare);
}

$sig = hash_hmac('sha256', $large, $secret);
$hmac = ops_per_second(static fn () => SolarCapture\verify_signature($large, $sig, $secret), $seconds);
$phpHmac = ops_per_second(static fn () => hash_hmac('sha256', $large, $secret), $seconds);
printf("HMAC-SHA256 on 1 MB: extension %.2f GB/s | PHP hash_hmac %.2f GB/s\n", $hmac * strlen($large) / 1e9, $phpHmac * strlen($large) / 1e9);
