<?php
/**
 * Matching a booking to a lead, first hit wins: metadata lead_id, a current or earlier uid (or the uid
 * rescheduled from), the attendee e-mail, else a new lead; only BOOKING_* with an e-mail create leads.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Pipeline\Delivery_Outcome;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;

final class MatchingTest extends TestCase
{
    private const OTHER_ATTENDEE = [['name' => 'Ben Weber', 'email' => 'ben@example.net', 'timeZone' => 'UTC']];

    public function testASignedLeadIdWinsOverEverythingElseAndKeepsTheLeadsNameAndEmail(): void
    {
        $known = self::existingLead('Lead from the contact form', 'someone-else@example.com');
        // Another lead already has the booking's e-mail: the signed lead id still wins.
        $by_email = self::existingLead('Ana (older)', 'ana.mueller@example.com');

        $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', [
            'metadata' => ['lead_id' => (string) $known, 'lead_ref' => solar_capture_lead_ref($known), 'videoCallUrl' => 'https://cal.example/v/1'],
        ])), 'accepted');
        self::assertSame($known, $data['lead_id']);
        self::assertFalse($data['created']);
        self::assertSame([$known, $by_email], self::leadIds());
        self::assertSame('booked', self::meta($known, Lead::META_STATUS));
        self::assertSame('someone-else@example.com', self::meta($known, Lead::META_EMAIL), 'the lead keeps its e-mail');
        self::assertSame('ana.mueller@example.com', self::meta($known, Lead::META_BOOKING_EMAIL), 'the booker\'s is kept as the booking\'s');
        self::assertSame('Lead from the contact form', self::title($known), 'and its name');
        self::assertStringContainsString('matched by lead_ref', $this->delivery($data['delivery_id'])->reason);
    }

    public function testTheLeadReferenceIsTheContractsHmac(): void
    {
        $key = (string) get_option('solar_capture_lead_key');
        self::assertGreaterThanOrEqual(32, strlen($key), 'made at activation');
        self::assertSame(substr(hash_hmac('sha256', 'solar-capture-lead:42', $key), 0, 32), solar_capture_lead_ref(42));
        self::assertMatchesRegularExpression('/\A[0-9a-f]{32}\z/', solar_capture_lead_ref(7));
        self::assertNotSame(solar_capture_lead_ref(7), solar_capture_lead_ref(8));
    }

    /** Anybody can book with ?metadata[lead_id]=4: without its reference the id takes over nothing. */
    public function testAnUnsignedLeadIdOfAnotherPersonsLeadIsIgnored(): void
    {
        $victim = self::existingLead('Victim', 'victim@example.com');
        update_post_meta($victim, Lead::META_PHONE, '+49 30 999');
        foreach (['unsigned' => [], 'wrong reference' => ['lead_ref' => str_repeat('0', 32)], 'reference of another lead' => ['lead_ref' => solar_capture_lead_ref($victim + 1)]] as $case => $ref) {
            $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', [
                'uid' => 'uid-attacker-' . md5($case),
                'metadata' => ['lead_id' => (string) $victim] + $ref,
                'attendees' => [['name' => 'Mallory', 'email' => 'mallory@example.net', 'phoneNumber' => '+1 555 0100']],
            ])), 'accepted');
            self::assertNotSame($victim, $data['lead_id'], $case);
            self::assertStringContainsString(sprintf('metadata lead_id %d ignored', $victim), $this->delivery($data['delivery_id'])->reason, "$case: the delivery says so");
        }
        self::assertSame('Victim', self::title($victim));
        self::assertSame('victim@example.com', self::meta($victim, Lead::META_EMAIL));
        self::assertSame('+49 30 999', self::meta($victim, Lead::META_PHONE));
        self::assertSame('', self::meta($victim, Lead::META_STATUS));
        self::assertSame([], $this->timeline($victim), 'nothing lands on the victim\'s timeline');
        self::assertCount(2, self::leadIds(), 'the victim and one lead of the attacker (matched by e-mail after the first)');
    }

    public function testAnUnsignedLeadIdWhoseLeadHasTheBookersEmailIsTrusted(): void
    {
        $known = self::existingLead('Ana from the form', 'ana.mueller@example.com');
        $other = self::existingLead('Ana, older duplicate', 'ana.mueller@example.com');
        $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['metadata' => ['lead_id' => (string) $other]])), 'accepted');
        self::assertSame($other, $data['lead_id'], 'the lead id decides between leads of the same e-mail');
        self::assertStringContainsString('matched by lead_id', $this->delivery($data['delivery_id'])->reason);
        self::assertNotSame($known, $data['lead_id']);
    }

    public function testAValidReferenceWithAnotherEmailAttachesWithoutTakingOverTheLead(): void
    {
        $lead = self::existingLead('Household Schmidt', 'schmidt@example.org');
        $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', [
            'metadata' => ['lead_id' => (string) $lead, 'lead_ref' => strtoupper(solar_capture_lead_ref($lead))],
        ])), 'accepted');
        self::assertSame($lead, $data['lead_id'], 'the reference is read in any case');
        self::assertSame('schmidt@example.org', self::meta($lead, Lead::META_EMAIL));
        self::assertSame('ana.mueller@example.com', self::meta($lead, Lead::META_BOOKING_EMAIL));
        self::assertSame('Household Schmidt', self::title($lead));

        // The booking's own e-mail now finds the lead through the uid, and later events keep it there.
        $cancelled = self::assertResult($this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z')), 'accepted');
        self::assertSame($lead, $cancelled['lead_id']);
        self::assertSame('cancelled', self::meta($lead, Lead::META_STATUS));
    }

    public function testALeadIdThatIsNotALeadFallsThroughToTheNextRule(): void
    {
        $page = wp_insert_post(['post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'About us'], true);
        self::assertIsInt($page);
        $trashed = self::existingLead('Trashed', 'x@example.com');
        wp_trash_post($trashed);

        foreach ([$page, $trashed, 999999999] as $i => $lead_id) {
            $data = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:0' . $i . ':00Z', ['metadata' => ['lead_id' => (string) $lead_id]]))->get_data();
            self::assertNotSame($lead_id, $data['lead_id']);
            self::assertSame(Lead::POST_TYPE, get_post_type($data['lead_id']));
        }
        self::assertSame('page', get_post_type($page));
        self::assertSame(2, count(self::leadIds()), 'the trashed lead and one new lead (then matched by e-mail)');
    }

    public function testTheBookingUidMatchesBeforeTheEmail(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $ben = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:05:00Z', ['uid' => 'uid-ben-1', 'attendees' => self::OTHER_ATTENDEE]))->get_data()['lead_id'];
        self::assertNotSame($lead, $ben);

        // Ana's booking, now with Ben's e-mail as first attendee: the uid decides.
        $data = $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['attendees' => self::OTHER_ATTENDEE]))->get_data();
        self::assertSame($lead, $data['lead_id']);
        self::assertStringContainsString('uid', $this->delivery($data['delivery_id'])->reason);
    }

    public function testTheUidARescheduleCameFromMatches(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $data = $this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', [
            'uid' => 'uid-new',
            'rescheduleUid' => 'uid-ana-1',
            'attendees' => self::OTHER_ATTENDEE,
        ]))->get_data();
        self::assertSame($lead, $data['lead_id']);
        self::assertCount(1, self::leadIds());
    }

    public function testAnEarlierUidStillMatchesAfterAReschedule(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', ['uid' => 'uid-ana-2', 'rescheduleUid' => 'uid-ana-1']));

        // A meeting event for the original booking (no e-mail rule for MEETING_*): found by the old uid.
        $data = self::assertResult($this->deliver(self::flatMeeting('MEETING_STARTED', 'uid-ana-1', '2025-03-01T10:00:00Z', 'nobody@example.com')), 'accepted');
        self::assertSame($lead, $data['lead_id']);
    }

    public function testTheAttendeeEmailMatchesIgnoringCase(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $attendee = [['name' => 'Ana M.', 'email' => 'ANA.MUELLER@example.com', 'timeZone' => 'UTC']];
        $data = $this->deliver(self::booking('BOOKING_CREATED', '2025-05-01T10:00:00Z', ['uid' => 'uid-second-booking', 'attendees' => $attendee]))->get_data();
        self::assertSame($lead, $data['lead_id']);
        self::assertStringContainsString('email', $this->delivery($data['delivery_id'])->reason);
        self::assertSame('uid-second-booking', self::meta($lead, Lead::META_BOOKING_UID));
        self::assertSame(['uid-ana-1', 'uid-second-booking'], get_post_meta($lead, Lead::META_BOOKING_UIDS));
    }

    public function testAnUnknownBookerGetsANewLead(): void
    {
        $ana = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $data = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => 'uid-ben-1', 'attendees' => self::OTHER_ATTENDEE]))->get_data();
        self::assertTrue($data['created']);
        self::assertSame([$ana, $data['lead_id']], self::leadIds());
        self::assertSame('Ben Weber', self::title($data['lead_id']));
    }

    public function testMeetingEventsNeverMatchByEmailNorCreateLeads(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $body = self::flatMeeting('MEETING_ENDED', 'uid-unknown', '2025-03-01T10:00:00Z', 'ana.mueller@example.com');
        $data = self::assertResult($this->deliver($body), 'unmatched');
        self::assertNull($data['lead_id']);
        self::assertSame([$lead], self::leadIds());
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));

        $row = $this->delivery($data['delivery_id']);
        self::assertSame('unmatched', $row->result);
        self::assertSame($body, $row->body, 'kept so it can be processed again');
        self::assertNotNull($row->event_key);
    }

    public function testNoShowOnlyMatchesByUidBecauseItsFirstAttendeeMayBeAGuest(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $no_show = static fn (string $uid): string => (string) json_encode([
            'triggerEvent' => 'BOOKING_NO_SHOW_UPDATED',
            'createdAt' => '2025-03-10T10:05:00.000Z',
            'payload' => ['attendees' => [['email' => 'ana.mueller@example.com', 'noShow' => true]], 'bookingUid' => $uid],
        ]);
        self::assertResult($this->deliver($no_show('uid-someone-else')), 'unmatched');
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));
        self::assertResult($this->deliver($no_show('uid-ana-1')), 'accepted');
        self::assertSame('no_show', self::meta($lead, Lead::META_STATUS));
        self::assertSame([$lead], self::leadIds());
    }

    public function testTheCorpusNoShowWithNoKnownBookingIsUnmatched(): void
    {
        self::assertResult($this->deliver(self::fixture('07_booking_no_show_updated.json')), 'unmatched');
        self::assertSame([], self::leadIds());
    }

    public function testABookingWithoutAttendeeEmailCreatesNoLead(): void
    {
        $attendee = [['name' => 'Anonymous', 'timeZone' => 'UTC']];
        self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['attendees' => $attendee])), 'unmatched');
        self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:01:00Z', ['attendees' => []])), 'unmatched');
        self::assertSame([], self::leadIds());
    }

    public function testAnUnmatchedDeliveryCanBeProcessedAgainOnceTheLeadExists(): void
    {
        $meeting = $this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-ana-1', '2025-03-01T10:00:00Z'))->get_data();
        self::assertSame('unmatched', $meeting['result']);

        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $again = $this->plugin->pipeline->process_again($meeting['delivery_id']);
        self::assertInstanceOf(Delivery_Outcome::class, $again);
        self::assertSame(['accepted', 'replay'], [$again->result, $this->delivery((int) $again->delivery_id)->source]);
        self::assertSame($lead, $again->lead_id);
        $data = ['delivery_id' => $again->delivery_id];
        self::assertSame('completed', self::meta($lead, Lead::META_STATUS));

        $old = $this->delivery($meeting['delivery_id']);
        self::assertNull($old->event_key, 'the key moved to the new row');
        self::assertSame(Reason::PROCESSED_AGAIN, $old->reason_code);
        self::assertSame(sprintf('processed again as delivery %d', $data['delivery_id']), $old->reason);
        self::assertNotNull($this->delivery($data['delivery_id'])->event_key);

        // A delivery that was accepted can't be processed again.
        self::assertNull($this->plugin->pipeline->process_again($data['delivery_id']));
    }
}
