<?php
/**
 * PHPUnit bootstrap for the engine suites. SOLAR_CAPTURE_ENGINE says which engine the run is for:
 * "native" needs the extension loaded (the run stops at once if it is not), "php" needs it absent so
 * the same tests exercise the pure-PHP fallback.
 */
declare(strict_types=1);

$engine = getenv('SOLAR_CAPTURE_ENGINE') ?: 'native';
$loaded = extension_loaded('solar_capture');
if ($engine === 'native' && !$loaded) {
    fwrite(STDERR, "solar_capture extension is not loaded: build it with `cargo build --release` and run phpunit with -d extension=\$PWD/target/release/libsolar_capture.so\n");
    exit(1);
}
if ($engine === 'php' && $loaded) {
    fwrite(STDERR, "SOLAR_CAPTURE_ENGINE=php but the extension is loaded: run phpunit without it (php -n or without -d extension=...)\n");
    exit(1);
}

require dirname(__DIR__, 2) . '/php/functions.php';
require __DIR__ . '/Corpus.php';
