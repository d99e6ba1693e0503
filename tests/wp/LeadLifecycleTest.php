<?php
/**
 * Trigger effects: what each trigger does to a lead, its meta and its timeline.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Timeline;

final class LeadLifecycleTest extends TestCase
{
    public function testCreatedMakesAPrivateBookedLeadWithTheContractMeta(): void
    {
        $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00.250Z')), 'accepted');
        self::assertTrue($data['created']);
        self::assertTrue($data['applied']);
        self::assertSame([$data['lead_id']], self::leadIds());

        $lead = get_post($data['lead_id']);
        self::assertSame('Ana Müller', $lead->post_title);
        self::assertSame('private', $lead->post_status);
        self::assertSame(Lead::POST_TYPE, $lead->post_type);

        $id = $data['lead_id'];
        self::assertSame('ana.mueller@example.com', self::meta($id, Lead::META_EMAIL));
        self::assertSame('+49 30 1234567', self::meta($id, Lead::META_PHONE));
        self::assertSame('booked', self::meta($id, Lead::META_STATUS));
        self::assertSame('uid-ana-1', self::meta($id, Lead::META_BOOKING_UID));
        self::assertSame((string) strtotime('2025-03-10T09:00:00Z'), self::meta($id, Lead::META_BOOKING_START));
        self::assertSame((string) strtotime('2025-03-10T09:30:00Z'), self::meta($id, Lead::META_BOOKING_END));
        self::assertSame('solar-survey', self::meta($id, Lead::META_EVENT_TYPE));
        self::assertSame('', self::meta($id, Lead::META_CANCELLATION_REASON));
        self::assertSame((string) (strtotime('2025-03-01T10:00:00Z') * 1000 + 250), self::meta($id, Lead::META_LAST_EVENT_AT));
        self::assertSame(['uid-ana-1'], get_post_meta($id, Lead::META_BOOKING_UIDS));

        $timeline = $this->timeline($id);
        self::assertCount(1, $timeline);
        self::assertSame('BOOKING_CREATED', $timeline[0]->trigger_event);
        self::assertSame('1', (string) $timeline[0]->applied);
        self::assertSame(Timeline::NOTE_APPLIED, $timeline[0]->note);
        self::assertSame((string) $data['delivery_id'], (string) $timeline[0]->delivery_id);
        self::assertSame('uid-ana-1', $timeline[0]->booking_uid);
        self::assertSame((string) strtotime('2025-03-10T09:00:00Z'), (string) $timeline[0]->start_at);

        $row = $this->delivery($data['delivery_id']);
        self::assertSame((string) $id, (string) $row->lead_id);
        self::assertSame('uid-ana-1', $row->booking_uid);
        self::assertSame('BOOKING_CREATED', $row->trigger_event);
    }

    public function testTheCorpusCreatedBodyMakesALead(): void
    {
        $data = self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        self::assertSame('Guest User', self::title($data['lead_id']));
        self::assertSame('guest@example.com', self::meta($data['lead_id'], Lead::META_EMAIL));
        self::assertSame('booked', self::meta($data['lead_id'], Lead::META_STATUS));
        self::assertSame('standard-event-type', self::meta($data['lead_id'], Lead::META_EVENT_TYPE));
    }

    /** @return iterable<string, array{string, string}> */
    public static function statusTriggers(): iterable
    {
        yield 'REQUESTED' => ['BOOKING_REQUESTED', 'requested'];
        yield 'CONFIRMED' => ['BOOKING_CONFIRMED', 'booked'];
        yield 'PAID' => ['BOOKING_PAID', 'booked'];
        yield 'RESCHEDULED' => ['BOOKING_RESCHEDULED', 'rescheduled'];
        yield 'CANCELLED' => ['BOOKING_CANCELLED', 'cancelled'];
        yield 'REJECTED' => ['BOOKING_REJECTED', 'rejected'];
    }

    /** @dataProvider statusTriggers */
    public function testEachBookingTriggerSetsItsStatusOnAnExistingLead(string $trigger, string $status): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $data = self::assertResult($this->deliver(self::booking($trigger, '2025-03-01T11:00:00Z')), 'accepted');
        self::assertSame($lead, $data['lead_id']);
        self::assertFalse($data['created']);
        self::assertSame($status, self::meta($lead, Lead::META_STATUS));
        self::assertSame((string) (strtotime('2025-03-01T11:00:00Z') * 1000), self::meta($lead, Lead::META_LAST_EVENT_AT));
        self::assertCount(2, $this->timeline($lead));
    }

    /** @dataProvider statusTriggers */
    public function testEachBookingTriggerCreatesALeadWhenNothingMatches(string $trigger, string $status): void
    {
        $data = self::assertResult($this->deliver(self::booking($trigger, '2025-03-01T11:00:00Z')), 'accepted');
        self::assertTrue($data['created']);
        self::assertSame($status, self::meta($data['lead_id'], Lead::META_STATUS));
    }

    public function testRescheduledMovesTheLeadToTheNewUidAndTimes(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $data = self::assertResult($this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', [
            'uid' => 'uid-ana-2',
            'rescheduleUid' => 'uid-ana-1',
            'startTime' => '2025-03-12T14:00:00.000Z',
            'endTime' => '2025-03-12T14:30:00+00:00',
        ])), 'accepted');
        self::assertSame($lead, $data['lead_id']);
        self::assertSame('rescheduled', self::meta($lead, Lead::META_STATUS));
        self::assertSame('uid-ana-2', self::meta($lead, Lead::META_BOOKING_UID));
        self::assertSame((string) strtotime('2025-03-12T14:00:00Z'), self::meta($lead, Lead::META_BOOKING_START));
        self::assertSame((string) strtotime('2025-03-12T14:30:00Z'), self::meta($lead, Lead::META_BOOKING_END));
        self::assertSame(['uid-ana-1', 'uid-ana-2'], get_post_meta($lead, Lead::META_BOOKING_UIDS));
        $last = $this->timeline($lead)[1];
        self::assertSame('uid-ana-1', $last->rescheduled_from_uid);
    }

    public function testCancelledKeepsTheReasonAndALaterBookingClearsIt(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['status' => 'CANCELLED', 'cancellationReason' => 'Roof is being replaced first.']));
        self::assertSame('cancelled', self::meta($lead, Lead::META_STATUS));
        self::assertSame('Roof is being replaced first.', self::meta($lead, Lead::META_CANCELLATION_REASON));
        self::assertSame('Roof is being replaced first.', $this->timeline($lead)[1]->detail);

        $this->deliver(self::booking('BOOKING_CREATED', '2025-04-01T10:00:00Z', ['uid' => 'uid-ana-3']));
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));
        self::assertSame('', self::meta($lead, Lead::META_CANCELLATION_REASON));
        self::assertSame('uid-ana-3', self::meta($lead, Lead::META_BOOKING_UID));
    }

    public function testRejectedKeepsTheRejectionReasonOnTheTimeline(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_REQUESTED', '2025-03-01T10:00:00Z', ['status' => 'PENDING']))->get_data()['lead_id'];
        self::assertSame('requested', self::meta($lead, Lead::META_STATUS));
        $this->deliver(self::booking('BOOKING_REJECTED', '2025-03-01T12:00:00Z', ['status' => 'REJECTED', 'rejectionReason' => 'Outside our service area.']));
        self::assertSame('rejected', self::meta($lead, Lead::META_STATUS));
        self::assertSame('Outside our service area.', $this->timeline($lead)[1]->detail);
    }

    public function testRequestedForAReschedulePendsWithoutChangingTheBooking(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $data = self::assertResult($this->deliver(self::booking('BOOKING_REQUESTED', '2025-03-02T10:00:00Z', [
            'uid' => 'uid-ana-2',
            'rescheduleUid' => 'uid-ana-1',
            'status' => 'PENDING',
            'startTime' => '2025-03-20T09:00:00Z',
        ])), 'accepted');
        self::assertSame($lead, $data['lead_id']);
        self::assertFalse($data['applied']);
        self::assertSame(Timeline::NOTE_PENDING_RESCHEDULE, $data['note']);
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));
        self::assertSame('uid-ana-1', self::meta($lead, Lead::META_BOOKING_UID));
        self::assertSame((string) strtotime('2025-03-10T09:00:00Z'), self::meta($lead, Lead::META_BOOKING_START));
        self::assertSame(['uid-ana-1', 'uid-ana-2'], get_post_meta($lead, Lead::META_BOOKING_UIDS), 'the pending uid is known');

        $timeline = $this->timeline($lead);
        self::assertSame(Timeline::NOTE_PENDING_RESCHEDULE, $timeline[1]->note);
        self::assertSame('0', (string) $timeline[1]->applied);

        // Confirmed: the new booking takes over.
        $this->deliver(self::booking('BOOKING_CONFIRMED', '2025-03-02T11:00:00Z', ['uid' => 'uid-ana-2', 'startTime' => '2025-03-20T09:00:00Z']));
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));
        self::assertSame('uid-ana-2', self::meta($lead, Lead::META_BOOKING_UID));
        self::assertSame((string) strtotime('2025-03-20T09:00:00Z'), self::meta($lead, Lead::META_BOOKING_START));
    }

    public function testMeetingEndedCompletesAndNoShowMarksNoShow(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $last = self::meta($lead, Lead::META_LAST_EVENT_AT);

        $started = self::assertResult($this->deliver(self::flatMeeting('MEETING_STARTED', 'uid-ana-1', '2025-03-01T10:00:00Z')), 'accepted');
        self::assertFalse($started['applied']);
        self::assertSame(Timeline::NOTE_NO_STATUS_EFFECT, $started['note']);
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));

        self::assertResult($this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-ana-1', '2025-03-01T10:00:00Z')), 'accepted');
        self::assertSame('completed', self::meta($lead, Lead::META_STATUS));
        self::assertSame($last, self::meta($lead, Lead::META_LAST_EVENT_AT), 'MEETING_* leave the ordering mark alone');

        $no_show = (string) json_encode([
            'triggerEvent' => 'BOOKING_NO_SHOW_UPDATED',
            'createdAt' => '2025-03-10T10:05:00.000Z',
            'payload' => ['message' => 'x marked as no-show', 'attendees' => [['email' => 'ana.mueller@example.com', 'noShow' => true]], 'bookingUid' => 'uid-ana-1', 'bookingId' => 501],
        ]);
        self::assertResult($this->deliver($no_show), 'accepted');
        self::assertSame('no_show', self::meta($lead, Lead::META_STATUS));
        self::assertSame((string) (strtotime('2025-03-10T10:05:00Z') * 1000), self::meta($lead, Lead::META_LAST_EVENT_AT));
        self::assertSame('uid-ana-1', self::meta($lead, Lead::META_BOOKING_UID));

        $triggers = array_map(static fn ($entry) => $entry->trigger_event, $this->timeline($lead));
        self::assertSame(['BOOKING_CREATED', 'MEETING_STARTED', 'MEETING_ENDED', 'BOOKING_NO_SHOW_UPDATED'], $triggers);
    }

    public function testAfterHostsNoShowIsOnlyKeptOnTheTimeline(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => 'qVyXscm1ryg2QoQ4K8uHLW']))->get_data()['lead_id'];
        $data = self::assertResult($this->deliver(self::fixture('13_after_hosts_cal_video_no_show.json')), 'accepted');
        self::assertSame($lead, $data['lead_id']);
        self::assertFalse($data['applied']);
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));
    }

    public function testTheLeadUpdatedActionFiresAfterEachCommittedChange(): void
    {
        global $wpdb;
        $calls = [];
        $this->hook('solar_capture_lead_updated', function ($lead_id, $event, $delivery_id, $outcome, $source) use (&$calls, $wpdb) {
            // Fired after the commit: the delivery's final state is already written.
            $result = $wpdb->get_var($wpdb->prepare("SELECT result FROM {$this->plugin->deliveries->table()} WHERE id = %d", $delivery_id));
            self::assertSame([$lead_id, $delivery_id], [$outcome->lead_id, $outcome->delivery_id], 'one typed outcome');
            $calls[] = [$lead_id, $event['trigger'], $event['booking_uid'], $delivery_id, $result, $outcome->reason_code, $outcome->created, $source->kind];
        }, 10, 5);

        $first = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data();
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z')); // duplicate: no action
        $this->deliver(self::fixture('15_ping_test.json')); // no lead: no action
        $second = $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-01T12:00:00Z'))->get_data();

        self::assertSame([
            [$first['lead_id'], 'BOOKING_CREATED', 'uid-ana-1', $first['delivery_id'], 'accepted', 'applied', true, 'webhook'],
            [$first['lead_id'], 'BOOKING_CANCELLED', 'uid-ana-1', $second['delivery_id'], 'accepted', 'applied', false, 'webhook'],
        ], $calls);
    }

    /** Contract section 3: a booking matched to an existing lead never replaces its name or e-mail. */
    public function testALaterBookingOfTheLeadDoesNotRenameIt(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $attendee = [['name' => 'Ana Müller-Schmidt', 'email' => 'ana.mueller@example.com', 'timeZone' => 'Europe/Berlin']];
        $this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', ['uid' => 'uid-ana-2', 'rescheduleUid' => 'uid-ana-1', 'attendees' => $attendee]));
        self::assertSame('Ana Müller', self::title($lead), 'the name the lead was created with stays');
        self::assertSame('rescheduled', self::meta($lead, Lead::META_STATUS));
        self::assertSame('+49 30 1234567', self::meta($lead, Lead::META_PHONE), 'a missing phone does not erase the known one');
    }

    public function testALeadWithoutANameIsTitledByItsEmail(): void
    {
        $attendee = [['email' => 'Roof@Example.org', 'timeZone' => 'UTC']];
        $data = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['attendees' => $attendee]))->get_data();
        self::assertSame('roof@example.org', self::title($data['lead_id']));
    }

    public function testDeletingALeadDeletesItsTimeline(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        self::assertCount(1, $this->timeline($lead));
        wp_delete_post($lead, true);
        self::assertSame([], $this->timeline($lead));
    }
}
