<?php
/**
 * Reconciliation against the stateful fake of Cal.com's API v2: bookings whose webhook never came are
 * applied through the webhook's pipeline (source api) and marked as found by reconciliation; a state the
 * lead already has changes nothing; paging, the watermark, a 429 in the middle of a pass, a bad key and
 * Cal.com's own errors.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Reconciler;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Tests\Support\Bookings;

final class ReconcileTest extends CalcomTestCase
{
    public function testAMissedBookingIsAppliedAsItsWebhookWouldHaveBeenAndMarked(): void
    {
        $this->fake->reset(['bookings' => [self::apiBooking()]]);
        $run = $this->plugin->reconciler->run();
        self::assertSame([Reconciler::COMPLETE, 1, 1, 0, 0], [$run['status'], $run['seen'], $run['applied'], $run['unchanged'], $run['errors']]);

        $lead = $this->onlyLead();
        self::assertSame('Ana Müller', self::title($lead));
        self::assertSame('ana.mueller@example.com', get_post_meta($lead, Lead::META_EMAIL, true));
        self::assertSame('booked', get_post_meta($lead, Lead::META_STATUS, true));
        self::assertSame('uid-ana-1', get_post_meta($lead, Lead::META_BOOKING_UID, true));
        self::assertSame((string) strtotime('2027-03-10T09:00:00Z'), (string) get_post_meta($lead, Lead::META_BOOKING_START, true));
        self::assertSame('+49 30 1234567', get_post_meta($lead, Lead::META_PHONE, true));

        $entries = $this->plugin->timeline->for_lead($lead);
        self::assertCount(1, $entries);
        self::assertSame(['BOOKING_CREATED', 'api'], [$entries[0]->trigger_event, $entries[0]->source]);
        self::assertSame('Tiles', json_decode((string) $entries[0]->answers, true)['roof']['answer'] ?? json_decode((string) $entries[0]->answers, true)['roof'] ?? null);
        $delivery = $this->plugin->deliveries->find((int) $entries[0]->delivery_id);
        self::assertSame(['api', 'accepted', 0], [$delivery->source, $delivery->result, (int) $delivery->http_status]);

        self::loginAs('administrator');
        $html = self::capture(fn () => $this->plugin->lead_admin->render_timeline(get_post($lead)));
        self::assertStringContainsString('found by reconciliation', $html);
    }

    public function testAStateTheLeadAlreadyHasChangesNothing(): void
    {
        // The webhook came; the API shows the same booking, later updated (e.g. a reminder was sent).
        self::assertSame(200, $this->deliver(Bookings::booking('BOOKING_CREATED', Bookings::iso(time() - 600), ['startTime' => '2027-03-10T09:00:00Z', 'endTime' => '2027-03-10T09:30:00Z']))->get_status());
        $lead = $this->onlyLead();
        $deliveries = $this->plugin->deliveries->count();
        $this->fake->reset(['bookings' => [self::apiBooking()]]);

        $run = $this->plugin->reconciler->run();
        self::assertSame([1, 0, 1, 0], [$run['seen'], $run['applied'], $run['unchanged'], $run['errors']]);
        self::assertCount(1, $this->plugin->timeline->for_lead($lead), 'no timeline entry');
        self::assertSame($deliveries, $this->plugin->deliveries->count(), 'no delivery row');

        // Twice over the same window: still nothing.
        self::assertSame(1, $this->plugin->reconciler->run(0)['unchanged']);
        self::assertCount(1, $this->plugin->timeline->for_lead($lead));
    }

    public function testAMissedCancellationAndRejection(): void
    {
        self::assertSame(200, $this->deliver(Bookings::booking('BOOKING_CREATED', Bookings::iso(time() - 3600)))->get_status());
        $lead = $this->onlyLead();
        $this->fake->reset(['bookings' => [
            self::apiBooking(['status' => 'cancelled', 'cancellationReason' => 'Bought a heat pump instead', 'cancelledByEmail' => 'ana.mueller@example.com']),
            self::apiBooking(['id' => 777, 'uid' => 'uid-bob', 'status' => 'rejected', 'attendees' => [['name' => 'Bob', 'email' => 'bob@example.com', 'timeZone' => 'UTC', 'absent' => false]]]),
        ]]);
        $run = $this->plugin->reconciler->run();
        self::assertSame([2, 2, 0], [$run['seen'], $run['applied'], $run['errors']]);
        self::assertSame('cancelled', get_post_meta($lead, Lead::META_STATUS, true));
        self::assertSame('Bought a heat pump instead', get_post_meta($lead, Lead::META_CANCELLATION_REASON, true));
        $bob = $this->plugin->lead_index->find_by_email('bob@example.com');
        self::assertSame('rejected', get_post_meta((int) $bob, Lead::META_STATUS, true));
    }

    public function testAMissedRescheduleIsARescheduleNotACancellation(): void
    {
        self::assertSame(200, $this->deliver(Bookings::booking('BOOKING_CREATED', Bookings::iso(time() - 7200)))->get_status());
        $lead_id = $this->onlyLead();

        // The old booking was cancelled by the reschedule; the new one (without lead_id, as Cal.com's
        // reschedule can be) is only reachable by its uid: it was made before the window read here.
        $this->fake->reset(['bookings' => [
            self::apiBooking(['status' => 'cancelled', 'rescheduledToUid' => 'uid-ana-2', 'rescheduledByEmail' => 'ana.mueller@example.com']),
            self::apiBooking(['id' => 502, 'uid' => 'uid-ana-2', 'start' => '2027-03-12T14:00:00.000Z', 'end' => '2027-03-12T14:30:00.000Z', 'rescheduledFromUid' => 'uid-ana-1', 'reschedulingReason' => 'Away that day', 'createdAt' => gmdate('Y-m-d\\TH:i:s.000\\Z', time() - 3000), 'updatedAt' => null]),
        ]]);
        $run = $this->plugin->reconciler->run(time() - 1000);
        self::assertSame(Reconciler::COMPLETE, $run['status']);
        self::assertSame([1, 1, 1, 0], [$run['seen'], $run['applied'], $run['unchanged'], $run['errors']]);
        self::assertContains('GET /v2/bookings/uid-ana-2', $this->apiCallLines());

        self::assertSame('rescheduled', get_post_meta($lead_id, Lead::META_STATUS, true));
        self::assertSame('uid-ana-2', get_post_meta($lead_id, Lead::META_BOOKING_UID, true));
        self::assertSame((string) strtotime('2027-03-12T14:00:00Z'), (string) get_post_meta($lead_id, Lead::META_BOOKING_START, true));
        self::assertSame(['BOOKING_CREATED', 'BOOKING_RESCHEDULED'], array_column($this->plugin->timeline->for_lead($lead_id), 'trigger_event'));
        self::assertSame(1, (int) wp_count_posts(Lead::POST_TYPE)->private, 'no second lead');
    }

    public function testPendingAcceptedAfterRequestAndUnknownStatuses(): void
    {
        $this->fake->reset(['bookings' => [
            self::apiBooking(['status' => 'pending']),
            self::apiBooking(['id' => 9, 'uid' => 'uid-host', 'status' => 'awaiting_host', 'attendees' => [['name' => 'Cy', 'email' => 'cy@example.com', 'timeZone' => 'UTC', 'absent' => false]]]),
        ]]);
        $run = $this->plugin->reconciler->run();
        self::assertSame([2, 1, 1, 0], [$run['seen'], $run['applied'], $run['unchanged'], $run['errors']], 'an unknown status is tolerated, not applied');
        $lead = $this->onlyLead();
        self::assertSame('requested', get_post_meta($lead, Lead::META_STATUS, true));

        // The host confirmed; its BOOKING_CREATED webhook was lost.
        $this->fake->reset(['bookings' => [self::apiBooking(['updatedAt' => gmdate('Y-m-d\TH:i:s.000\Z', time() - 60)])]]);
        self::assertSame(1, $this->plugin->reconciler->run()['applied']);
        self::assertSame('booked', get_post_meta($lead, Lead::META_STATUS, true));
    }

    public function testHundredsOfBookingsOverPagesThenAResumeAfterARateLimit(): void
    {
        $from = time() - 7200;
        $this->fake->reset([
            'generate' => ['count' => 320, 'from' => $from, 'step' => 10, 'email_prefix' => 'page'],
            // The second page of the first pass is refused: 429.
            'faults' => [['method' => 'GET', 'path' => '/v2/bookings', 'status' => 429, 'after' => 1]],
        ]);
        $first = $this->plugin->reconciler->run();
        self::assertSame(Reconciler::RATE_LIMITED, $first['status']);
        self::assertSame([250, 250, 0], [$first["seen"], $first["applied"], $first["errors"]]);
        self::assertStringContainsString('rate limit', $first['message']);
        self::assertSame(['phase' => 'updated', 'skip' => 250], array_intersect_key($this->plugin->reconciler->state()['resume'], ['phase' => 1, 'skip' => 1]));
        self::assertNotFalse(wp_next_scheduled(Reconciler::CRON_HOOK), 'a run is scheduled for when the limit resets');

        $second = $this->plugin->reconciler->run();
        self::assertSame(Reconciler::COMPLETE, $second['status']);
        self::assertTrue($second['resumed']);
        self::assertSame([70, 70, 0], [$second['seen'], $second['applied'], $second['errors']]);
        self::assertSame(320, (int) wp_count_posts(Lead::POST_TYPE)->private);
        self::assertNull($this->plugin->reconciler->state()['resume']);

        $pages = array_values(array_filter($this->apiCalls(), static fn (array $call): bool => '/v2/bookings' === $call['path']));
        self::assertSame('250', $pages[2]['query']['skip'], 'the resumed pass starts at the page that was refused');
        self::assertSame(['asc', '250', '2024-08-13'], [$pages[0]['query']['sortUpdatedAt'], $pages[0]['query']['take'], $pages[0]['version']]);

        // The watermark: the next pass reads from the newest change seen, less the overlap.
        $third = $this->plugin->reconciler->run();
        $expected = gmdate('Y-m-d\TH:i:s\Z', max($from + 3200, $second['started_at'] - Reconciler::OVERLAP) - Reconciler::OVERLAP);
        self::assertSame($expected, $third['since']);
        self::assertSame(0, $third['applied']);
    }

    public function testAPassStopsAtThePageCapAndTheNextCarriesOn(): void
    {
        $this->fake->reset(['generate' => ['count' => 260, 'from' => time() - 7200, 'step' => 10, 'email_prefix' => 'cap']]);
        $this->hook('solar_capture_reconcile_max_pages', static fn (): int => 1);

        $first = $this->plugin->reconciler->run();
        self::assertSame([Reconciler::PARTIAL, 250, 250, 1], [$first['status'], $first['seen'], $first['applied'], $first['pages']]);
        self::assertStringContainsString('carries on', $first['message']);
        self::assertNotFalse(wp_next_scheduled(Reconciler::CRON_HOOK), 'the rest is read a minute later, not an hour');
        self::assertSame(250, $this->plugin->reconciler->state()['resume']['skip']);

        // The rest of the updatedAt phase, then the createdAt phase's own pages (each capped too).
        $runs = [];
        do {
            $runs[] = $this->plugin->reconciler->run();
        } while (Reconciler::PARTIAL === end($runs)['status'] && count($runs) < 5);
        self::assertSame([Reconciler::PARTIAL, Reconciler::COMPLETE], array_column($runs, 'status'));
        self::assertSame([true, true], array_column($runs, 'resumed'));
        self::assertSame(10, array_sum(array_column($runs, 'applied')));
        self::assertSame(260, (int) wp_count_posts(Lead::POST_TYPE)->private);
        self::assertNull($this->plugin->reconciler->state()['resume']);
    }

    public function testABookingWithoutUpdatedAtIsFoundByItsCreationTime(): void
    {
        $this->fake->reset(['bookings' => [self::apiBooking(['updatedAt' => null])]]);
        $run = $this->plugin->reconciler->run();
        self::assertSame([1, 1], [$run['seen'], $run['applied']]);
        $created = array_values(array_filter($this->apiCalls(), static fn (array $call): bool => isset($call['query']['afterCreatedAt'])));
        self::assertCount(1, $created);
        self::assertSame('asc', $created[0]['query']['sortCreated']);
    }

    public function testABadKeyAndCalcomErrorsStopThePassAndAreRecorded(): void
    {
        update_option(Api_Settings::KEY_OPTION, 'cal_live_revoked000000000');
        $run = $this->plugin->reconciler->run();
        self::assertSame(Reconciler::FAILED, $run['status']);
        self::assertStringContainsString('does not accept the API key', $run['message']);
        self::assertSame($run, $this->plugin->reconciler->last_run());

        update_option(Api_Settings::KEY_OPTION, \Fake_Calcom::KEY);
        $this->fake->reset(['bookings' => [self::apiBooking()], 'faults' => [['method' => 'GET', 'path' => '/v2/bookings', 'status' => 503]]]);
        $run = $this->plugin->reconciler->run();
        self::assertSame([Reconciler::FAILED, 0], [$run['status'], $run['applied']]);
        self::assertSame(1, $this->plugin->reconciler->run()['applied'], 'the next run does the work');

        delete_option(Api_Settings::KEY_OPTION);
        self::assertSame(Reconciler::NOT_CONNECTED, $this->plugin->reconciler->run()['status']);
    }

    public function testRunsNeverOverlapAndTheHookRunsOnePass(): void
    {
        $this->fake->reset(['bookings' => [self::apiBooking()]]);
        add_option(Reconciler::LOCK_OPTION, time(), '', false);
        self::assertSame(Reconciler::LOCKED, $this->plugin->reconciler->run()['status']);
        self::assertSame([], $this->apiCalls());
        update_option(Reconciler::LOCK_OPTION, time() - Reconciler::LOCK_SECONDS - 1);

        do_action('solar_capture_reconcile');
        self::assertSame(1, $this->plugin->reconciler->last_run()['applied']);
        self::assertFalse(get_option(Reconciler::LOCK_OPTION), 'the lock is released');
        self::assertNotFalse(wp_next_scheduled(Reconciler::CRON_HOOK));
        self::assertSame('hourly', wp_get_schedule(Reconciler::CRON_HOOK));
    }

    public function testTheIntegrationsScreenShowsTheLastRun(): void
    {
        self::assertTrue($this->plugin->connection->connect(null)['ok']);
        $this->fake->reset(['bookings' => [self::apiBooking()], 'webhooks' => $this->fake->state()['webhooks']]);
        $this->plugin->reconciler->run();
        self::loginAs('administrator');
        $html = self::capture(fn () => $this->plugin->settings_page->render());
        self::assertStringContainsString('id="solar-capture-last-reconcile" data-status="complete"', $html);
        self::assertStringContainsString('1 booking read from Cal.com: 1 missed and applied, 0 already up to date, 0 errors.', $html);
    }

    private function onlyLead(): int
    {
        $ids = get_posts(['post_type' => Lead::POST_TYPE, 'post_status' => 'any', 'fields' => 'ids', 'numberposts' => -1]);
        self::assertCount(1, $ids);
        return (int) $ids[0];
    }
}
