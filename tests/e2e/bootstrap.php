<?php
/**
 * Bootstrap of the end-to-end suite: requests go over HTTP through nginx + php-fpm of the running stack
 * (scripts/stack.sh); this process loads the same WordPress (through the integration suite's bootstrap)
 * only to set options and read the results.
 */
declare(strict_types=1);

if (!getenv('SC_URL')) {
    fwrite(STDERR, "the stack is not running: bash scripts/stack.sh start, then eval \"\$(bash scripts/stack.sh env)\"\n");
    exit(1);
}
if (!function_exists('curl_multi_init')) {
    fwrite(STDERR, "php8.2-curl is missing: bash scripts/install-deps.sh\n");
    exit(1);
}
require dirname(__DIR__) . '/wp/bootstrap.php';
require_once dirname(__DIR__) . '/support/load.php';
