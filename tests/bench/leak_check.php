<?php
/**
 * Drives every extension function over the whole corpus (bodies, bad inputs, signature cases) for
 * valgrind: scripts/leak-check.sh runs it and fails unless 0 bytes are definitely lost.
 * Usage: php -d extension=... tests/bench/leak_check.php [rounds]
 */
declare(strict_types=1);

require dirname(__DIR__) . '/php/Corpus.php';

use SolarCapture\Tests\Corpus;

$rounds = (int) ($argv[1] ?? 20);
$cases = Corpus::cases();
$bodies = array_values(Corpus::bodies());
foreach (array_merge($cases['normalize_errors'], $cases['normalize_ok']) as $case) {
    if (!isset($case['body_repeat']) || $case['body_repeat']['count'] < 100000) {
        $bodies[] = Corpus::body($case);
    }
}
$headers = array_map([Corpus::class, 'header'], $cases['signatures']);
$events = $errors = 0;
for ($r = 0; $r < $rounds; $r++) {
    foreach ($bodies as $body) {
        try {
            $events += count(SolarCapture\normalize_payload($body)) > 0 ? 1 : 0;
        } catch (SolarCapture\PayloadException $e) {
            $errors++;
        }
        foreach ($headers as $h) {
            SolarCapture\verify_signature($body, $h, $cases['secret']);
        }
        SolarCapture\matching_secret($body, $headers[0], ['a', $cases['secret']]);
        foreach ([fn () => SolarCapture\verify_signature($body, 'x', ''), fn () => SolarCapture\matching_secret($body, 'x', ['a', 5])] as $bad) {
            try {
                $bad();
            } catch (\Error $e) {
                $errors++;
            }
        }
    }
}
printf("leak check: %d rounds, %d events, %d exceptions\n", $rounds, $events, $errors);
