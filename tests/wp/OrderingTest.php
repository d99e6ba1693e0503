<?php
/**
 * The ordering guard: a BOOKING_* event older than the newest applied one is kept on the timeline but
 * changes no status; MEETING_* events take no part in the comparison.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Timeline;

final class OrderingTest extends TestCase
{
    public function testAnOlderEventIsRecordedButChangesNothing(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['cancellationReason' => 'Too expensive']))->get_data()['lead_id'];
        $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', [
            'startTime' => '2025-04-01T09:00:00Z',
            'attendees' => [['name' => 'Old Name', 'email' => 'ana.mueller@example.com', 'timeZone' => 'UTC']],
        ])), 'accepted');

        self::assertSame($lead, $data['lead_id']);
        self::assertFalse($data['applied']);
        self::assertSame(Timeline::NOTE_OLDER, $data['note']);
        self::assertSame('cancelled', self::meta($lead, Lead::META_STATUS));
        self::assertSame('Too expensive', self::meta($lead, Lead::META_CANCELLATION_REASON));
        self::assertSame((string) strtotime('2025-03-10T09:00:00Z'), self::meta($lead, Lead::META_BOOKING_START));
        self::assertSame((string) (strtotime('2025-03-02T10:00:00Z') * 1000), self::meta($lead, Lead::META_LAST_EVENT_AT));
        self::assertSame('Ana Müller', self::title($lead));

        $timeline = $this->timeline($lead);
        self::assertSame(['BOOKING_CREATED', 'BOOKING_CANCELLED'], array_map(static fn ($e) => $e->trigger_event, $timeline), 'ordered by event time');
        self::assertSame(['0', '1'], array_map(static fn ($e) => (string) $e->applied, $timeline));
        self::assertSame(Timeline::NOTE_OLDER, $timeline[0]->note);
    }

    public function testMillisecondsCount(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CONFIRMED', '2025-03-01T10:00:00.002Z'))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-01T10:00:00.001Z'));
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));
        $this->deliver(self::booking('BOOKING_REJECTED', '2025-03-01T11:00:00.002+01:00')); // the same instant: applied
        self::assertSame('rejected', self::meta($lead, Lead::META_STATUS));
    }

    public function testALifecycleDeliveredInReverseOrderEndsCancelledWithTheNewUidAndTimes(): void
    {
        $created = self::booking('BOOKING_CREATED', '2025-03-01T10:00:00.000Z');
        $rescheduled = self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00.000Z', [
            'uid' => 'uid-ana-2',
            'rescheduleUid' => 'uid-ana-1',
            'startTime' => '2025-03-12T14:00:00Z',
            'endTime' => '2025-03-12T14:30:00Z',
        ]);
        $cancelled = self::booking('BOOKING_CANCELLED', '2025-03-03T10:00:00.000Z', [
            'uid' => 'uid-ana-2',
            'status' => 'CANCELLED',
            'cancellationReason' => 'Bought elsewhere',
            'startTime' => '2025-03-12T14:00:00Z',
            'endTime' => '2025-03-12T14:30:00Z',
        ]);

        foreach ([$cancelled, $rescheduled, $created] as $body) {
            self::assertResult($this->deliver($body), 'accepted');
        }

        $leads = self::leadIds();
        self::assertCount(1, $leads);
        $lead = $leads[0];
        self::assertSame('cancelled', self::meta($lead, Lead::META_STATUS));
        self::assertSame('uid-ana-2', self::meta($lead, Lead::META_BOOKING_UID));
        self::assertSame((string) strtotime('2025-03-12T14:00:00Z'), self::meta($lead, Lead::META_BOOKING_START));
        self::assertSame((string) strtotime('2025-03-12T14:30:00Z'), self::meta($lead, Lead::META_BOOKING_END));
        self::assertSame('Bought elsewhere', self::meta($lead, Lead::META_CANCELLATION_REASON));
        self::assertEqualsCanonicalizing(['uid-ana-1', 'uid-ana-2'], get_post_meta($lead, Lead::META_BOOKING_UIDS));

        $timeline = $this->timeline($lead);
        self::assertSame(['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'], array_map(static fn ($e) => $e->trigger_event, $timeline));
        self::assertSame(['0', '0', '1'], array_map(static fn ($e) => (string) $e->applied, $timeline));
    }

    public function testTheSameLifecycleInOrderEndsTheSame(): void
    {
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'));
        $this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', ['uid' => 'uid-ana-2', 'rescheduleUid' => 'uid-ana-1', 'startTime' => '2025-03-12T14:00:00Z']));
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-03T10:00:00Z', ['uid' => 'uid-ana-2', 'startTime' => '2025-03-12T14:00:00Z']));
        $lead = self::leadIds()[0];
        self::assertSame('cancelled', self::meta($lead, Lead::META_STATUS));
        self::assertSame('uid-ana-2', self::meta($lead, Lead::META_BOOKING_UID));
        self::assertSame(['1', '1', '1'], array_map(static fn ($e) => (string) $e->applied, $this->timeline($lead)));
    }

    public function testMeetingEventsAreNotComparedWithTheLastEventTime(): void
    {
        // The booking was created long ago and updated since; MEETING_ENDED carries the booking's old
        // createdAt, yet it applies.
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_CONFIRMED', '2025-03-05T10:00:00Z'));
        $data = self::assertResult($this->deliver(self::flatMeeting('MEETING_ENDED', 'uid-ana-1', '2025-03-01T10:00:00Z')), 'accepted');
        self::assertTrue($data['applied']);
        self::assertSame('completed', self::meta($lead, Lead::META_STATUS));
        self::assertSame((string) (strtotime('2025-03-05T10:00:00Z') * 1000), self::meta($lead, Lead::META_LAST_EVENT_AT));

        // And a no-show (BOOKING_*) after it still applies when newer.
        $no_show = (string) json_encode(['triggerEvent' => 'BOOKING_NO_SHOW_UPDATED', 'createdAt' => '2025-03-10T10:00:00Z', 'payload' => ['bookingUid' => 'uid-ana-1', 'attendees' => [['email' => 'ana.mueller@example.com', 'noShow' => true]]]]);
        $this->deliver($no_show);
        self::assertSame('no_show', self::meta($lead, Lead::META_STATUS));
    }

    public function testALateCreatedDoesNotReviveACancelledLead(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-05T10:00:00Z'))->get_data()['lead_id'];
        $data = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data();
        self::assertSame(Timeline::NOTE_OLDER, $data['note']);
        self::assertSame('cancelled', self::meta($lead, Lead::META_STATUS));
    }
}
