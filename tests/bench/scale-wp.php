<?php
/**
 * WordPress chores of tests/bench/scale.php, run by it in a CHILD process (WordPress loaded through
 * wp-load.php the way scripts/stack/wp-tool.php.tmpl does, without WP_INSTALLING), each answering one
 * JSON line on stdout:
 *   php tests/bench/scale-wp.php setup      sets the secret in SC_SCALE_SECRET; answers the table prefix,
 *                                           the secret it replaced and whether the plugin is active
 *   php tests/bench/scale-wp.php secret     sets the secret option to SC_SCALE_SECRET (restoring it)
 *   php tests/bench/scale-wp.php reindex    times solar_capture_reindex_leads() when it exists
 *   php tests/bench/scale-wp.php export     times the CSV export of every lead (to a temporary file), with
 *                                           the process's peak memory
 * Needs SC_WP_DIR and SC_URL (scripts/stack.sh env).
 */
declare(strict_types=1);

$sc_command = $argv[1] ?? '';
$sc_site = parse_url((string) getenv('SC_URL'));
if (!is_array($sc_site) || !isset($sc_site['host']) || !is_file(getenv('SC_WP_DIR') . '/wp-load.php')) {
    fwrite(STDERR, "scale-wp: SC_URL and SC_WP_DIR are needed: eval \"\$(bash scripts/stack.sh env)\"\n");
    exit(2);
}
$_SERVER['HTTP_HOST'] = $sc_site['host'] . (isset($sc_site['port']) ? ':' . $sc_site['port'] : '');
$_SERVER['SERVER_NAME'] = $sc_site['host'];
$_SERVER['SERVER_PORT'] = (string) ($sc_site['port'] ?? 80);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

register_shutdown_function(static function (): void {
    $e = error_get_last();
    if (null !== $e && in_array($e['type'], [E_ERROR, E_PARSE, E_CORE_ERROR, E_COMPILE_ERROR, E_USER_ERROR], true)) {
        fwrite(STDERR, "scale-wp: PHP fatal error: {$e['message']} in {$e['file']}:{$e['line']}\n");
    }
});

ob_start(); // Anything printed while WordPress loads would spoil the JSON answer.
require getenv('SC_WP_DIR') . '/wp-load.php';
$sc_early = (string) ob_get_clean();
if ('' !== trim($sc_early)) {
    fwrite(STDERR, "scale-wp: WordPress printed output while loading:\n$sc_early\n");
}

switch ($sc_command) {
    case 'setup':
        require_once ABSPATH . 'wp-admin/includes/plugin.php';
        $sc_previous = get_option('solar_capture_secret', '');
        update_option('solar_capture_secret', (string) getenv('SC_SCALE_SECRET'));
        echo json_encode([
            'prefix' => $GLOBALS['wpdb']->prefix,
            'previous_secret' => is_string($sc_previous) ? $sc_previous : '',
            'plugin_active' => is_plugin_active('solar-capture/solar-capture.php'),
            'reindex_available' => function_exists('solar_capture_reindex_leads'),
        ]), "\n";
        exit(0);
    case 'secret':
        update_option('solar_capture_secret', (string) getenv('SC_SCALE_SECRET'));
        echo json_encode(['ok' => true]), "\n";
        exit(0);
    case 'reindex':
        if (!function_exists('solar_capture_reindex_leads')) {
            echo json_encode(['available' => false]), "\n";
            exit(0);
        }
        $sc_start = hrtime(true);
        $sc_count = solar_capture_reindex_leads();
        echo json_encode(['available' => true, 'count' => $sc_count, 'seconds' => (hrtime(true) - $sc_start) / 1e9]), "\n";
        exit(0);
}
if ('export' === $sc_command) {
    $sc_file = tmpfile();
    $sc_base = memory_get_usage();
    $sc_start = hrtime(true);
    $sc_rows = \SolarCapture\Plugin\Plugin::instance()->lead_export->write($sc_file, []);
    echo json_encode([
        'rows' => $sc_rows,
        'seconds' => (hrtime(true) - $sc_start) / 1e9,
        'bytes' => fstat($sc_file)['size'],
        'peak_mb' => memory_get_peak_usage() / 1048576,
        'base_mb' => $sc_base / 1048576,
    ]), "\n";
    exit(0);
}
fwrite(STDERR, "usage: php tests/bench/scale-wp.php setup|secret|reindex|export\n");
exit(2);
