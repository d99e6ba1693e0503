<?php
/**
 * The admin experience in a real browser (headless Chromium through chromedriver), on the stack of
 * scripts/stack.sh. Run by tests/browser/run.sh, which starts chromedriver and passes its URL.
 *
 * 1. Log in to wp-admin with no secret set: the dashboard shows the "no secret" notice.
 * 2. Solar leads > Settings > Integrations: generate a secret, copy the endpoint (read from the page),
 *    save; the secret is masked afterwards and never in the page again.
 * 3. "Send test delivery": success.
 * 4. A delivery signed with another secret: the wrong-signature notice with its fix.
 * 5. A signed booking whose attendee is named <img src=x onerror=alert(1)>: shown as text in the lead
 *    list, the lead screen and the delivery log; no image element, no JavaScript dialog.
 * 6. The list's booking status filter and search by e-mail and by phone digits.
 *
 * Screenshots of each screen go to tests/browser/screenshots/ (or $SC_SCREENSHOT_DIR).
 * The site's secrets are restored afterwards.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Browser;

use SolarCapture\Plugin\Leads\Lead_Post_Type;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Tests\Support\Bookings;
use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Signed_Delivery;

require __DIR__ . '/WebDriver.php';
require_once dirname(__DIR__) . '/support/load.php';

const XSS_NAME = '<img src=x onerror=alert(1)>';
const XSS_EMAIL = 'xss.browser-test@example.com';
const XSS_PHONE = '+49 30 555-0123';

$fail = static function (string $message): never {
    fwrite(STDERR, "browser: FAIL: $message\n");
    exit(1);
};
foreach (['SC_URL', 'SC_WP_DIR', 'SC_ADMIN_USER', 'SC_ADMIN_PASSWORD', 'SC_WEBDRIVER_URL'] as $var) {
    if ('' === (string) getenv($var)) {
        $fail("$var is not set: eval \"\$(bash scripts/stack.sh env)\" and run tests/browser/run.sh");
    }
}
$site = rtrim((string) getenv('SC_URL'), '/');
$shots = (string) (getenv('SC_SCREENSHOT_DIR') ?: __DIR__ . '/screenshots');
if (!is_dir($shots) && !mkdir($shots, 0777, true)) {
    $fail("cannot create $shots");
}

// This process loads the same WordPress to set the starting state and to restore the secrets after.
$url = parse_url($site);
$_SERVER['HTTP_HOST'] = $url['host'] . (isset($url['port']) ? ':' . $url['port'] : '');
$_SERVER['REQUEST_URI'] = '/';
ob_start();
require rtrim((string) getenv('SC_WP_DIR'), '/') . '/wp-load.php';
ob_end_clean();
if (!class_exists(Secrets::class)) {
    $fail('the Solar Capture plugin is not active on ' . $site);
}

$checks = 0;
$check = static function (bool $ok, string $what) use (&$checks, $fail): void {
    if (!$ok) {
        $fail($what);
    }
    ++$checks;
    echo "  ok  $what\n";
};
$step = static function (string $what): void {
    echo "browser: $what\n";
};

$saved = [
    Secrets::OPTION => get_option(Secrets::OPTION, ''),
    Secrets::PREVIOUS_OPTION => get_option(Secrets::PREVIOUS_OPTION, ''),
    'timezone_string' => get_option('timezone_string', ''),
    'gmt_offset' => get_option('gmt_offset', 0),
];
$restore = static function () use ($saved): void {
    foreach ($saved as $option => $value) {
        update_option($option, $value);
    }
};

// Start: no secret, a site time zone that is not UTC (times must be converted), and no lead left by
// an earlier run of this test.
update_option('timezone_string', 'Europe/Berlin');
update_option(Secrets::OPTION, '');
update_option(Secrets::PREVIOUS_OPTION, '');
delete_transient('solar_capture_endpoint_check');
foreach (get_posts(['post_type' => Lead_Post_Type::POST_TYPE, 'post_status' => 'any', 'numberposts' => -1, 'fields' => 'ids', 'meta_key' => Lead_Post_Type::META_EMAIL, 'meta_value' => XSS_EMAIL]) as $old) {
    wp_delete_post((int) $old, true);
}

$profile = sys_get_temp_dir() . '/solar-capture-chromium-' . getmypid();
$driver = null;
try {
    $driver = new WebDriver((string) getenv('SC_WEBDRIVER_URL'), [
        'browserName' => 'chrome',
        // A dialog must not be closed silently: dialogText() reports it.
        'unhandledPromptBehavior' => 'ignore',
        'goog:chromeOptions' => [
            'binary' => (string) (getenv('SC_CHROMIUM') ?: '/usr/bin/chromium'),
            'args' => [
                '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
                '--disable-component-update', '--disable-sync', '--user-data-dir=' . $profile,
                '--window-size=1280,900', '--force-device-scale-factor=1', '--hide-scrollbars', '--lang=en-US',
            ],
        ],
    ]);
    $shot = static function (string $name, string $scroll_to = '') use ($driver, $shots): void {
        $driver->js($scroll_to === '' ? 'window.scrollTo(0, 0);' : 'var e = document.querySelector(arguments[0]); if (e) { e.scrollIntoView({block: "start"}); window.scrollBy(0, -40); }', $scroll_to === '' ? [] : [$scroll_to]);
        usleep(150_000);
        $bytes = $driver->screenshot("$shots/$name.png");
        echo "  screenshot $name.png (" . round($bytes / 1024) . " KiB)\n";
    };
    $noDialog = static function (string $where) use ($driver, $check): void {
        usleep(300_000); // An onerror handler would run right after the failed image load.
        $check(null === $driver->dialogText(), "no JavaScript dialog opened on $where");
        $check(0 === $driver->js('return document.querySelectorAll(\'img[src="x"]\').length;'), "no <img src=x> element on $where");
    };

    $step('log in');
    $driver->go("$site/wp-login.php");
    $driver->type($driver->waitFor('#user_login'), (string) getenv('SC_ADMIN_USER'));
    $driver->type($driver->waitFor('#user_pass'), (string) getenv('SC_ADMIN_PASSWORD'));
    $driver->click($driver->waitFor('#wp-submit'));
    $driver->waitFor('#wpadminbar');
    $check(str_contains($driver->url(), '/wp-admin/'), 'logged in to wp-admin');
    $notice = $driver->waitFor('[data-solar-capture-notice="no_secret"]');
    $check(str_contains($driver->text($notice), 'every delivery from Cal.com is refused'), 'the dashboard says webhooks are refused without a secret');
    $shot('01-dashboard-no-secret');

    $step('Solar leads > Settings > Integrations');
    $driver->click($driver->waitFor('#menu-posts-solar_lead a.wp-has-submenu'));
    $driver->waitFor('#menu-posts-solar_lead .wp-submenu a[href*="page=solar-capture"]');
    $settings = null;
    foreach ($driver->findAll('#menu-posts-solar_lead .wp-submenu a') as $link) {
        if ('Settings' === trim($driver->text($link))) {
            $settings = $link;
        }
    }
    $check(null !== $settings, 'the Solar leads menu has a Settings entry');
    $driver->click((string) $settings);
    $driver->waitFor('#solar-capture-endpoint');
    $check(str_contains($driver->text($driver->waitFor('.nav-tab-active')), 'Integrations'), 'the Integrations tab is open');
    $check(str_contains($driver->text($driver->waitFor('#solar-capture-endpoint-heading + table')), 'The endpoint answers directly'), 'the endpoint check found no redirect and no blocked REST API');
    $engine = $driver->text($driver->waitFor('#solar-capture-engine'));
    $check(str_contains($engine, 'native' === getenv('SC_ENGINE') ? 'Native PHP extension' : 'Pure-PHP engine'), "the engine the site runs is shown: $engine");
    $shot('02-integrations');

    $step('generate a secret, copy the endpoint');
    $driver->click($driver->waitFor('#solar-capture-generate-secret'));
    $secret = (string) $driver->property($driver->waitFor('#solar-capture-new-secret'), 'value');
    $check(1 === preg_match('/\A[A-Za-z0-9]{48}\z/', $secret), 'Generate fills in 48 random letters and digits');
    $check(str_contains($driver->text($driver->waitFor('#solar-capture-secret-length')), '48 characters'), 'the length hint counts them');
    $driver->click($driver->waitFor('#solar-capture-copy-endpoint'));
    $driver->waitUntil('document.querySelector("#solar-capture-copy-endpoint").parentNode.querySelector(".solar-capture-copy-status").textContent !== ""', 5);
    $endpoint = (string) $driver->property($driver->waitFor('#solar-capture-endpoint'), 'value');
    $check($endpoint === rest_url('solar-capture/v1/calcom-webhook'), "the endpoint on the page is rest_url(): $endpoint");
    $shot('03-integrations-generated', '#solar-capture-endpoint-heading');

    $step('save the secret');
    $driver->click($driver->waitFor('#solar-capture-save-secret'));
    $driver->waitUntil('location.search.indexOf("solar_capture_notice=secret_saved") !== -1 && document.readyState === "complete"');
    $check(str_contains($driver->text($driver->waitFor('#solar-capture-notice')), 'Secret saved'), 'the secret is saved');
    wp_cache_flush();
    $check($secret === get_option(Secrets::OPTION), 'WordPress holds the generated secret');
    $check(!str_contains($driver->source(), $secret), 'the saved secret is not in the page any more');
    $masked = $driver->text($driver->waitFor('#solar-capture-current-secret'));
    $check(str_ends_with($masked, substr($secret, -4)) && !str_contains($masked, substr($secret, 0, 8)), "the secret is masked: $masked");
    $check(null === $driver->find('[data-solar-capture-notice="no_secret"]'), 'the no-secret notice is gone');
    $shot('04-integrations-saved', '#solar-capture-endpoint-heading');

    $step('send a test delivery');
    $driver->click($driver->waitFor('#solar-capture-send-test'));
    $driver->waitUntil('location.search.indexOf("solar_capture_test=1") !== -1 && document.readyState === "complete"', 30);
    $result = $driver->waitFor('#solar-capture-test-result');
    $check('1' === $driver->js('return document.querySelector("#solar-capture-test-result").getAttribute("data-ok");'), 'the test delivery succeeded: ' . $driver->text($result));
    $check(str_contains($driver->text($result), 'Test delivery received'), 'the success message is shown');
    $shot('05-test-delivery');

    // A signed delivery as Cal.com sends it (tests/support), to the endpoint read from the page.
    $post = static function (string $body, string $secret) use ($endpoint): array {
        $answer = Curl_Transport::post($endpoint, Signed_Delivery::of($body, $secret));
        return [$answer->status, $answer->json()];
    };
    $now = Bookings::iso(time());
    $booking = static fn (string $uid, string $created): string => Bookings::booking('BOOKING_CREATED', $created, [
        'title' => 'Solar survey',
        'startTime' => '2030-05-14T09:00:00Z',
        'endTime' => '2030-05-14T09:45:00Z',
        'uid' => $uid,
        'attendees' => [['name' => XSS_NAME, 'email' => XSS_EMAIL, 'timeZone' => 'Europe/Berlin', 'phoneNumber' => XSS_PHONE]],
        'responses' => ['notes' => ['label' => 'Notes', 'value' => '<script>alert(2)</script>']],
        'bookingId' => null,
        'eventTypeId' => null,
        'status' => null,
    ]);

    $step('a delivery signed with another secret');
    [$status, $answer] = $post($booking('browser-wrong-' . bin2hex(random_bytes(4)), $now), 'not-the-secret-' . bin2hex(random_bytes(8)));
    $check(401 === $status && 'solar_capture_invalid_signature' === ($answer['code'] ?? null), 'the endpoint refuses it with 401');
    $driver->go("$site/wp-admin/edit.php?post_type=solar_lead&page=solar-capture-deliveries&result=rejected");
    $notice = $driver->waitFor('[data-solar-capture-notice="wrong_signature"]');
    $check(str_contains($driver->text($notice), 'signature did not match') && str_contains($driver->text($notice), 'Fix:'), 'the wrong-signature notice names the fix');
    $shot('06-wrong-signature-notice');

    $step('a signed booking from ' . XSS_NAME);
    [$status, $answer] = $post($booking('browser-' . bin2hex(random_bytes(4)), $now), $secret);
    $check(200 === $status && 'accepted' === ($answer['result'] ?? null) && true === ($answer['created'] ?? null), 'the booking is accepted and creates a lead');
    $lead = (int) $answer['lead_id'];
    wp_cache_flush();
    $check(XSS_NAME === get_post($lead)->post_title, 'the lead\'s name is stored as sent');

    $step('lead list');
    $driver->go("$site/wp-admin/edit.php?post_type=solar_lead");
    $title = $driver->waitFor("#post-$lead .row-title");
    $noDialog('the lead list');
    $check(XSS_NAME === $driver->text($title), 'the list shows the name as text');
    $row = $driver->text($driver->waitFor("#post-$lead"));
    foreach ([XSS_EMAIL, XSS_PHONE, 'Booked', 'solar-survey'] as $expected) {
        $check(str_contains($row, $expected), "the list row shows $expected");
    }
    $appointment = (string) wp_date(get_option('date_format') . ' ' . get_option('time_format'), strtotime('2030-05-14T09:00:00Z'));
    $check(str_contains($appointment, '11:00'), "09:00 UTC is 11:00 in Europe/Berlin: $appointment");
    $check(str_contains($row, $appointment), "the appointment is in the site's time zone: $appointment");
    $check(null === $driver->find('[data-solar-capture-notice="wrong_signature"]'), 'the wrong-signature notice is gone once a delivery verified');
    $shot('07-leads-list');

    $step('filter by booking status, search by e-mail and phone');
    $driver->js('document.querySelector("#filter-by-solar-status").value = "cancelled";');
    $driver->click($driver->waitFor('#post-query-submit'));
    $driver->waitUntil('location.search.indexOf("solar_status=cancelled") !== -1 && document.readyState === "complete"');
    $check(null === $driver->find("#post-$lead"), 'the Cancelled filter hides the booked lead');
    $driver->js('document.querySelector("#filter-by-solar-status").value = "booked";');
    $driver->click($driver->waitFor('#post-query-submit'));
    $driver->waitUntil('location.search.indexOf("solar_status=booked") !== -1 && document.readyState === "complete"');
    $check(null !== $driver->find("#post-$lead"), 'the Booked filter shows it');
    foreach (['xss.browser-test@' => 'e-mail', '305550123' => 'phone digits', '555-0123' => 'phone as written'] as $term => $what) {
        $driver->go("$site/wp-admin/edit.php?post_type=solar_lead");
        $driver->type($driver->waitFor('#post-search-input'), (string) $term);
        $driver->click($driver->waitFor('#search-submit'));
        $driver->waitUntil('location.search.indexOf("s=") !== -1 && document.readyState === "complete"');
        $check(null !== $driver->find("#post-$lead") && 1 === count($driver->findAll('#the-list tr[id^="post-"]')), "search by $what ($term) finds exactly the lead");
    }

    $step('lead screen');
    $driver->go("$site/wp-admin/edit.php?post_type=solar_lead");
    $driver->click($driver->waitFor("#post-$lead .row-title"));
    $driver->waitFor('#solar-capture-booking');
    $noDialog('the lead screen');
    $check(XSS_NAME === $driver->property($driver->waitFor('#title'), 'value'), 'the name field holds the name as text');
    $panel = $driver->text($driver->waitFor('#solar-capture-booking'));
    foreach ([XSS_EMAIL, XSS_PHONE, 'Booked', $appointment, 'solar-survey'] as $expected) {
        $check(str_contains($panel, $expected), "the booking panel shows $expected");
    }
    $check(null === $driver->find('#solar-capture-booking input, #solar-capture-booking textarea, #solar-capture-booking select'), 'the booking panel is read-only');
    $check(str_contains($driver->text($driver->waitFor('#solar-capture-timeline')), 'BOOKING_CREATED'), 'the timeline lists the booking');
    $shot('08-lead');

    $step('delivery log');
    $driver->go("$site/wp-admin/edit.php?post_type=solar_lead&page=solar-capture-deliveries");
    $link = $driver->waitFor('.solar-capture-log a[href*="post=' . $lead . '&action=edit"]');
    $noDialog('the delivery log');
    $check(XSS_NAME === $driver->text($link), 'the log links the lead by its name, as text');
    $rows = $driver->text($driver->waitFor('#the-list'));
    $check(str_contains($rows, 'PING') && str_contains($rows, 'BOOKING_CREATED') && str_contains($rows, 'invalid_signature'), 'the log shows the ping, the booking and the refused delivery with its reason');
    $shot('09-delivery-log');
    $driver->click($driver->waitFor('.subsubsub .accepted a'));
    $driver->waitUntil('location.search.indexOf("result=accepted") !== -1 && document.readyState === "complete"');
    $check(!str_contains($driver->text($driver->waitFor('#the-list')), 'solar_capture_invalid_signature'), 'the Accepted filter leaves out the refused delivery');
    $driver->click($driver->waitFor('#the-list tr:first-child .row-title'));
    $body = $driver->waitFor('.solar-capture-body');
    $noDialog('the delivery details');
    $check(str_contains($driver->text($body), '"name": "' . XSS_NAME . '"') && str_contains($driver->text($body), '<script>alert(2)</script>'), 'the stored body is shown to the administrator, as text');
    $shot('10-delivery-body');

    echo "browser: PASS ($checks checks, screenshots in $shots)\n";
} catch (\Throwable $e) {
    if (null !== $driver) {
        try {
            $driver->screenshot("$shots/failure.png");
            fwrite(STDERR, "browser: screenshot of the failure: $shots/failure.png\n");
        } catch (\Throwable $ignored) {
        }
    }
    $restore();
    $fail($e->getMessage() . ' (' . basename($e->getFile()) . ':' . $e->getLine() . ')');
} finally {
    if (null !== $driver) {
        try {
            $driver->quit();
        } catch (\Throwable $ignored) {
        }
    }
    $restore();
    if (is_dir($profile)) {
        exec('rm -rf ' . escapeshellarg($profile));
    }
}
