<?php
/**
 * Plugin Name: Solar Capture test no-op route
 * Description: Installed into mu-plugins by tests/bench/http.php only: a REST route that does nothing,
 * the baseline for the webhook route's request time.
 */
add_action('rest_api_init', static function (): void {
    register_rest_route('solar-capture-test/v1', '/noop', [
        'methods' => 'POST',
        'permission_callback' => '__return_true', // a benchmark baseline with nothing to protect
        'callback' => static fn () => ['ok' => true],
    ]);
});
