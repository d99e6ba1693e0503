<?php
/**
 * Leads are never readable anonymously: not over REST, not through query vars, not by permalink.
 * (The same is checked over HTTP by the end-to-end suite.) And WordPress's privacy tools export and
 * erase a person's leads and deliveries.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Privacy\Privacy;

final class PrivacyTest extends TestCase
{
    private int $lead;

    protected function setUp(): void
    {
        parent::setUp();
        $this->lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        wp_set_current_user(0);
    }

    public function testThePostTypeIsPrivateByDesign(): void
    {
        $type = get_post_type_object(Lead::POST_TYPE);
        self::assertNotNull($type);
        self::assertFalse($type->public);
        self::assertFalse($type->publicly_queryable);
        self::assertTrue($type->exclude_from_search);
        self::assertFalse($type->show_in_rest);
        self::assertTrue($type->show_ui);
        self::assertTrue($type->map_meta_cap);
        self::assertFalse($type->query_var);
        self::assertFalse(is_post_type_viewable($type));
        self::assertSame('private', get_post_status($this->lead));

        foreach ([Lead::META_EMAIL, Lead::META_PHONE, Lead::META_STATUS, Lead::META_BOOKING_UID, Lead::META_BOOKING_START, Lead::META_BOOKING_END, Lead::META_EVENT_TYPE, Lead::META_CANCELLATION_REASON, Lead::META_LAST_EVENT_AT] as $key) {
            $registered = get_registered_meta_keys('post', Lead::POST_TYPE);
            self::assertArrayHasKey($key, $registered);
            self::assertFalse($registered[$key]['show_in_rest'], $key);
            self::assertTrue(is_protected_meta($key, 'post'), $key);
        }
    }

    public function testTheRestApiRevealsNothingAnonymously(): void
    {
        foreach (['/wp/v2/solar_lead', '/wp/v2/solar_lead/' . $this->lead, '/wp/v2/types/solar_lead'] as $route) {
            $response = rest_do_request(new \WP_REST_Request('GET', $route));
            self::assertContains($response->get_status(), [401, 403, 404], $route);
        }
        foreach (['/wp/v2/posts/' . $this->lead, '/wp/v2/pages/' . $this->lead] as $route) {
            self::assertSame(404, rest_do_request(new \WP_REST_Request('GET', $route))->get_status(), $route);
        }
        $search = new \WP_REST_Request('GET', '/wp/v2/search');
        $search->set_param('search', 'Müller');
        self::assertSame([], rest_do_request($search)->get_data());

        $types = rest_do_request(new \WP_REST_Request('GET', '/wp/v2/types'))->get_data();
        self::assertArrayNotHasKey(Lead::POST_TYPE, $types);
        self::assertStringNotContainsString('ana.mueller', (string) wp_json_encode(rest_do_request(new \WP_REST_Request('GET', '/wp/v2/posts'))->get_data()));
    }

    public function testFrontEndQueriesFindNothingAnonymously(): void
    {
        // ?post_type=solar_lead: not publicly queryable, so WordPress drops the query var.
        $saved = [$_GET, $_SERVER['REQUEST_URI']];
        try {
            $_GET = ['post_type' => Lead::POST_TYPE];
            $_SERVER['REQUEST_URI'] = '/?post_type=' . Lead::POST_TYPE;
            $wp = new \WP();
            $wp->parse_request();
            self::assertArrayNotHasKey('post_type', $wp->query_vars);
        } finally {
            [$_GET, $_SERVER['REQUEST_URI']] = $saved;
        }

        // ?p=<id> (what a permalink resolves to) and searches, as an anonymous visitor.
        foreach ([['p' => $this->lead], ['p' => $this->lead, 'post_type' => Lead::POST_TYPE], ['s' => 'Müller'], ['post_type' => 'any', 's' => 'Ana']] as $vars) {
            $query = new \WP_Query($vars);
            self::assertSame([], wp_list_pluck($query->posts, 'ID'), (string) wp_json_encode($vars));
        }
        self::assertFalse(current_user_can('read_post', $this->lead));
    }

    public function testOnlyUsersWhoMayReadLeadsSeeThem(): void
    {
        $subscriber = wp_insert_user(['user_login' => 'sc_sub_' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => 'subscriber']);
        $editor = wp_insert_user(['user_login' => 'sc_ed_' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => 'editor']);
        self::assertIsInt($subscriber);
        self::assertIsInt($editor);

        wp_set_current_user($subscriber);
        self::assertFalse(current_user_can('read_post', $this->lead));
        self::assertFalse(current_user_can('edit_post', $this->lead));

        // Editors too: leads have capabilities of their own (LeadCapabilitiesTest).
        wp_set_current_user($editor);
        self::assertFalse(current_user_can('read_post', $this->lead));
        self::assertFalse(current_user_can('edit_post', $this->lead));
    }

    public function testALeadSavedWithPublishStaysPrivate(): void
    {
        $id = wp_insert_post(['post_type' => Lead::POST_TYPE, 'post_status' => 'publish', 'post_title' => 'Typed in by hand'], true);
        self::assertIsInt($id);
        self::assertSame('private', get_post_status($id));
    }

    public function testTheExporterAndEraserAreRegisteredWithWordPress(): void
    {
        $exporters = apply_filters('wp_privacy_personal_data_exporters', []);
        $erasers = apply_filters('wp_privacy_personal_data_erasers', []);
        self::assertArrayHasKey(Privacy::EXPORTER_LEADS, $exporters);
        self::assertArrayHasKey(Privacy::EXPORTER_DELIVERIES, $exporters);
        self::assertArrayHasKey(Privacy::ERASER, $erasers);
        self::assertIsCallable($exporters[Privacy::EXPORTER_LEADS]['callback']);
        self::assertIsCallable($erasers[Privacy::ERASER]['callback']);
    }

    /** @return array<string, array<string, string>> item_id => name => value, over every page. */
    private static function export(string $exporter, string $email): array
    {
        $callback = apply_filters('wp_privacy_personal_data_exporters', [])[$exporter]['callback'];
        $items = [];
        for ($page = 1; $page < 100; ++$page) {
            $result = $callback($email, $page);
            foreach ($result['data'] as $item) {
                self::assertArrayHasKey('group_id', $item);
                self::assertArrayHasKey('group_label', $item);
                $items[$item['item_id']] = array_column($item['data'], 'value', 'name');
            }
            if ($result['done']) {
                return $items;
            }
        }
        self::fail('the exporter never finished');
    }

    public function testTheExportHasTheLeadItsTimelineAndTheMessagesReceived(): void
    {
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['cancellationReason' => 'Roof too small']));
        $other = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => 'uid-bo', 'attendees' => [['name' => 'Bo', 'email' => 'bo@example.com']]]))->get_data()['lead_id'];
        // A meeting for a booking not matched yet still mentions Ana's e-mail.
        $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-unknown', '2025-03-03T10:00:00Z', 'ana.mueller@example.com'));

        $leads = self::export(Privacy::EXPORTER_LEADS, 'Ana.Mueller@Example.com');
        $lead = $leads['solar-lead-' . $this->lead];
        self::assertSame('Ana Müller', $lead['Name']);
        self::assertSame('ana.mueller@example.com', $lead['E-mail']);
        self::assertSame('+49 30 1234567', $lead['Phone']);
        self::assertSame('Cancelled', $lead['Booking status']);
        self::assertSame('Roof too small', $lead['Cancellation reason']);
        self::assertSame('2025-03-10 09:00:00 UTC', $lead['Appointment']);
        $events = array_column(array_filter($leads, static fn (array $item): bool => isset($item['Event'])), 'Event');
        self::assertSame(['BOOKING_CREATED', 'BOOKING_CANCELLED'], $events);
        self::assertArrayNotHasKey('solar-lead-' . $other, $leads, 'nobody else\'s lead');

        $deliveries = self::export(Privacy::EXPORTER_DELIVERIES, 'ana.mueller@example.com');
        self::assertCount(3, $deliveries, 'two bookings and the unmatched meeting');
        foreach ($deliveries as $item) {
            self::assertSame('booker', $item['Your role']);
            self::assertSame('ana.mueller@example.com', strtolower($item['E-mail']));
        }
        self::assertSame([], self::export(Privacy::EXPORTER_LEADS, 'nobody@example.com'));
        self::assertSame([], self::export(Privacy::EXPORTER_DELIVERIES, 'nobody@example.com'));
    }

    public function testTheExportPagesThroughManyLeads(): void
    {
        for ($i = 0; $i < Privacy::PER_PAGE + 3; ++$i) {
            self::existingLead("Ana $i", 'ana.mueller@example.com');
        }
        $leads = self::export(Privacy::EXPORTER_LEADS, 'ana.mueller@example.com');
        self::assertCount(Privacy::PER_PAGE + 4, array_filter(array_keys($leads), static fn (string $id): bool => str_starts_with($id, 'solar-lead-') && !str_contains($id, 'timeline')));
    }

    public function testTheEraserRemovesLeadsTimelinesAndStoredMessagesOfThePersonOnly(): void
    {
        global $wpdb;
        $accepted = $this->lastDelivery();
        $bo = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => 'uid-bo', 'attendees' => [['name' => 'Bo', 'email' => 'bo@example.com']]]))->get_data();
        $unmatched = $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-unknown', '2025-03-03T10:00:00Z', 'ana.mueller@example.com'))->get_data()['delivery_id'];
        $trashed = self::existingLead('Ana (old)', 'ana.mueller@example.com');
        wp_trash_post($trashed);

        $eraser = apply_filters('wp_privacy_personal_data_erasers', [])[Privacy::ERASER]['callback'];
        $removed = false;
        for ($page = 1; $page < 50; ++$page) {
            $result = $eraser('ANA.MUELLER@example.com', $page);
            self::assertFalse($result['items_retained']);
            $removed = $removed || $result['items_removed'];
            if ($result['done']) {
                break;
            }
        }
        self::assertTrue($result['done']);
        self::assertTrue($removed);

        self::assertNull(get_post($this->lead));
        self::assertNull(get_post($trashed), 'the trash is no hiding place');
        self::assertSame([], $this->timeline($this->lead));
        self::assertSame('0', (string) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE post_id = %d", $this->lead)));
        $kept = $this->delivery((int) $accepted->id);
        self::assertNull($kept->body);
        self::assertNull($kept->lead_id);
        self::assertNull($kept->booking_uid, 'the booking uid identifies the person too');
        self::assertSame($accepted->event_key, $kept->event_key, 'a repeat of the same event is still recognised');
        self::assertNull($this->plugin->deliveries->find($unmatched));
        self::assertSame([], self::export(Privacy::EXPORTER_DELIVERIES, 'ana.mueller@example.com'));

        self::assertSame('Bo', get_post($bo['lead_id'])->post_title, 'nobody else is touched');
        self::assertNotNull($this->delivery($bo['delivery_id'])->body);
    }

    /** Found on the landed main: ann.x@ matched joann.x@'s stored bookings (LIKE '%email%'). */
    public function testExportAndErasureMatchTheExactEmailOnly(): void
    {
        $joann = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T11:00:00Z', ['uid' => 'uid-joann', 'attendees' => [['name' => 'Joann', 'email' => 'joann.x@example.com']]]))->get_data();
        $meeting = $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-joann-unknown', '2025-03-03T10:00:00Z', 'joann.x@example.com'))->get_data();

        self::assertSame([], self::export(Privacy::EXPORTER_DELIVERIES, 'ann.x@example.com'));
        self::assertSame([], self::export(Privacy::EXPORTER_LEADS, 'ann.x@example.com'));
        $eraser = apply_filters('wp_privacy_personal_data_erasers', [])[Privacy::ERASER]['callback'];
        self::assertFalse($eraser('ann.x@example.com', 1)['items_removed']);

        self::assertNotNull($this->delivery($joann['delivery_id'])->body, 'joann keeps her stored booking');
        self::assertNotNull($this->plugin->deliveries->find($meeting['delivery_id']));
        self::assertCount(2, self::export(Privacy::EXPORTER_DELIVERIES, 'JOANN.X@example.com'));
    }

    /** Found on the landed main: a guest's export held the booker's phone and answers. */
    public function testAGuestsExportHoldsNothingOfTheBookersOrOtherGuests(): void
    {
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T12:00:00Z', [
            'uid' => 'uid-with-guests',
            'attendees' => [
                ['name' => 'Ana Müller', 'email' => 'ana.mueller@example.com', 'phoneNumber' => '+49 30 1234567'],
                ['name' => 'Gus', 'email' => 'gus@example.com'],
                ['name' => 'Hal', 'email' => 'hal@example.com'],
            ],
            'responses' => ['roof' => ['label' => 'Roof', 'value' => 'south-facing'], 'guests' => ['value' => ['gus@example.com', 'hal@example.com']]],
        ]));

        $gus = self::export(Privacy::EXPORTER_DELIVERIES, 'gus@example.com');
        self::assertCount(1, $gus);
        $item = array_values($gus)[0];
        self::assertSame('guest', $item['Your role']);
        self::assertSame('uid-with-guests', $item['Booking uid']);
        $text = implode("\n", $item);
        foreach (['ana.mueller', '1234567', 'south-facing', 'hal@example.com', 'Ana Müller'] as $theirs) {
            self::assertStringNotContainsString($theirs, $text);
        }

        $ana = array_filter(self::export(Privacy::EXPORTER_DELIVERIES, 'ana.mueller@example.com'), static fn (array $item): bool => 'uid-with-guests' === $item['Booking uid']);
        $item = array_values($ana)[0];
        self::assertSame('+49 30 1234567', $item['Phone']);
        self::assertStringContainsString('roof: south-facing', $item['Booking answers']);
        self::assertStringNotContainsString('gus@example.com', implode("\n", $item), "the guests' e-mails are theirs");
    }

    /** Found on the landed main: erasure left booking uids in accepted and duplicate rows. */
    public function testErasureLeavesNoBookingUidOfThePerson(): void
    {
        global $wpdb;
        $repeat = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data();
        self::assertTrue($repeat['duplicate']);
        $eraser = apply_filters('wp_privacy_personal_data_erasers', [])[Privacy::ERASER]['callback'];
        for ($page = 1; $page < 50 && !$eraser('ana.mueller@example.com', $page)['done']; ++$page) {
        }
        self::assertSame('0', (string) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$this->plugin->deliveries->table()} WHERE booking_uid = %s", 'uid-ana-1')));
        self::assertNull($this->plugin->deliveries->find($repeat['delivery_id']), 'the duplicate row is gone');
        self::assertSame('0', (string) $wpdb->get_var("SELECT COUNT(*) FROM {$this->plugin->schema->delivery_emails_table()}"));
    }

    public function testDeliveriesStoredBeforeTheUpgradeAreLinkedToTheirPeople(): void
    {
        global $wpdb;
        $wpdb->query("DELETE FROM {$this->plugin->schema->delivery_emails_table()}");
        self::assertSame([], self::export(Privacy::EXPORTER_DELIVERIES, 'nobody.yet@example.com'));
        $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-old', '2025-03-03T10:00:00Z', 'old.timer@example.com'));
        $wpdb->query("DELETE FROM {$this->plugin->schema->delivery_emails_table()}");
        self::assertSame([], self::export(Privacy::EXPORTER_DELIVERIES, 'old.timer@example.com'));

        self::assertGreaterThanOrEqual(2, $this->plugin->deliveries->link_stored_emails());
        self::assertCount(1, self::export(Privacy::EXPORTER_DELIVERIES, 'old.timer@example.com'));
    }
}
