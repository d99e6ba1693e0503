<?php
/**
 * Admin notices: no secret, a short secret, custom-template bodies, wrong signatures in the last 24
 * hours; each names its fix, shows to administrators only, on the screens they look at.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Admin\Admin_Notices;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Webhook\Secrets;

final class AdminNoticesTest extends TestCase
{
    private const LONG_SECRET = 'a-long-enough-secret-0123456789abcdefWXYZ';

    protected function setUp(): void
    {
        parent::setUp();
        require_once ABSPATH . 'wp-admin/includes/admin.php';
        self::loginAs('administrator');
        update_option(Secrets::OPTION, self::LONG_SECRET);
    }

    /** @return array<string, string> Notice id => message. */
    private function notices(): array
    {
        return array_column($this->plugin->notices->notices(), 'message', 'id');
    }

    public function testNoNoticeWhenAllIsWell(): void
    {
        $this->deliver(self::fixture('15_ping_test.json'), self::LONG_SECRET);
        self::assertSame([], $this->notices());
    }

    public function testNoSecretMeansEveryDeliveryIsRefused(): void
    {
        update_option(Secrets::OPTION, '');
        $notices = $this->notices();
        self::assertSame(['no_secret'], array_keys($notices));
        self::assertStringContainsString('every delivery from Cal.com is refused (503)', $notices['no_secret']);
        self::assertStringContainsString('Fix: under Solar leads > Settings > Integrations, generate a secret', $notices['no_secret']);

        // A previous secret alone still verifies deliveries: not "no secret".
        update_option(Secrets::PREVIOUS_OPTION, self::LONG_SECRET);
        self::assertSame([], $this->notices());
    }

    public function testAShortSecretIsFlagged(): void
    {
        update_option(Secrets::OPTION, self::SECRET);
        $notices = $this->notices();
        self::assertSame(['short_secret'], array_keys($notices));
        self::assertStringContainsString('only 26 characters long', $notices['short_secret']);
        self::assertStringContainsString('Fix: generate one of 32 characters or more', $notices['short_secret']);
    }

    public function testCustomTemplateBodiesNameTheFixUntilADeliveryIsAcceptedAgain(): void
    {
        $this->deliver(self::fixture('extra/18_custom_template_json.json'), self::LONG_SECRET);
        $notices = $this->notices();
        self::assertSame(['custom_template'], array_keys($notices));
        self::assertStringContainsString('clear its Custom Payload field', $notices['custom_template']);

        $this->deliver(self::fixture('15_ping_test.json'), self::LONG_SECRET);
        self::assertSame([], $this->notices());
    }

    public function testWrongSignaturesInTheLast24HoursNameTheFixUntilOneVerifies(): void
    {
        $this->deliver(self::fixture('01_booking_created.json'), 'the-secret-cal-com-has');
        $this->deliver(self::fixture('02_booking_cancelled.json'), 'the-secret-cal-com-has');
        $this->deliver(self::fixture('01_booking_created.json'), null); // missing signature: someone else, not a secret mismatch
        $notices = $this->notices();
        self::assertSame(['wrong_signature'], array_keys($notices));
        self::assertStringContainsString('2 deliveries were refused in the last 24 hours because their signature did not match (401)', $notices['wrong_signature']);
        self::assertStringContainsString('Fix: under Solar leads > Settings > Integrations, generate and save a new secret', $notices['wrong_signature']);
        self::assertStringContainsString('Secret field of the webhook in Cal.com', $notices['wrong_signature']);

        // Once the secrets agree again, a verified delivery clears it.
        $this->deliver(self::fixture('15_ping_test.json'), self::LONG_SECRET);
        self::assertSame([], $this->notices());
    }

    public function testWrongSignaturesOlderThan24HoursAreNoLongerNews(): void
    {
        $this->countRefusal(time() - DAY_IN_SECONDS - HOUR_IN_SECONDS);
        self::assertSame([], $this->notices());
        $this->countRefusal(time() - DAY_IN_SECONDS + HOUR_IN_SECONDS);
        self::assertStringStartsWith('1 delivery was refused', $this->notices()['wrong_signature']);
    }

    /** Found on the landed main: one forged request a day kept the red notice up, telling the admin to rotate. */
    public function testForgedRequestsThatDoNotLookLikeCalcomsRaiseNoNotice(): void
    {
        $wrong = hash_hmac('sha256', 'x', 'not-the-secret');
        foreach (['hello', '<?xml version="1.0"?><a/>', '{"event":"x"}', 'triggerEvent=BOOKING_CREATED'] as $body) {
            $this->assertError($this->deliver($body, null, ['X-Cal-Signature-256' => $wrong]), 401, 'solar_capture_invalid_signature');
        }
        self::assertSame([], $this->notices(), 'bodies that are not Cal.com events do not say the secret is wrong');

        // A Cal.com event signed with another secret does.
        $this->deliver(self::fixture('01_booking_created.json'), 'the-secret-cal-com-has');
        self::assertStringStartsWith('1 delivery was refused', $this->notices()['wrong_signature']);
    }

    /** Found on the landed main: the notice scanned the refused rows on every dashboard load. */
    public function testTheNoticeReadsTheCounterNotTheRows(): void
    {
        $this->deliver(self::fixture('01_booking_created.json'), 'the-secret-cal-com-has');
        global $wpdb;
        $wpdb->query("DELETE FROM {$this->plugin->deliveries->table()}");
        self::assertArrayHasKey('wrong_signature', $this->notices(), 'the count survives the rows (e.g. past the hourly cap)');
    }

    private function countRefusal(int $time): void
    {
        global $wpdb;
        $wpdb->insert($this->plugin->refusals->table(), [
            'hour' => gmdate('Y-m-d H:00:00', $time),
            'reason_code' => Reason::INVALID_SIGNATURE,
            'calcom_like' => 1,
            'requests' => 1,
            'newest' => gmdate('Y-m-d H:i:s', $time),
        ]);
    }

    public function testNoticesShowToAdministratorsOnTheirScreensOnly(): void
    {
        update_option(Secrets::OPTION, '');
        foreach (['dashboard', 'plugins', 'edit-solar_lead', 'solar_lead'] as $screen) {
            set_current_screen($screen);
            $html = self::capture([$this->plugin->notices, 'render']);
            self::assertStringContainsString('data-solar-capture-notice="no_secret"', $html, $screen);
            self::assertStringContainsString('<a href="' . esc_url($this->plugin->settings_page->page_url()) . '">Open Integrations</a>', $html);
        }
        set_current_screen('edit-page');
        self::assertSame('', self::capture([$this->plugin->notices, 'render']), 'not on unrelated screens');

        set_current_screen('dashboard');
        self::loginAs('editor');
        self::assertSame('', self::capture([$this->plugin->notices, 'render']), 'editors can\'t fix it');
    }
}
