<?php
/**
 * Loads the real WordPress started by scripts/stack.sh (SC_WP_DIR, SC_URL from `scripts/stack.sh env`),
 * with the plugin active from this repository. Never defines WP_INSTALLING: plugins would not load.
 */
declare(strict_types=1);

// PHPUnit may include this file inside a function; WordPress expects these at global scope while it loads.
global $wpdb, $wp, $wp_query, $wp_the_query, $wp_rewrite, $wp_roles, $wp_locale, $wp_embed, $wp_widget_factory,
	$wp_filter, $wp_actions, $wp_current_filter, $wp_post_types, $wp_taxonomies, $wp_version, $table_prefix,
	$current_user, $current_site, $current_blog, $blog_id, $shortcode_tags, $wp_theme_directories, $wp_plugin_paths,
	$wp_meta_keys, $wp_rest_server, $wp_object_cache, $EZSQL_ERROR, $pagenow, $allowedposttags, $allowedtags;

(static function (): void {
    $fail = static function (string $message): void {
        fwrite(STDERR, "tests/wp: $message\n");
        exit(1);
    };
    $wp_dir = (string) getenv('SC_WP_DIR');
    if ('' === $wp_dir || !is_file($wp_dir . '/wp-load.php')) {
        $fail('SC_WP_DIR does not point at a WordPress. Start the stack and load its settings first: bash scripts/stack.sh start && eval "$(bash scripts/stack.sh env)"');
    }
    if (defined('WP_INSTALLING')) {
        $fail('WP_INSTALLING is defined: plugins would not load.');
    }
    $url = parse_url((string) (getenv('SC_URL') ?: 'http://127.0.0.1'));
    $host = ($url['host'] ?? '127.0.0.1') . (isset($url['port']) ? ':' . $url['port'] : '');
    $_SERVER['HTTP_HOST'] = $host;
    $_SERVER['SERVER_NAME'] = $url['host'] ?? '127.0.0.1';
    $_SERVER['SERVER_PORT'] = (string) ($url['port'] ?? 80);
    $_SERVER['REQUEST_URI'] = '/';
    $_SERVER['REQUEST_METHOD'] = 'GET';
    $_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
    $_SERVER['REMOTE_ADDR'] = '127.0.0.1';
    define('SC_TESTS_WP_DIR', $wp_dir);
})();

ob_start();
require_once SC_TESTS_WP_DIR . '/wp-load.php';
$sc_tests_early_output = (string) ob_get_clean();
if ('' !== trim($sc_tests_early_output)) {
    fwrite(STDERR, "tests/wp: WordPress printed output while loading:\n$sc_tests_early_output\n");
    exit(1);
}
unset($sc_tests_early_output);

(static function (): void {
    $plugin = \SolarCapture\Plugin\Plugin::class;
    if (!class_exists($plugin) || null === $plugin::instance()) {
        fwrite(STDERR, "tests/wp: the Solar Capture plugin is not active in this WordPress: bash scripts/stack.sh activate\n");
        exit(1);
    }
    // SC_PLUGIN_DIR: scripts/test.sh runs the suites once on the packaged zip, unpacked.
    $expected = realpath(getenv('SC_PLUGIN_DIR') ?: dirname(__DIR__, 2) . '/wp-plugin/solar-capture');
    if (realpath(SOLAR_CAPTURE_DIR) !== $expected) {
        fwrite(STDERR, 'tests/wp: WordPress runs the plugin from ' . realpath(SOLAR_CAPTURE_DIR) . ", not from $expected\n");
        exit(1);
    }
    // A @runInSeparateProcess child: PHPUnit passes no -d extension= to it, and reads anything on
    // STDERR as a failure.
    $isolated = function_exists('__phpunit_run_isolated_test');
    $want = $isolated ? false : getenv('SOLAR_CAPTURE_ENGINE');
    if (('native' === $want && !extension_loaded('solar_capture')) || ('php' === $want && extension_loaded('solar_capture'))) {
        fwrite(STDERR, "tests/wp: SOLAR_CAPTURE_ENGINE=$want but the extension is " . (extension_loaded('solar_capture') ? 'loaded' : 'not loaded') . "\n");
        exit(1);
    }
    // DDL commits implicitly: tables are created here, never inside a test's transaction.
    if (!$plugin::instance()->schema->install()) {
        fwrite(STDERR, "tests/wp: the plugin's tables could not be created\n");
        exit(1);
    }
    if (!$isolated) {
        fwrite(STDERR, 'tests/wp: WordPress ' . $GLOBALS['wp_version'] . ', engine ' . $plugin::instance()->engine->label() . "\n");
    }
})();

require_once __DIR__ . '/TestCase.php';
require_once __DIR__ . '/CalcomTestCase.php';
