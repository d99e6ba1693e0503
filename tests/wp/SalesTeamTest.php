<?php
/**
 * The sales team's side of leads: owners from Cal.com's host (by e-mail, by a mapping, round robin, none,
 * a default for enquiries, a hand-picked owner kept), notes and stages on the timeline with their author,
 * the stage filter and "Mine", lead e-mails (one per event, after the answer, escaped, opt-out) and the
 * dashboard's week.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Admin\Dashboard_Widget;
use SolarCapture\Plugin\Admin\Lead_Sales_Box;
use SolarCapture\Plugin\Leads\Lead_Notifier;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Roles;
use SolarCapture\Plugin\Leads\Sales_Team;

final class SalesTeamTest extends TestCase
{
    /** @var list<array<string, mixed>> What wp_mail() was asked to send. */
    private array $mails = [];

    protected function setUp(): void
    {
        parent::setUp();
        $this->hook('pre_wp_mail', function ($short_circuit, $atts) {
            $this->mails[] = $atts;
            return true;
        }, 10, 2);
        $this->sent(); // Whatever an earlier test left queued.
        $this->mails = [];
    }

    private function rep(string $email, string $name = 'Rep'): int
    {
        $id = wp_insert_user(['user_login' => 'sc_rep_' . wp_generate_password(6, false), 'user_email' => $email, 'display_name' => $name, 'user_pass' => wp_generate_password(), 'role' => Lead_Roles::ROLE]);
        self::assertIsInt($id);
        return $id;
    }

    private function booked(string $uid, string $booker, string $host, string $trigger = 'BOOKING_CREATED', array $more = []): int
    {
        $data = $this->deliver(self::booking($trigger, gmdate('Y-m-d\TH:i:s\Z'), $more + [
            'uid' => $uid,
            'organizer' => ['name' => 'Host', 'email' => $host, 'timeZone' => 'Europe/Berlin'],
            'attendees' => [['name' => 'Booker ' . $uid, 'email' => $booker]],
        ]))->get_data();
        self::assertIsInt($data['lead_id'] ?? null, (string) wp_json_encode($data));
        return $data['lead_id'];
    }

    /** @return list<array<string, mixed>> The mail sent at the end of the request. */
    private function sent(): array
    {
        $this->plugin->notifier->send_queued();
        return $this->mails;
    }

    private static function owner(int $lead): int
    {
        clean_post_cache($lead);
        return (int) get_post_field('post_author', $lead);
    }

    public function testTheOwnerIsTheUserWhoseEmailIsTheHostsOrTheOneItIsMappedTo(): void
    {
        $anna = $this->rep('anna@installer.example');
        $ben = $this->rep('ben@installer.example');
        self::assertSame($anna, self::owner($this->booked('uid-1', 'a@example.com', 'Anna@Installer.example')));
        // Round robin: the next booking of the team event went to another host.
        self::assertSame($ben, self::owner($this->booked('uid-2', 'b@example.com', 'ben@installer.example')));
        // A host whose Cal.com e-mail is not their WordPress one.
        update_option(Sales_Team::HOST_MAP_OPTION, Sales_Team::sanitize_host_map("ben.personal@gmail.example = ben@installer.example\nnot a line"));
        self::assertSame($ben, self::owner($this->booked('uid-3', 'c@example.com', 'ben.personal@gmail.example')));
        // Nobody known: no owner.
        self::assertSame(0, self::owner($this->booked('uid-4', 'd@example.com', 'stranger@elsewhere.example')));
    }

    public function testAnOwnerChosenByHandStaysWhenTheBookingMovesToAnotherHost(): void
    {
        $anna = $this->rep('anna@installer.example', 'Anna');
        $ben = $this->rep('ben@installer.example', 'Ben');
        $lead = $this->booked('uid-1', 'a@example.com', 'anna@installer.example');
        self::assertTrue($this->plugin->sales_team->set_owner($lead, $ben, Sales_Team::SET_BY_HAND, $anna));
        $this->booked('uid-1', 'a@example.com', 'anna@installer.example', 'BOOKING_RESCHEDULED', ['rescheduleUid' => 'uid-1']);
        self::assertSame($ben, self::owner($lead));
        $entries = array_values(array_filter($this->timeline($lead), static fn (object $e): bool => Sales_Team::TRIGGER_OWNER === $e->trigger_event));
        self::assertSame(['Owner: nobody → Anna', 'Owner: Anna → Ben'], array_column($entries, 'detail'));
        self::assertSame([null, (string) $anna], array_column($entries, 'author'));
    }

    public function testEnquiriesWithoutABookingGetTheDefaultOwner(): void
    {
        $office = $this->rep('office@installer.example');
        update_option(Sales_Team::DEFAULT_OWNER_OPTION, $office);
        $request = new \WP_REST_Request('POST', '/solar-capture/v1/leads');
        $request->set_header('Content-Type', 'application/json');
        $request->set_body((string) wp_json_encode(['name' => 'Cy', 'email' => 'cy@example.com', 'phone' => '+44 20 7946 0000', 'postcode' => 'SW1A 1AA']));
        $lead = rest_do_request($request)->get_data()['lead_id'] ?? null;
        self::assertIsInt($lead);
        self::assertSame($office, self::owner($lead));
        self::assertSame(Sales_Team::SET_BY_DEFAULT, get_post_meta($lead, Lead::META_OWNER_SET_BY, true));
    }

    public function testRepsAddNotesAndSetStagesWithTheNonceAndTheRightToEditTheLead(): void
    {
        $lead = $this->booked('uid-1', 'a@example.com', 'nobody@example.com');
        $post = static fn (string $note, string $stage, ?string $nonce) => [
            Lead_Sales_Box::NONCE => $nonce ?? wp_create_nonce(Lead_Sales_Box::NONCE . $lead),
            'solar_capture_stage' => $stage,
            'solar_capture_note' => $note,
        ];

        $rep = self::loginAs(Lead_Roles::ROLE);
        $this->request([], $post('Called: <b>wants</b> 10 panels', 'contacted', null));
        $this->plugin->sales_box->save($lead);
        $this->request([], $post('forged', 'won', 'not-the-nonce'));
        $this->plugin->sales_box->save($lead);
        self::loginAs('author');
        $this->request([], $post('not theirs', 'lost', wp_create_nonce(Lead_Sales_Box::NONCE . $lead)));
        $this->plugin->sales_box->save($lead);

        self::assertSame('contacted', get_post_meta($lead, Lead::META_STAGE, true));
        $team = array_values(array_filter($this->timeline($lead), static fn (object $e): bool => null !== $e->author));
        self::assertSame([Sales_Team::TRIGGER_STAGE, Sales_Team::TRIGGER_NOTE], array_column($team, 'trigger_event'));
        self::assertSame('Stage: none → Contacted', $team[0]->detail);
        self::assertSame('Called: wants 10 panels', $team[1]->body, 'plain text');
        self::assertSame([(string) $rep, (string) $rep], array_column($team, 'author'));

        // The list's stage filter reads the index.
        $clauses = $this->plugin->lead_index->list_clauses('', '', '', [], null, '', 'contacted');
        self::assertSame(1, $this->plugin->lead_index->count(['private'], $clauses['condition']));
        $mine = $this->plugin->lead_index->list_clauses('', '', '', [], null, '', '', $rep);
        self::assertSame(0, $this->plugin->lead_index->count(['private'], $mine['condition']), 'not theirs yet');
    }

    public function testOneEmailPerEventAfterTheAnswerEvenWhenDeliveriesRepeat(): void
    {
        $anna = $this->rep('anna@installer.example');
        update_option(Lead_Notifier::ADDRESSES_OPTION, 'office@installer.example, not-an-address');
        $body = self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', [
            'organizer' => ['name' => 'Anna', 'email' => 'anna@installer.example'],
            'attendees' => [['name' => '<img src=x onerror=alert(1)>', 'email' => 'x@example.com', 'phoneNumber' => '+49 30 1234567']],
            'responses' => ['roof' => ['label' => 'Roof', 'value' => 'south <script>']],
        ]);
        $this->deliver($body);
        self::assertSame([], $this->mails, 'nothing is sent before the answer has gone');
        self::assertCount(1, $this->plugin->notifier->queued());
        $this->deliver($body); // Cal.com sent it twice.
        $mails = $this->sent();
        self::assertCount(1, $mails);
        self::assertSame(['anna@installer.example', 'office@installer.example'], $mails[0]['to']);
        self::assertSame('Survey booked: <img src=x onerror=alert(1)>', $mails[0]['subject'], 'a subject is plain text');
        self::assertStringContainsString('&lt;img src=x onerror=alert(1)&gt;', $mails[0]['message']);
        self::assertStringNotContainsString('<img', $mails[0]['message']);
        self::assertStringNotContainsString('<script>', $mails[0]['message']);
        self::assertStringContainsString('+49 30 1234567', $mails[0]['message']);
        self::assertStringContainsString('/reschedule/uid-ana-1', $mails[0]['message']);
        self::assertStringContainsString('post.php?post=', $mails[0]['message']);

        // A cancellation, with its reason; Anna has turned lead e-mails off.
        update_user_meta($anna, Lead_Notifier::OPT_OUT_META, '1');
        $this->mails = [];
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['cancellationReason' => 'Roof too small', 'organizer' => ['name' => 'Anna', 'email' => 'anna@installer.example']]));
        $mails = $this->sent();
        self::assertCount(1, $mails);
        self::assertSame(['office@installer.example'], $mails[0]['to']);
        self::assertStringStartsWith('Survey cancelled:', $mails[0]['subject']);
        self::assertStringContainsString('Roof too small', $mails[0]['message']);

        // A no-show marked in Cal.com.
        $this->mails = [];
        $this->deliver((string) json_encode(['triggerEvent' => 'BOOKING_NO_SHOW_UPDATED', 'createdAt' => '2025-03-10T10:05:00.000Z', 'payload' => ['bookingUid' => 'uid-ana-1', 'attendees' => [['email' => 'x@example.com', 'noShow' => true]]]]));
        $mails = $this->sent();
        self::assertCount(1, $mails);
        self::assertStringStartsWith('No-show:', $mails[0]['subject']);

        // An event older than the lead's newest changes nothing: no e-mail.
        $this->mails = [];
        $this->deliver(self::booking('BOOKING_REQUESTED', '2025-02-01T10:00:00Z'));
        self::assertSame([], $this->sent());
    }

    public function testTheDashboardCountsTheWeek(): void
    {
        $this->booked('uid-1', 'a@example.com', 'h@example.com');
        $this->booked('uid-2', 'b@example.com', 'h@example.com');
        $this->booked('uid-2', 'b@example.com', 'h@example.com', 'BOOKING_CANCELLED');
        $figures = $this->plugin->dashboard->figures(Dashboard_Widget::week_start());
        self::assertSame(2, $figures['leads']);
        self::assertSame(2, $figures['bookings']);
        self::assertSame(1, $figures['cancellations']);
        self::assertSame(0, $figures['no_shows']);
        self::assertSame(['Cal.com directly' => 2], $figures['by_source']);
        self::assertSame(0, $this->plugin->dashboard->figures(time() + 60)['bookings']);

        update_option('start_of_week', 1);
        $monday = Dashboard_Widget::week_start(strtotime('2026-12-03 12:00:00 UTC'));
        self::assertSame('Monday 00:00', wp_date('l H:i', $monday));
    }
}
