<?php
/**
 * Verifies and normalises a signed Cal.com body with whichever engine is loaded, and prints the result.
 * Usage: php [-d extension=target/release/libsolar_capture.so] scripts/demo.php [body-file signature secret]
 */
declare(strict_types=1);

require dirname(__DIR__) . '/php/functions.php';

$fixtures = dirname(__DIR__) . '/tests/fixtures/payloads';
$manifest = json_decode((string) file_get_contents("$fixtures/MANIFEST.json"), true);
[$file, $signature, $secret] = $argc === 4
    ? [$argv[1], $argv[2], $argv[3]]
    : ["$fixtures/01_booking_created.json", $manifest['entries'][0]['headers']['X-Cal-Signature-256'], $manifest['secret']];
$body = (string) file_get_contents($file);

printf("engine: %s %s\n", extension_loaded('solar_capture') ? 'native extension' : 'pure PHP', SolarCapture\version());
printf("body: %s (%d bytes)\nX-Cal-Signature-256: %s\n", $file, strlen($body), $signature);
$valid = SolarCapture\verify_signature($body, $signature, $secret);
printf("signature valid: %s\n", $valid ? 'yes' : 'NO');
printf("same body with one byte changed: %s\n", SolarCapture\verify_signature($body . ' ', $signature, $secret) ? 'valid (BUG)' : 'rejected');
if (!$valid) {
    exit(1);
}
try {
    echo json_encode(SolarCapture\normalize_payload($body), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE), "\n";
} catch (SolarCapture\PayloadException $e) {
    printf("unusable body (code %d): %s\n", $e->getCode(), $e->getMessage());
    exit(1);
}
