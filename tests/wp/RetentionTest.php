<?php
/**
 * The delivery log's retention period: 30 days unless set otherwise, applied daily by WP-Cron. Old
 * accepted rows lose their body but keep their event key; every other old row goes.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Jobs\Delivery_Retention;

final class RetentionTest extends TestCase
{
    /** Moves a delivery $days into the past. */
    private function age(int $id, int $days): void
    {
        global $wpdb;
        $wpdb->update($this->plugin->deliveries->table(), ['received_at' => gmdate('Y-m-d H:i:s', time() - $days * DAY_IN_SECONDS)], ['id' => $id]);
    }

    /** @return array<string, int> result => delivery id, one of each, all $days old */
    private function oneOfEach(int $days, string $suffix): array
    {
        $ids = [
            'accepted' => $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => "uid-$suffix", 'attendees' => [['name' => 'A', 'email' => "$suffix@example.com"]]]))->get_data()['delivery_id'],
            'unmatched' => $this->deliver(self::flatMeeting('MEETING_ENDED', "uid-none-$suffix", '2025-03-01T10:00:00Z'))->get_data()['delivery_id'],
            'ignored' => $this->deliver(self::booking('FORM_SUBMITTED', '2025-03-01T10:00:00Z', ['uid' => "uid-fs-$suffix"]))->get_data()['delivery_id'],
        ];
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => "uid-$suffix", 'attendees' => [['name' => 'A', 'email' => "$suffix@example.com"]]]));
        $ids['duplicate'] = (int) $this->lastDelivery()->id;
        $this->deliver('{"not":"signed"}', 'wrong');
        $ids['rejected'] = (int) $this->lastDelivery()->id;
        $ids['failed'] = (int) $this->plugin->deliveries->record(['result' => Delivery_Store::FAILED, 'reason' => 'storage: test', 'body' => '{"x":1}', 'http_status' => 503]);
        foreach ($ids as $id) {
            $this->age($id, $days);
        }
        return $ids;
    }

    public function testOldDeliveriesArePrunedAndAcceptedOnesLoseOnlyTheirBody(): void
    {
        $old = $this->oneOfEach(31, 'old');
        $new = $this->oneOfEach(29, 'new');
        $accepted = $this->delivery($old['accepted']);
        self::assertNotNull($accepted->body);

        self::assertSame(6, $this->plugin->retention->prune(), 'five deleted, one emptied');

        foreach (['unmatched', 'ignored', 'duplicate', 'rejected', 'failed'] as $result) {
            self::assertNull($this->plugin->deliveries->find($old[$result]), "old $result row deleted");
        }
        $kept = $this->delivery($old['accepted']);
        self::assertNull($kept->body, 'the personal data is gone');
        self::assertSame($accepted->event_key, $kept->event_key, 'the key stays');
        foreach ($new as $result => $id) {
            self::assertSame($result, $this->delivery($id)->result, "recent $result row kept");
        }
        self::assertNotNull($this->delivery($new['accepted'])->body);

        // A late repeat of the pruned event is still recognised.
        $repeat = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => 'uid-old', 'attendees' => [['name' => 'A', 'email' => 'old@example.com']]]));
        self::assertResult($repeat, 'duplicate');

        self::assertSame(0, $this->plugin->retention->prune(), 'nothing left to do');
        $run = get_option(Delivery_Retention::LAST_RUN);
        self::assertSame(0, $run['count']);
        self::assertEqualsWithDelta(time(), $run['time'], 5);
    }

    public function testTheRetentionPeriodIsConfigurable(): void
    {
        $ids = $this->oneOfEach(8, 'week');
        update_option(Delivery_Retention::OPTION, 10);
        self::assertSame(10, $this->plugin->retention->days());
        self::assertSame(0, $this->plugin->retention->prune());

        update_option(Delivery_Retention::OPTION, 7);
        self::assertSame(6, $this->plugin->retention->prune());
        self::assertNull($this->plugin->deliveries->find($ids['rejected']));

        // The filter has the last word.
        $this->hook('solar_capture_delivery_retention_days', static fn () => 90);
        self::assertSame(90, $this->plugin->retention->days());
    }

    public function testWpCronRunsItDaily(): void
    {
        wp_clear_scheduled_hook(Delivery_Retention::CRON_HOOK);
        $this->plugin->retention->schedule();
        $event = wp_get_scheduled_event(Delivery_Retention::CRON_HOOK);
        self::assertNotFalse($event);
        self::assertSame('daily', $event->schedule);
        self::assertSame(10, has_action(Delivery_Retention::CRON_HOOK, [$this->plugin->retention, 'prune']));

        $ids = $this->oneOfEach(40, 'cron');
        do_action(Delivery_Retention::CRON_HOOK);
        self::assertNull($this->plugin->deliveries->find($ids['rejected']));

        $this->plugin->deactivate();
        self::assertFalse(wp_next_scheduled(Delivery_Retention::CRON_HOOK));
        $this->plugin->retention->schedule();
    }
}
