<?php
/**
 * The admin screens render, escape what came from Cal.com, and say which engine runs.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Requirements;
use SolarCapture\Plugin\Secrets;

final class AdminScreensTest extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        require_once ABSPATH . 'wp-admin/includes/admin.php';
        $admin = wp_insert_user(['user_login' => 'sc_admin_' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => 'administrator']);
        self::assertIsInt($admin);
        wp_set_current_user($admin);
    }

    private static function capture(callable $render): string
    {
        ob_start();
        try {
            $render();
        } finally {
            $html = (string) ob_get_clean();
        }
        return $html;
    }

    public function testTheSettingsPageShowsEngineUrlConnectionAndDeliveries(): void
    {
        $this->deliver(self::fixture('15_ping_test.json'));
        $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-<script>alert(1)</script>', '2025-03-01T10:00:00Z'));
        $this->deliver(self::fixture('01_booking_created.json'), 'wrong-secret');

        $html = self::capture([$this->plugin->settings_page, 'render']);
        self::assertStringContainsString(esc_html($this->plugin->engine->describe()), $html);
        self::assertStringContainsString(extension_loaded('solar_capture') ? 'Native PHP extension' : 'pure-PHP engine', $html);
        self::assertStringContainsString(esc_html(rest_url('solar-capture/v1/calcom-webhook')), $html);
        self::assertStringContainsString('Connection works', $html);
        self::assertStringContainsString('unmatched', $html);
        self::assertStringContainsString('Process again', $html);
        self::assertStringContainsString('solar_capture_invalid_signature', $html);
        self::assertStringContainsString('value="' . esc_attr(self::SECRET) . '"', $html);
        self::assertStringNotContainsString('<script>alert', $html);
    }

    public function testTheSettingsPageSaysWhenTheSecretComesFromWpConfig(): void
    {
        update_option(Secrets::OPTION, '');
        $html = self::capture([$this->plugin->settings_page, 'render']);
        self::assertStringContainsString('Current secret: not set', $html);
        self::assertStringContainsString('No ping received yet', $html);
    }

    public function testTheCustomTemplateNoticeNamesTheFix(): void
    {
        $this->deliver(self::fixture('extra/18_custom_template_json.json'));
        set_current_screen('dashboard');
        $html = self::capture([$this->plugin->settings_page, 'custom_template_notice']);
        self::assertStringContainsString('clear its Custom Payload field', $html);

        // Once a delivery is accepted again, the notice goes.
        $this->deliver(self::fixture('15_ping_test.json'));
        self::assertSame('', self::capture([$this->plugin->settings_page, 'custom_template_notice']));
    }

    public function testTheLeadScreenShowsBookingAndTimeline(): void
    {
        $attendees = [['name' => 'Ana <b>M</b>', 'email' => 'ana@example.com', 'phoneNumber' => '<i>+49</i>']];
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['attendees' => $attendees]))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['attendees' => $attendees, 'cancellationReason' => '<img src=x onerror=alert(1)>']));
        $post = get_post($lead);

        $booking = self::capture(fn () => $this->plugin->lead_admin->render_booking($post));
        self::assertStringContainsString('ana@example.com', $booking);
        self::assertStringContainsString('&lt;i&gt;+49&lt;/i&gt;', $booking);
        self::assertStringContainsString('&lt;img src=x onerror=alert(1)&gt;', $booking);
        self::assertStringNotContainsString('<img', $booking);

        $timeline = self::capture(fn () => $this->plugin->lead_admin->render_timeline($post));
        self::assertStringContainsString('BOOKING_CREATED', $timeline);
        self::assertStringContainsString('BOOKING_CANCELLED', $timeline);
        self::assertStringNotContainsString('<img', $timeline);

        $columns = $this->plugin->lead_admin->columns(['cb' => '', 'title' => 'Title', 'date' => 'Date']);
        self::assertSame(['cb', 'title', 'solar_email', 'solar_phone', 'solar_status', 'solar_appointment', 'date'], array_keys($columns));
        self::assertSame('Cancelled', self::capture(fn () => $this->plugin->lead_admin->column('solar_status', $lead)));
    }

    public function testTheRequirementsGuardExplainsWhatIsMissing(): void
    {
        self::assertTrue(Requirements::met());
        self::assertSame('', self::capture([Requirements::class, 'render_notice']), 'no notice when nothing is missing');
        $saved = $GLOBALS['wp_version'];
        $GLOBALS['wp_version'] = '6.0.3';
        try {
            self::assertFalse(Requirements::met());
            self::assertSame(['wordpress'], Requirements::failed_checks());
            $html = self::capture([Requirements::class, 'render_notice']);
            self::assertStringContainsString('Solar Capture is not running', $html);
            self::assertStringContainsString('WordPress 6.1 or newer; this site runs 6.0.3', $html);
        } finally {
            $GLOBALS['wp_version'] = $saved;
        }
    }

    public function testSiteHealthShowsTheEngine(): void
    {
        $info = apply_filters('debug_information', []);
        self::assertSame($this->plugin->engine->label(), $info['solar-capture']['fields']['engine']['debug']);
    }
}
