<?php
/**
 * Solar leads > Delivery log: the list with its result filter, links to leads, details, bodies for
 * administrators only, and "Process again" for stored failed or unmatched deliveries.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Admin\Delivery_Log;
use SolarCapture\Plugin\Leads\Lead_Roles;

final class DeliveryLogTest extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        require_once ABSPATH . 'wp-admin/includes/admin.php';
        set_current_screen('solar_lead_page_' . Delivery_Log::PAGE);
    }

    /** @param array<string, string> $get */
    private function log(array $get = []): string
    {
        $this->request($get);
        return self::capture([$this->plugin->delivery_log, 'render']);
    }

    public function testTheLogListsEveryRequestWithResultReasonTriggerTimeAndLead(): void
    {
        self::loginAs('administrator');
        update_option('timezone_string', 'Europe/Berlin');
        $attendees = [['name' => '<img src=x onerror=alert(1)>', 'email' => 'ana@example.com']];
        $created = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['attendees' => $attendees]))->get_data();
        $this->deliver(self::fixture('01_booking_created.json'), 'wrong-secret');
        $meeting = $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-<script>alert(1)</script>', '2025-03-01T10:00:00Z'))->get_data();

        $html = $this->log();
        self::assertStringContainsString('Received (Europe/Berlin)', $html);
        self::assertStringContainsString('<code>BOOKING_CREATED</code>', $html);
        self::assertStringContainsString('solar-capture-result-rejected">Rejected</span>', $html);
        self::assertStringContainsString('<code class="solar-capture-reason">invalid_signature</code>', $html);
        self::assertStringContainsString('Cal.com and this site use different secrets', $html, 'the reason is explained');
        self::assertStringContainsString('no_matching_lead', $html);
        self::assertStringContainsString('&lt;img src=x onerror=alert(1)&gt;</a>', $html, 'the lead link shows the name as text');
        self::assertStringContainsString('post.php?post=' . $created['lead_id'] . '&#038;action=edit', $html);
        self::assertStringNotContainsString('<img', $html);
        self::assertStringNotContainsString('<script>alert', $html);
        self::assertStringContainsString('name="delivery_id" value="' . $meeting['delivery_id'] . '"', $html, 'Process again for the unmatched delivery');
        self::assertSame(1, substr_count($html, 'value="Process again"'));
        self::assertStringContainsString("class='accepted'", $html);
        self::assertMatchesRegularExpression('/All <span class="count">\(3\)<\/span>/', $html);

        $rejected = $this->log(['result' => 'rejected']);
        self::assertStringContainsString('invalid_signature', $rejected);
        self::assertStringNotContainsString('<code>BOOKING_CREATED</code>', $rejected, 'filtered by result');
        self::assertStringNotContainsString('<code>MEETING_ENDED</code>', $rejected);

        $of_lead = $this->log(['lead' => (string) $created['lead_id']]);
        self::assertStringContainsString('Deliveries of ', $of_lead);
        self::assertStringNotContainsString('invalid_signature', $of_lead);
    }

    public function testBodiesAreForAdministratorsOnly(): void
    {
        $id = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['cancellationReason' => '</pre><script>alert(1)</script>']))->get_data()['delivery_id'];

        self::loginAs('administrator');
        $detail = $this->log(['delivery' => (string) $id]);
        self::assertStringContainsString('<pre class="solar-capture-body">', $detail);
        self::assertStringContainsString('&quot;email&quot;: &quot;Ana.Mueller@Example.COM&quot;', $detail, 'pretty-printed, escaped');
        self::assertStringContainsString('&lt;/pre&gt;&lt;script&gt;', $detail);
        self::assertStringNotContainsString('<script>', $detail);

        self::loginAs(Lead_Roles::ROLE);
        $list = $this->log();
        self::assertStringContainsString('BOOKING_CREATED', $list, 'sales reps see the log');
        self::assertStringNotContainsString('Details and body', $list);
        $detail = $this->log(['delivery' => (string) $id]);
        self::assertStringContainsString('only administrators see them', $detail);
        self::assertStringNotContainsString('Ana.Mueller@Example.COM', $detail);
        self::assertStringNotContainsString('solar-capture-body', $detail);

        foreach (['editor', 'author'] as $role) {
            self::loginAs($role);
            $this->request();
            self::assertSame(403, $this->runAction([$this->plugin->delivery_log, 'render'])['status'], "{$role}s can't read leads, nor the log");
        }
    }

    public function testProcessAgainFromTheLog(): void
    {
        $meeting = $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-ana-1', '2025-03-01T10:00:00Z'))->get_data();
        self::assertSame('unmatched', $meeting['result']);
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T09:00:00Z'))->get_data()['lead_id'];
        $log = $this->plugin->delivery_log;
        $nonce = 'solar_capture_reprocess_' . $meeting['delivery_id'];

        self::loginAs('editor');
        $this->request([], ['delivery_id' => (string) $meeting['delivery_id'], '_wpnonce' => wp_create_nonce($nonce)]);
        self::assertSame(403, $this->runAction([$log, 'handle_reprocess'])['status'], 'editors can\'t');
        self::assertSame('unmatched', $this->delivery($meeting['delivery_id'])->result);

        self::loginAs('administrator');
        $this->request([], ['delivery_id' => (string) $meeting['delivery_id'], '_wpnonce' => wp_create_nonce('solar_capture_reprocess_999')]);
        self::assertSame(403, $this->runAction([$log, 'handle_reprocess'])['status'], 'the nonce is bound to the delivery');

        $this->request([], ['delivery_id' => (string) $meeting['delivery_id'], '_wpnonce' => wp_create_nonce($nonce)]);
        $end = $this->runAction([$log, 'handle_reprocess']);
        self::assertSame(Delivery_Log::url(['solar_capture_notice' => 'reprocessed_accepted', 'solar_capture_delivery' => $meeting['delivery_id']]), $end['redirect']);
        self::assertSame('completed', self::meta($lead, '_solar_booking_status'));
        self::assertStringStartsWith('processed again as delivery', $this->delivery($meeting['delivery_id'])->reason);

        $html = $this->log(['solar_capture_notice' => 'reprocessed_accepted']);
        self::assertStringContainsString('The delivery was processed again and applied.', $html);
        self::assertStringNotContainsString('value="Process again"', $html, 'done once');

        // A second attempt (a replayed form) applies nothing twice.
        $this->request([], ['delivery_id' => (string) $meeting['delivery_id'], '_wpnonce' => wp_create_nonce($nonce)]);
        self::assertStringContainsString('solar_capture_notice=reprocessed_duplicate', (string) $this->runAction([$log, 'handle_reprocess'])['redirect']);
        self::assertCount(2, $this->timeline($lead));

        // Accepted deliveries can't be processed again.
        $accepted = (int) $this->plugin->deliveries->query(['result' => 'accepted', 'limit' => 1])[0]->id;
        $this->request([], ['delivery_id' => (string) $accepted, '_wpnonce' => wp_create_nonce('solar_capture_reprocess_' . $accepted)]);
        self::assertStringContainsString('solar_capture_notice=reprocess_failed', (string) $this->runAction([$log, 'handle_reprocess'])['redirect']);
    }
}
