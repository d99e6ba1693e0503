<?php
/**
 * The admin screens render what they must, escape what came from Cal.com, and say which engine runs:
 * Settings > Integrations, the lead list and lead screen, and the admin notices.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Requirements;
use SolarCapture\Plugin\Webhook\Secrets;

final class AdminScreensTest extends TestCase
{
    private const LONG_SECRET = 'a-long-enough-secret-0123456789abcdefWXYZ';

    protected function setUp(): void
    {
        parent::setUp();
        require_once ABSPATH . 'wp-admin/includes/admin.php';
        self::loginAs('administrator');
        delete_transient(Endpoint_Check::CACHE);
        // The loopback checks answer as a healthy site would: WordPress's JSON 404 for a GET on the
        // POST-only route, and no https on this port.
        $this->fakeHttp(static fn (string $url) => str_starts_with($url, 'https:')
            ? new \WP_Error('http_request_failed', 'cURL error 35: wrong version number')
            : [404, '{"code":"rest_no_route","message":"No route was found matching the URL and request method.","data":{"status":404}}', ['content-type' => 'application/json']]);
    }

    private function integrations(): string
    {
        return self::capture([$this->plugin->settings_page, 'render']);
    }

    public function testIntegrationsShowsEndpointSecretTriggersDeliveriesAndEngine(): void
    {
        update_option(Secrets::OPTION, self::LONG_SECRET);
        $this->deliver(self::fixture('15_ping_test.json'), self::LONG_SECRET);
        $html = $this->integrations();

        self::assertStringContainsString('value="' . esc_attr(rest_url('solar-capture/v1/calcom-webhook')) . '" readonly', $html);
        self::assertStringContainsString('id="solar-capture-copy-endpoint"', $html);
        self::assertStringContainsString('The endpoint answers directly', $html);
        self::assertStringNotContainsString('solar-capture-endpoint-problem', $html);

        self::assertStringNotContainsString(self::LONG_SECRET, $html, 'a saved secret is never printed in full');
        self::assertStringContainsString('••••••••••••WXYZ', $html);
        self::assertStringContainsString('(41 characters; last verified a delivery', $html);
        self::assertStringContainsString('id="solar-capture-generate-secret"', $html);
        self::assertStringContainsString('name="solar_capture_new_secret" class="regular-text code" value=""', $html);
        self::assertStringContainsString('name="solar_capture_keep_previous" value="1" checked', $html);
        self::assertStringContainsString('name="_wpnonce"', $html);

        foreach (['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED', 'BOOKING_REQUESTED', 'MEETING_ENDED', 'Custom Payload'] as $text) {
            self::assertStringContainsString($text, $html);
        }
        self::assertStringContainsString('id="solar-capture-last-delivery"', $html);
        self::assertStringContainsString('PING, Accepted (ping)', $html);
        self::assertStringContainsString('Connection works', $html);
        self::assertStringContainsString('id="solar-capture-send-test"', $html);

        if (extension_loaded('solar_capture')) {
            self::assertStringContainsString('Native PHP extension solar_capture ' . \SolarCapture\version(), $html);
            self::assertStringContainsString('SHA-256 in hardware (SHA-NI)', $html);
            self::assertNotNull($this->plugin->engine->sha_hardware());
            self::assertStringContainsString(esc_html((string) $this->plugin->engine->sha_hardware()), $html);
        } else {
            self::assertStringContainsString('Pure-PHP engine', $html);
            self::assertStringContainsString('extension=/path/to/libsolar_capture.so', $html);
            self::assertNull($this->plugin->engine->sha_hardware());
        }
    }

    public function testTheEngineDescribesItselfThroughEngineInfo(): void
    {
        $info = \SolarCapture\engine_info();
        self::assertSame(['engine', 'version', 'sha256_hardware'], array_keys($info));
        self::assertSame($info, $this->plugin->engine->info());
        self::assertSame(extension_loaded('solar_capture') ? 'native' : 'php', $info['engine']);
        self::assertSame(\SolarCapture\version(), $info['version']);
        self::assertSame($info['engine'] . ' ' . $info['version'], $this->plugin->engine->label());
        if (extension_loaded('solar_capture')) {
            self::assertIsBool($info['sha256_hardware'], 'the extension knows whether SHA-256 runs on hardware');
        } else {
            self::assertNull($info['sha256_hardware'], 'PHP\'s hash extension does not say');
        }
    }

    public function testWithoutASecretTheScreenSaysDeliveriesAreRefused(): void
    {
        update_option(Secrets::OPTION, '');
        $html = $this->integrations();
        self::assertStringContainsString('Not set: every delivery is refused (503).', $html);
        self::assertStringContainsString('Nothing received yet.', $html);
        self::assertStringContainsString('>Secret</label>', $html);
        self::assertStringNotContainsString('solar_capture_keep_previous', $html, 'nothing to keep');
    }

    public function testAShortSecretIsFlaggedAndMaskedWithoutItsTail(): void
    {
        update_option(Secrets::OPTION, 'VQJX-shortie');
        $html = $this->integrations();
        self::assertStringContainsString('This secret is only 12 characters long. Use 32 or more', $html);
        self::assertStringNotContainsString('rtie', $html, 'too short to show any of it');
        self::assertStringNotContainsString('VQJX', $html);
        self::assertSame('••••••••••••', Secrets::mask('VQJX-shortie'));
        self::assertSame('••••••••••••WXYZ', Secrets::mask(self::LONG_SECRET));
    }

    public function testDuringARotationBothSecretsAreMaskedWithTheirLastMatch(): void
    {
        update_option(Secrets::OPTION, self::LONG_SECRET);
        update_option(Secrets::PREVIOUS_OPTION, self::SECRET . '-and-some-more');
        $this->deliver(self::fixture('01_booking_created.json'), self::SECRET . '-and-some-more');
        $html = $this->integrations();
        self::assertStringNotContainsString(self::SECRET, $html);
        self::assertStringContainsString('id="solar-capture-previous-secret"', $html);
        self::assertMatchesRegularExpression('/id="solar-capture-previous-secret">[^<]*<\/code> \(40 characters; last verified a delivery/', $html);
        self::assertMatchesRegularExpression('/id="solar-capture-current-secret">[^<]*<\/code> \(41 characters; has not verified a delivery yet\)/', $html);
        self::assertStringContainsString('Remove previous secret', $html);
    }

    /**
     * @runInSeparateProcess
     * @preserveGlobalState disabled
     */
    public function testASecretFromWpConfigIsNotedAndCantBeChangedHere(): void
    {
        define('SOLAR_CAPTURE_CALCOM_SECRET', 'secret-from-wp-config-0123456789abcdef');
        $html = $this->integrations();
        self::assertStringContainsString('Set by the SOLAR_CAPTURE_CALCOM_SECRET constant in wp-config.php', $html);
        self::assertStringNotContainsString('secret-from-wp-config', $html);
        self::assertStringNotContainsString('id="solar-capture-secret-form"', $html, 'no form that could not work');
    }

    public function testWithPlainPermalinksTheEndpointUsesRestRoute(): void
    {
        update_option('permalink_structure', '');
        $html = $this->integrations();
        $url = rest_url('solar-capture/v1/calcom-webhook');
        self::assertStringEndsWith('?rest_route=/solar-capture/v1/calcom-webhook', $url);
        self::assertStringContainsString('value="' . esc_attr($url) . '" readonly', $html);
        self::assertStringContainsString('Permalinks are set to &quot;Plain&quot;', $html);
    }

    public function testEndpointProblemsAreShownWithTheirFix(): void
    {
        $this->fakeHttp(static fn () => [301, '', ['location' => 'https://example.com/wp-json/solar-capture/v1/calcom-webhook/']]);
        $html = $this->integrations();
        self::assertStringContainsString('data-problem="redirect"', $html);
        self::assertStringContainsString('HTTP 301 to https://example.com/wp-json/solar-capture/v1/calcom-webhook/', $html);
        self::assertStringContainsString('Cal.com does not follow redirects', $html);
        self::assertStringNotContainsString('The endpoint answers directly', $html);
    }

    public function testTheLeadListHasTheColumnsOfTheSalesTeam(): void
    {
        $columns = $this->plugin->lead_admin->columns(['cb' => '<input type="checkbox" />', 'title' => 'Title', 'date' => 'Date', 'other_plugin' => 'Other']);
        self::assertSame(['cb', 'title', 'solar_email', 'solar_phone', 'solar_status', 'solar_appointment', 'solar_event_type', 'solar_stage', 'solar_owner', 'solar_last_change', 'other_plugin'], array_keys($columns));
        self::assertSame('Name', $columns['title']);
        self::assertSame('Appointment (' . wp_timezone_string() . ')', $columns['solar_appointment']);
        self::assertSame(['solar_email', 'solar_status', 'solar_appointment', 'solar_event_type', 'solar_last_change'], array_keys($this->plugin->lead_admin->sortable_columns([])));

        update_option('timezone_string', 'Europe/Berlin');
        $attendees = [['name' => '<img src=x onerror=alert(1)>', 'email' => 'ana@example.com', 'phoneNumber' => '+49 30 <b>1234567</b>']];
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['attendees' => $attendees]))->get_data()['lead_id'];
        self::assertSame('<img src=x onerror=alert(1)>', self::title($lead), 'the name is stored as sent, not filtered');

        $cell = fn (string $column): string => self::capture(fn () => $this->plugin->lead_admin->column($column, $lead));
        self::assertSame('<a href="mailto:ana@example.com">ana@example.com</a>', $cell('solar_email'));
        self::assertSame('<a href="tel:+49301234567">+49 30 &lt;b&gt;1234567&lt;/b&gt;</a>', $cell('solar_phone'));
        self::assertStringContainsString('>Booked</span>', $cell('solar_status'));
        // 09:00 UTC on 10 March 2025 is 10:00 in Berlin (CET).
        self::assertSame(wp_date(get_option('date_format') . ' ' . get_option('time_format'), strtotime('2025-03-10T09:00:00Z')), $cell('solar_appointment'));
        self::assertStringContainsString('10:00', $cell('solar_appointment'));
        self::assertSame('solar-survey', $cell('solar_event_type'));
        self::assertStringContainsString('11:00', $cell('solar_last_change'), 'createdAt 10:00 UTC in Berlin');
        self::assertSame([], $this->plugin->lead_admin->post_states(['private' => 'Private'], get_post($lead)));

        $filter = self::capture(fn () => $this->plugin->lead_admin->status_filter(Lead::POST_TYPE));
        self::assertStringContainsString('<select name="solar_status" id="filter-by-solar-status">', $filter);
        self::assertStringContainsString('<option value="no_show">No-show</option>', $filter);
        self::assertSame('', self::capture(fn () => $this->plugin->lead_admin->status_filter('post')));
    }

    /** @param array<string, string> $get */
    private function listScreen(array $get): array
    {
        $this->request($get);
        set_current_screen('edit-' . Lead::POST_TYPE);
        $saved = [$GLOBALS['wp_the_query'] ?? null, $GLOBALS['pagenow'] ?? null];
        $query = new \WP_Query();
        $GLOBALS['wp_the_query'] = $query;
        $GLOBALS['pagenow'] = 'edit.php';
        try {
            $posts = $query->query(array_merge(['post_type' => Lead::POST_TYPE, 'post_status' => 'any', 'posts_per_page' => 50, 'fields' => 'ids'], $get));
        } finally {
            [$GLOBALS['wp_the_query'], $GLOBALS['pagenow']] = $saved;
        }
        return array_map('intval', $posts);
    }

    public function testEnquiriesNotBookedAfterTheConfiguredHoursHaveTheirOwnView(): void
    {
        global $wpdb;
        $this->hook('solar_capture_form_rate_limit', static fn (): int => 1000);
        $fresh = $this->plugin->capture->submit(['name' => 'Fresh', 'email' => 'fresh@example.org'], '198.51.100.1')['lead_id'];
        $old = $this->plugin->capture->submit(['name' => 'Waiting', 'email' => 'waiting@example.org'], '198.51.100.1')['lead_id'];
        $booked = $this->plugin->capture->submit(['name' => 'Booked', 'email' => 'ana.mueller@example.com'], '198.51.100.1')['lead_id'];
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'));
        // Two days ago.
        foreach ([$old, $booked] as $id) {
            $wpdb->update($wpdb->posts, ['post_modified_gmt' => gmdate('Y-m-d H:i:s', time() - 2 * DAY_IN_SECONDS)], ['ID' => $id]);
        }
        solar_capture_reindex_leads();
        self::assertSame([$old], $this->listScreen(['solar_status' => 'unbooked']), 'new, and older than 24 hours');
        update_option('solar_capture_unbooked_hours', 72);
        self::assertSame([], $this->listScreen(['solar_status' => 'unbooked']));
        self::assertEqualsCanonicalizing([$fresh, $old], $this->listScreen(['solar_status' => 'new']));
        self::assertStringContainsString('<option value="unbooked">Enquiry, not booked after 72 hours</option>', self::capture(fn () => $this->plugin->lead_admin->status_filter(Lead::POST_TYPE)));
    }

    public function testTheLeadListFiltersByStatusAndSearchesEmailAndPhone(): void
    {
        $ana = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $bob = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T11:00:00Z', [
            'uid' => 'uid-bob', 'startTime' => '2025-03-12T09:00:00Z',
            'attendees' => [['name' => 'Bob Stone', 'email' => 'bob@stone.example', 'phoneNumber' => '(0171) 555-99.88']],
        ]))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['uid' => 'uid-bob', 'attendees' => [['name' => 'Bob Stone', 'email' => 'bob@stone.example']]]));
        $carl = self::existingLead('Carl Without Booking', 'carl@example.com');

        self::assertEqualsCanonicalizing([$ana, $bob, $carl], $this->listScreen([]));
        self::assertSame([$bob], $this->listScreen(['solar_status' => 'cancelled']));
        self::assertSame([$ana], $this->listScreen(['solar_status' => 'booked']));
        self::assertEqualsCanonicalizing([$ana, $bob, $carl], $this->listScreen(['solar_status' => 'not-a-status']), 'an unknown status filters nothing');

        self::assertSame([$ana], $this->listScreen(['s' => 'ana.mueller@example']), 'search by e-mail');
        self::assertSame([$bob], $this->listScreen(['s' => 'STONE.EXAMPLE']), 'e-mails are found in any case');
        self::assertSame([$ana], $this->listScreen(['s' => '+49 30 1234567']), 'search by phone as written');
        self::assertSame([$bob], $this->listScreen(['s' => '01715559988']), 'search by phone digits, ignoring brackets, dashes and dots');
        self::assertSame([$bob], $this->listScreen(['s' => '555-99']));
        self::assertSame([$carl], $this->listScreen(['s' => 'Carl']), 'search by name still works');
        self::assertSame([], $this->listScreen(['s' => 'nobody@nowhere']));
        self::assertSame([$bob], $this->listScreen(['s' => 'stone', 'solar_status' => 'cancelled']), 'search and filter combine');

        // Sorting by appointment keeps leads without one.
        self::assertSame([$ana, $bob], array_values(array_diff($this->listScreen(['orderby' => 'solar_appointment', 'order' => 'asc']), [$carl])));
        self::assertSame([$bob, $ana], array_values(array_diff($this->listScreen(['orderby' => 'solar_appointment', 'order' => 'desc']), [$carl])));
        self::assertCount(3, $this->listScreen(['orderby' => 'solar_appointment', 'order' => 'desc']));
        self::assertSame([$ana, $bob], array_values(array_diff($this->listScreen(['orderby' => 'solar_status', 'order' => 'asc']), [$carl])), 'booked before cancelled');
    }

    public function testTheLeadScreenShowsBookingAndTimeline(): void
    {
        $attendees = [['name' => 'Ana <b>M</b>', 'email' => 'ana@example.com', 'phoneNumber' => '<i>+49</i>']];
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['attendees' => $attendees]))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['attendees' => $attendees, 'cancellationReason' => '<img src=x onerror=alert(1)>']));
        $post = get_post($lead);
        self::assertSame('Ana <b>M</b>', $post->post_title);

        $booking = self::capture(fn () => $this->plugin->lead_admin->render_booking($post));
        self::assertStringContainsString('ana@example.com', $booking);
        self::assertStringContainsString('&lt;i&gt;+49&lt;/i&gt;', $booking);
        self::assertStringContainsString('&lt;img src=x onerror=alert(1)&gt;', $booking);
        self::assertStringNotContainsString('<img', $booking);
        self::assertStringContainsString('Read-only', $booking);
        self::assertStringNotContainsString('<input', $booking);
        self::assertStringContainsString('Deliveries of this lead', $booking);
        self::assertStringContainsString('lead=' . $lead, $booking);

        $timeline = self::capture(fn () => $this->plugin->lead_admin->render_timeline($post));
        self::assertStringContainsString('BOOKING_CREATED', $timeline);
        self::assertStringContainsString('BOOKING_CANCELLED', $timeline);
        self::assertStringContainsString('page=solar-capture-deliveries&#038;delivery=', $timeline, 'each entry links its delivery');
        self::assertStringNotContainsString('<img', $timeline);

        self::assertSame('Name', $this->plugin->lead_admin->title_placeholder('Add title', $post));
        self::assertSame('Cancelled', strip_tags(self::capture(fn () => $this->plugin->lead_admin->column('solar_status', $lead))));
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
