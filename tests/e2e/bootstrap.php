<?php
/**
 * Bootstrap of the end-to-end suite: requests go over HTTP through nginx + php-fpm of the running stack
 * (scripts/stack.sh); this process loads the same WordPress only to set options and read the results.
 */
declare(strict_types=1);

$wpDir = getenv('SC_WP_DIR');
if (!$wpDir || !getenv('SC_URL') || !is_file("$wpDir/wp-load.php")) {
    fwrite(STDERR, "the stack is not running: bash scripts/stack.sh start, then eval \"\$(bash scripts/stack.sh env)\"\n");
    exit(1);
}
require "$wpDir/wp-load.php";
if (!function_exists('curl_multi_init')) {
    fwrite(STDERR, "php8.2-curl is missing: bash scripts/install-deps.sh\n");
    exit(1);
}
require __DIR__ . '/Http.php';
