<?php
/**
 * Requests refused before a signature verified come from anybody: at most 100 rows a clock hour, the rest
 * counted per hour and reason and shown in the delivery log (contract section 3).
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Pipeline\Refusal_Counter;

final class RefusedRequestsTest extends TestCase
{
    /** Found on the landed main: every forged request added a row, 656,000 of them made 147 MiB. */
    public function testPastTheHourlyCapForgedRequestsAreCountedNotLogged(): void
    {
        $forged = Refusal_Counter::ROWS_PER_HOUR + 7;
        for ($i = 0; $i < $forged - 2; $i++) {
            $answer = $this->deliver('{"triggerEvent":"BOOKING_CREATED","n":' . $i . '}', 'a-guessed-secret');
            $this->assertError($answer, 401, 'solar_capture_invalid_signature');
        }
        $this->assertError($this->deliver('{}', null), 401, 'solar_capture_signature_missing');
        $this->assertError($this->deliver('{}', null, ['X-Cal-Signature-256' => 'nope']), 401, 'solar_capture_signature_malformed');

        self::assertSame(Refusal_Counter::ROWS_PER_HOUR, $this->plugin->deliveries->count(['result' => Delivery_Store::REJECTED]), 'the log keeps the first 100 of the hour');
        $hours = $this->plugin->refusals->hours_over_cap(time() - HOUR_IN_SECONDS);
        self::assertCount(1, $hours);
        self::assertSame($forged, $hours[0]['requests']);
        self::assertSame(7, $hours[0]['unlogged']);
        self::assertSame([Reason::INVALID_SIGNATURE => $forged - 2, Reason::SIGNATURE_MALFORMED => 1, Reason::SIGNATURE_MISSING => 1], $hours[0]['by_reason']);

        // Cal.com's own deliveries are never capped: they verify, and get their row.
        $this->assertResult($this->deliver(self::fixture('01_booking_created.json')), Delivery_Store::ACCEPTED);

        self::loginAs('administrator');
        $log = self::capture([$this->plugin->delivery_log, 'render']);
        self::assertStringContainsString('logged up to 100 an hour; past that they are only counted', $log);
        self::assertStringContainsString('107 refused, 7 of them not logged (105 invalid_signature, 1 signature_malformed, 1 signature_missing)', $log);
    }

    public function testOnlyRequestsShapedLikeCalcomsCountAsCalcomLike(): void
    {
        $body = self::fixture('01_booking_created.json');
        self::assertTrue(Refusal_Counter::looks_like_calcom($body, hash_hmac('sha256', $body, 'x')));
        self::assertTrue(Refusal_Counter::looks_like_calcom($body, 'sha256=' . strtoupper(hash('sha256', 'x'))));
        self::assertFalse(Refusal_Counter::looks_like_calcom($body, 'abc'), 'not a SHA-256 signature');
        self::assertFalse(Refusal_Counter::looks_like_calcom('hello', hash('sha256', 'x')), 'not a JSON object');
        self::assertFalse(Refusal_Counter::looks_like_calcom('{"event":"x"}', hash('sha256', 'x')), 'no trigger');
    }

    public function testTheRetentionPeriodForgetsOldCounts(): void
    {
        global $wpdb;
        foreach ([40, 2] as $days_ago) {
            $wpdb->insert($this->plugin->refusals->table(), [
                'hour' => gmdate('Y-m-d H:00:00', time() - $days_ago * DAY_IN_SECONDS),
                'reason_code' => Reason::INVALID_SIGNATURE,
                'requests' => 500,
                'newest' => gmdate('Y-m-d H:i:s', time() - $days_ago * DAY_IN_SECONDS),
            ]);
        }
        $this->plugin->retention->prune();
        self::assertSame('1', $wpdb->get_var("SELECT COUNT(*) FROM {$this->plugin->refusals->table()}"), 'the 40-day-old hour is gone, the recent one stays');
    }
}
