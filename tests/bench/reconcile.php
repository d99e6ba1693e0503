<?php
/**
 * Reconciliation benchmark (issue 10): one pass over B bookings from the fake Cal.com API
 * (tests/support/fake-calcom/server.php, real HTTP on loopback), in WordPress on the site's own database
 * with whatever leads it holds, the way the hourly job runs. It prints figures and the issue's targets
 * beside them (under 60 s and under 128 MB for 10,000 bookings at 100,000 leads, memory flat in the number
 * of bookings); it does NOT fail on speed. It fails (exit 1) only when a pass is functionally wrong: a
 * status other than complete, a booking not applied when missed or applied again when already there,
 * an error, or a lead count that is off.
 *
 * Usage (on a running stack; add -d extension=... for the native engine):
 *   eval "$(bash scripts/stack.sh env)"
 *   php tests/bench/reconcile.php [--bookings=N]     (default 10000)
 *   scripts/test.sh runs it on the native-engine pass after tests/bench/scale.php, so at SCALE_LEADS
 *   leads, with RECONCILE_BOOKINGS bookings (default 2000). The issue's figures:
 *   SCALE_LEADS=100000 RECONCILE_BOOKINGS=10000 bash scripts/test.sh, or on a stack of your own after
 *   `php tests/bench/scale.php --leads=100000`: php tests/bench/reconcile.php --bookings=10000
 *
 * The passes, each in this one PHP process with its peak memory reset first (memory_reset_peak_usage):
 *   1. B/5 bookings Cal.com has and the site missed: each is applied (a new lead each);
 *   2. B other missed bookings: the same, five times as many (flat: the peak should not grow);
 *   3. the same B again (--since before them): every one is already applied, nothing changes.
 * The key, base URL and reconciliation state it sets are put back afterwards; the leads it made stay
 * (`bash scripts/stack.sh reset-db` empties the site).
 */
declare(strict_types=1);

require_once dirname(__DIR__) . '/support/load.php';

$options = getopt('', ['bookings:']);
$bookings = max(5, (int) ($options['bookings'] ?? 10000));
$site = parse_url((string) getenv('SC_URL'));
if (!is_array($site) || !isset($site['host']) || !is_file(getenv('SC_WP_DIR') . '/wp-load.php')) {
    fwrite(STDERR, "reconcile bench: SC_URL and SC_WP_DIR are needed: eval \"\$(bash scripts/stack.sh env)\"\n");
    exit(2);
}
$_SERVER['HTTP_HOST'] = $site['host'] . (isset($site['port']) ? ':' . $site['port'] : '');
$_SERVER['SERVER_NAME'] = $site['host'];
$_SERVER['SERVER_PORT'] = (string) ($site['port'] ?? 80);
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

$fake = Fake_Calcom::instance(); // Before WordPress: its server is a child of this process.
require getenv('SC_WP_DIR') . '/wp-load.php';

use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Reconciler;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Plugin;

$plugin = Plugin::instance();
if (null === $plugin) {
    fwrite(STDERR, "reconcile bench: the Solar Capture plugin is not active on this site\n");
    exit(2);
}
$kept = [];
foreach ([Api_Settings::KEY_OPTION, Api_Settings::BASE_OPTION, Reconciler::STATE_OPTION, Reconciler::LAST_RUN_OPTION] as $option) {
    $kept[$option] = get_option($option, null);
}
register_shutdown_function(static function () use ($kept): void {
    foreach ($kept as $option => $value) {
        null === $value ? delete_option($option) : update_option($option, $value, false);
    }
});
update_option(Api_Settings::KEY_OPTION, Fake_Calcom::KEY, false);
update_option(Api_Settings::BASE_OPTION, $fake->url, false);

$leads = static fn (): int => (int) wp_count_posts(Lead::POST_TYPE)->private;
$at_start = $leads();
$engine = $plugin->engine->is_native() ? "native" : "pure-PHP";
printf("reconcile bench: %d leads on the site, %s engine, WordPress %s, PHP %s\n", $at_start, $engine, get_bloginfo('version'), PHP_VERSION);

$failed = false;
/**
 * One pass over $count bookings made $count*10 s apart from two hours before the first; returns the record.
 */
$pass = static function (string $label, string $prefix, int $count, int $expect_applied) use ($fake, $plugin, &$failed): array {
    $from = time() - 7200 - $count * 10;
    $fake->reset(['generate' => ['count' => $count, 'from' => $from, 'step' => 10, 'email_prefix' => $prefix]]);
    delete_option(Reconciler::STATE_OPTION);
    wp_cache_flush();
    gc_collect_cycles();
    memory_reset_peak_usage();
    $before = memory_get_usage();
    $started = hrtime(true);
    $run = $plugin->reconciler->run($from - 60);
    $seconds = (hrtime(true) - $started) / 1e9;
    $peak = memory_get_peak_usage();
    printf(
        "  %-44s %6d bookings  %7.1f s  %6.2f ms/booking  peak %6.1f MB (%5.1f MB above the %5.1f MB before)  %s: %d applied, %d unchanged, %d errors, %d pages\n",
        $label,
        $count,
        $seconds,
        $seconds * 1000 / $count,
        $peak / 1048576,
        ($peak - $before) / 1048576,
        $before / 1048576,
        $run['status'],
        $run['applied'],
        $run['unchanged'],
        $run['errors'],
        $run['pages']
    );
    $wrong = [];
    if (Reconciler::COMPLETE !== $run['status']) {
        $wrong[] = 'status ' . $run['status'] . ': ' . $run['message'];
    }
    if ([$count, $expect_applied, $count - $expect_applied, 0] !== [$run['seen'], $run['applied'], $run['unchanged'], $run['errors']]) {
        $wrong[] = sprintf('expected %d seen, %d applied, %d unchanged, 0 errors', $count, $expect_applied, $count - $expect_applied);
        $wrong = array_merge($wrong, $run['error_samples']);
    }
    foreach ($wrong as $line) {
        fwrite(STDERR, "reconcile bench: WRONG ($label): $line\n");
        $failed = true;
    }
    return $run + ['seconds' => $seconds, 'peak' => $peak];
};

$small = intdiv($bookings, 5);
$a = $pass('missed (one fifth)', 'rbench-a' . time() . '-', $small, $small);
$prefix = 'rbench-b' . time() . '-';
$b = $pass('missed', $prefix, $bookings, $bookings);
$c = $pass('already applied (the same bookings again)', $prefix, $bookings, 0);

$made = $leads() - $at_start;
if ($made !== $small + $bookings) {
    fwrite(STDERR, sprintf("reconcile bench: WRONG: %d new leads, expected %d\n", $made, $small + $bookings));
    $failed = true;
}
printf(
    "  targets (10,000 bookings at 100,000 leads): under 60 s (here %.1f s missed, %.1f s applied, at %d leads), under 128 MB (peak %.1f MB), flat (peak at %d bookings %.1f MB, at %d: %.1f MB)\n",
    $b['seconds'],
    $c['seconds'],
    $at_start,
    max($b['peak'], $c['peak']) / 1048576,
    $small,
    $a['peak'] / 1048576,
    $bookings,
    $b['peak'] / 1048576
);
exit($failed ? 1 : 0);
