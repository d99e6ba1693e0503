<?php
/**
 * The webhook route end to end: curl → nginx → php-fpm → WordPress → MariaDB, with whichever engine
 * the stack runs (scripts/test.sh runs this suite once with the extension and once without).
 */
declare(strict_types=1);

namespace SolarCapture\Tests\E2E;

use PHPUnit\Framework\TestCase;
use SolarCapture\Tests\Support\Bookings;
use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Http_Answer;
use SolarCapture\Tests\Support\Signed_Delivery;

final class WebhookHttpTest extends TestCase
{
    private const SECRET = 'e2e-shared-secret-with-more-than-32-characters';

    public static function setUpBeforeClass(): void
    {
        update_option('solar_capture_secret', self::SECRET);
    }

    /**
     * POSTs a body to the stack's webhook URL with Cal.com's headers (tests/support/Signed_Delivery.php).
     *
     * @param string|null           $secret  Secret to sign with, or null for no signature header.
     * @param array<string, string> $headers Extra headers (override the signature when given).
     */
    private static function post(string $body, ?string $secret = self::SECRET, array $headers = [], string $content_type = 'application/json'): Http_Answer
    {
        return Curl_Transport::post(Curl_Transport::endpoint(), Signed_Delivery::of($body, $secret, $headers, $content_type));
    }

    /**
     * A booking (tests/support/Bookings.php) at Unix times, with the e2e booker, whose e-mail follows
     * the uid so that bookings of different tests never match one lead by e-mail.
     *
     * @param array<string, mixed> $payload More payload fields.
     */
    private static function booking(string $trigger, string $uid, int $created_at, int $start, array $payload = []): string
    {
        return Bookings::booking($trigger, Bookings::iso($created_at), array_merge([
            'type' => 'roof-survey',
            'title' => 'Roof survey between Sunny Solar and Ada Lovelace',
            'startTime' => Bookings::iso($start),
            'endTime' => Bookings::iso($start + 1800),
            'attendees' => [['email' => "ada.$uid@example.com", 'name' => 'Ada Lovelace', 'timeZone' => 'Europe/London', 'language' => ['locale' => 'en']]],
            'organizer' => ['name' => 'Sunny Solar', 'email' => 'sales@sunny.example', 'timeZone' => 'Europe/London'],
            'responses' => null,
            'metadata' => null,
            'uid' => $uid,
            'bookingId' => crc32($uid),
            'eventTypeId' => null,
        ], $payload));
    }

    /** @return array{int, string} status and body of a GET */
    private static function get(string $url): array
    {
        $answer = Curl_Transport::get($url);
        return [$answer->status, $answer->body];
    }

    private static function deliveries(): string
    {
        global $wpdb;
        return $wpdb->prefix . 'solar_capture_deliveries';
    }

    /** @return list<\WP_Post> */
    private static function leadsWithUid(string $uid): array
    {
        wp_cache_flush();
        return get_posts(['post_type' => 'solar_lead', 'post_status' => 'any', 'numberposts' => -1,
            'meta_key' => '_solar_booking_uid', 'meta_value' => $uid, 'suppress_filters' => true]);
    }

    public function testEveryCorpusBodyWithItsManifestSignatureGetsTheExpectedStatus(): void
    {
        $dir = dirname(__DIR__) . '/fixtures/payloads';
        $manifest = json_decode((string) file_get_contents("$dir/MANIFEST.json"), true);
        update_option('solar_capture_secret', $manifest['secret']);
        try {
            foreach ($manifest['entries'] as $entry) {
                $body = (string) file_get_contents("$dir/{$entry['file']}");
                $golden = json_decode((string) file_get_contents(dirname(__DIR__) . '/fixtures/golden/' . preg_replace('/\.[a-z]+$/', '.json', $entry['file'])), true);
                $answer = self::post($body, null, $entry['headers']);
                [$status, $json, $raw] = [$answer->status, $answer->json(), $answer->body];
                if (($golden['error'] ?? null) === 'CUSTOM_TEMPLATE') {
                    self::assertSame(422, $status, "{$entry['file']}: $raw");
                    self::assertSame('solar_capture_custom_template', $json['code'] ?? null, $raw);
                    self::assertStringContainsString('Custom Payload', $json['message'] ?? '', $raw);
                } else {
                    self::assertSame(200, $status, "{$entry['file']}: $raw");
                }
                self::assertSame(401, self::post($body, 'not-the-secret', [], $entry['headers']['Content-Type'])->status, $entry['file']);
            }
        } finally {
            update_option('solar_capture_secret', self::SECRET);
        }
    }

    public function testErrorAnswersOverHttp(): void
    {
        $answer = self::post('{"triggerEvent":"PING"');
        self::assertSame(400, $answer->status);
        self::assertSame('solar_capture_not_json', $answer->json()['code']);

        $answer = self::post('[1,2]');
        self::assertSame(400, $answer->status);
        self::assertSame('solar_capture_not_an_event', $answer->json()['code']);

        $answer = self::post(Bookings::ping('2025-01-01T00:00:00Z'), null, [Signed_Delivery::SIGNATURE_HEADER => 'no-secret-provided']);
        self::assertSame(401, $answer->status);
        self::assertStringStartsWith('solar_capture_', $answer->json()['code']);

        $answer = self::post(Bookings::ping('2025-01-01T00:00:00Z', ['pad' => str_repeat('x', 1_100_000)]));
        self::assertSame(413, $answer->status);
        self::assertStringStartsWith('solar_capture_', $answer->json()['code']);

        // Past the web server's limit on the route (2 MiB in the project's nginx config): refused by nginx
        // before PHP reads a byte of it.
        $answer = self::post(Bookings::ping('2025-01-01T00:00:00Z', ['pad' => str_repeat('x', 3_000_000)]));
        self::assertSame(413, $answer->status);
        self::assertStringContainsString('nginx', $answer->body);
    }

    public function testLifecycleDeliveredInReverseOrderEndsCancelledWithTheNewUidAndTimes(): void
    {
        $old = 'e2e-old-' . bin2hex(random_bytes(6));
        $new = 'e2e-new-' . bin2hex(random_bytes(6));
        $t0 = time() - 3600;
        $firstStart = $t0 + 7 * 86400;
        $newStart = $t0 + 9 * 86400;
        $created = self::booking('BOOKING_CREATED', $old, $t0, $firstStart);
        $rescheduled = self::booking('BOOKING_RESCHEDULED', $new, $t0 + 60, $newStart, ['rescheduleUid' => $old]);
        $cancelled = self::booking('BOOKING_CANCELLED', $new, $t0 + 120, $newStart, ['status' => 'CANCELLED', 'cancellationReason' => 'Went with another installer']);
        foreach ([$cancelled, $rescheduled, $created] as $body) {
            $answer = self::post($body);
            self::assertSame(200, $answer->status, $answer->body);
        }
        $leads = self::leadsWithUid($new);
        self::assertCount(1, $leads);
        $id = $leads[0]->ID;
        self::assertSame('cancelled', get_post_meta($id, '_solar_booking_status', true));
        self::assertSame((string) $newStart, (string) get_post_meta($id, '_solar_booking_start', true));
        self::assertSame((string) ($newStart + 1800), (string) get_post_meta($id, '_solar_booking_end', true));
        self::assertSame('Went with another installer', get_post_meta($id, '_solar_cancellation_reason', true));
        self::assertCount(0, self::leadsWithUid($old), 'the old uid must not make a second lead');
    }

    public function testFiftyIdenticalDeliveriesAtOnceGiveOneLeadOverTenRounds(): void
    {
        global $wpdb;
        $rounds = (int) (getenv('E2E_CONCURRENCY_ROUNDS') ?: 10);
        for ($round = 1; $round <= $rounds; $round++) {
            $uid = "e2e-burst-$round-" . bin2hex(random_bytes(6));
            $body = self::booking('BOOKING_CREATED', $uid, time(), time() + 86400);
            $answers = Curl_Transport::postAtOnce(Curl_Transport::endpoint(), Signed_Delivery::of($body, self::SECRET), 50);
            $statuses = array_count_values(array_map(static fn (Http_Answer $a) => $a->status, $answers));
            self::assertSame([200 => 50], $statuses, "round $round");
            $duplicates = count(array_filter($answers, static fn (Http_Answer $a) => ($a->json()['duplicate'] ?? false) === true));
            self::assertSame(49, $duplicates, "round $round");

            self::assertCount(1, self::leadsWithUid($uid), "round $round: leads");
            $table = self::deliveries();
            $accepted = $wpdb->get_col($wpdb->prepare("SELECT id FROM $table WHERE booking_uid = %s AND event_key IS NOT NULL", $uid));
            self::assertCount(1, $accepted, "round $round: accepted deliveries");
            $dupRows = (int) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM $table WHERE duplicate_of = %d", $accepted[0]));
            self::assertSame(49, $dupRows, "round $round: duplicate rows");
            fwrite(STDERR, sprintf("concurrency round %d/%d: 50 sent, 1 lead, 1 accepted, %d duplicates\n", $round, $rounds, $dupRows));
        }
    }

    /**
     * Two events of one new booking at once (Cal.com sends CREATED and, for a paid or confirmed event,
     * PAID/REQUESTED moments apart), on different php-fpm workers: one lead, both events applied to it.
     */
    public function testTwoEventsOfOneNewBookingAtOnceMakeOneLead(): void
    {
        $rounds = (int) (getenv('E2E_CONCURRENCY_ROUNDS') ?: 10);
        for ($round = 1; $round <= $rounds; $round++) {
            $uid = "e2e-pair-$round-" . bin2hex(random_bytes(6));
            $now = time();
            $answers = Curl_Transport::postEachAtOnce(Curl_Transport::endpoint(), [
                Signed_Delivery::of(self::booking('BOOKING_CREATED', $uid, $now, $now + 86400), self::SECRET),
                Signed_Delivery::of(self::booking('BOOKING_REQUESTED', $uid, $now + 1, $now + 86400), self::SECRET),
            ]);
            self::assertSame([200, 200], array_map(static fn (Http_Answer $a) => $a->status, $answers), "round $round: " . $answers[0]->body . $answers[1]->body);
            $leads = self::leadsWithUid($uid);
            self::assertCount(1, $leads, "round $round: one lead");
            self::assertSame([$leads[0]->ID, $leads[0]->ID], array_map(static fn (Http_Answer $a) => $a->json()['lead_id'], $answers), "round $round: both events on it");
            self::assertSame(1, count(array_filter($answers, static fn (Http_Answer $a) => true === $a->json()['created'])), "round $round: created once");
            self::assertSame('requested', get_post_meta($leads[0]->ID, '_solar_booking_status', true), "round $round: the newer event's status");
        }
        fwrite(STDERR, sprintf("race of CREATED and REQUESTED of one new booking: %d rounds, 1 lead each\n", $rounds));
    }

    /** Deliveries of different bookings don't wait for each other, and each makes its own lead. */
    public function testFiftyDifferentBookingsAtOnceMakeFiftyLeads(): void
    {
        $tag = bin2hex(random_bytes(4));
        $deliveries = [];
        for ($i = 0; $i < 50; $i++) {
            $deliveries[] = Signed_Delivery::of(self::booking('BOOKING_CREATED', "e2e-many-$tag-$i", time(), time() + 86400 + $i * 3600), self::SECRET);
        }
        $answers = Curl_Transport::postEachAtOnce(Curl_Transport::endpoint(), $deliveries);
        self::assertSame([200 => 50], array_count_values(array_map(static fn (Http_Answer $a) => $a->status, $answers)));
        $leads = array_map(static fn (Http_Answer $a) => $a->json()['lead_id'], $answers);
        self::assertCount(50, array_unique($leads), 'fifty leads');
        for ($i = 0; $i < 50; $i++) {
            self::assertCount(1, self::leadsWithUid("e2e-many-$tag-$i"));
        }
        $ms = array_map(static fn (Http_Answer $a) => $a->milliseconds, $answers);
        sort($ms);
        fwrite(STDERR, sprintf("50 different bookings at once: all 200, 50 leads, p50 %.0f ms, p95 %.0f ms, max %.0f ms\n", $ms[24], $ms[47], $ms[49]));
    }

    /**
     * The site's form to the booking and back, over HTTP: the enquiry makes a lead, the booking made
     * through its link (by another e-mail) lands on it and keeps its contact details, and the same lead id
     * without its reference touches nothing.
     */
    public function testAnEnquiryThenItsBookingMakeOneBookedLead(): void
    {
        update_option('solar_capture_booking_link', 'sunny-solar/roof-survey');
        // Every suite posts from 127.0.0.1: this one must not meet the form's per-client limit.
        $limit = SC_TESTS_WP_DIR . '/wp-content/mu-plugins/solar-capture-e2e-limit.php';
        wp_mkdir_p(dirname($limit));
        self::assertTrue(copy(dirname(__DIR__) . '/support/mu-plugins/no-form-rate-limit.php', $limit));
        try {
            $this->enquiryThenBooking();
        } finally {
            unlink($limit);
        }
    }

    private function enquiryThenBooking(): void
    {
        $tag = bin2hex(random_bytes(4));
        $enquiry = curl_init(rest_url('solar-capture/v1/leads'));
        curl_setopt_array($enquiry, [CURLOPT_POST => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_HTTPHEADER => ['Content-Type: application/json'],
            CURLOPT_POSTFIELDS => (string) json_encode(['name' => 'Grace Hopper', 'email' => "grace.$tag@example.org", 'phone' => '+44 20 7946 0018'])]);
        $body = (string) curl_exec($enquiry);
        self::assertSame(201, curl_getinfo($enquiry, CURLINFO_RESPONSE_CODE), $body);
        $lead = json_decode($body, true);
        self::assertStringContainsString('metadata%5Blead_ref%5D=' . $lead['lead_ref'], $lead['booking_url']);

        $uid = "e2e-form-$tag";
        $booking = self::booking('BOOKING_CREATED', $uid, time(), time() + 86400, [
            'metadata' => ['lead_id' => (string) $lead['lead_id'], 'lead_ref' => $lead['lead_ref']],
            'attendees' => [['email' => "office.$tag@hopper.example", 'name' => 'G. Hopper (office)', 'timeZone' => 'Europe/London']],
        ]);
        $answer = self::post($booking);
        self::assertSame(200, $answer->status, $answer->body);
        self::assertSame($lead['lead_id'], $answer->json()['lead_id']);
        wp_cache_flush();
        self::assertSame(['booked', "grace.$tag@example.org", 'Grace Hopper'], [get_post_meta($lead['lead_id'], '_solar_booking_status', true), get_post_meta($lead['lead_id'], '_solar_email', true), get_post($lead['lead_id'])->post_title]);

        $unsigned = self::post(self::booking('BOOKING_CREATED', "$uid-x", time(), time() + 86400, ['metadata' => ['lead_id' => (string) $lead['lead_id']]]));
        self::assertSame(200, $unsigned->status);
        self::assertNotSame($lead['lead_id'], $unsigned->json()['lead_id'], 'without its reference the id is ignored');
        self::assertCount(1, self::leadsWithUid($uid));
    }

    /**
     * A lead e-mail goes out after Cal.com has its answer: with a mail server that takes 3 s, the webhook
     * is still answered at once (php-fpm's fastcgi_finish_request()), and the e-mail is sent afterwards.
     */
    public function testTheAnswerDoesNotWaitForTheLeadEmail(): void
    {
        $mu = SC_TESTS_WP_DIR . '/wp-content/mu-plugins/solar-capture-e2e-slow-mail.php';
        $sent = SC_TESTS_WP_DIR . '/wp-content/solar-capture-e2e-mail.json';
        wp_mkdir_p(dirname($mu));
        self::assertTrue(copy(dirname(__DIR__) . '/support/mu-plugins/slow-mail.php', $mu));
        @unlink($sent);
        update_option('solar_capture_notify_addresses', 'office@installer.example');
        try {
            $uid = 'e2e-mail-' . bin2hex(random_bytes(6));
            $answer = self::post(self::booking('BOOKING_CREATED', $uid, time(), time() + 86400));
            $answered = microtime(true);
            self::assertSame(200, $answer->status, $answer->body);
            self::assertFileDoesNotExist($sent, 'answered before the 3-second mail server had the e-mail');
            for ($i = 0; $i < 100 && !is_file($sent); ++$i) {
                usleep(100000);
            }
            $mail = json_decode((string) @file_get_contents($sent), true);
            self::assertIsArray($mail, 'the e-mail was sent after the answer');
            self::assertStringStartsWith('Survey booked:', $mail['subject']);
            self::assertGreaterThan($answered, $mail['at'], 'handed to the mail server after the answer arrived');
        } finally {
            delete_option('solar_capture_notify_addresses');
            unlink($mu);
            @unlink($sent);
        }
    }

    public function testAnonymousVisitorsCannotReadLeads(): void
    {
        $uid = 'e2e-private-' . bin2hex(random_bytes(6));
        self::assertSame(200, self::post(self::booking('BOOKING_CREATED', $uid, time(), time() + 86400))->status);
        $lead = self::leadsWithUid($uid)[0];
        $base = rtrim((string) getenv('SC_URL'), '/');

        [$status, $body] = self::get("$base/wp-json/wp/v2/solar_lead");
        self::assertContains($status, [401, 403, 404], $body);
        self::assertStringNotContainsString("ada.$uid@example.com", $body);

        [$status, $body] = self::get("$base/wp-json/wp/v2/solar_lead/{$lead->ID}");
        self::assertContains($status, [401, 403, 404], $body);

        [, $body] = self::get("$base/?post_type=solar_lead");
        self::assertStringNotContainsString("ada.$uid@example.com", $body);
        self::assertStringNotContainsString($uid, $body);

        [$status, $body] = self::get("$base/?p={$lead->ID}");
        self::assertStringNotContainsString('Ada Lovelace', $body);
        [$status, $body] = self::get((string) get_permalink($lead));
        self::assertStringNotContainsString('Ada Lovelace', $body);

        [, $body] = self::get("$base/wp-json/wp/v2/search?search=Lovelace");
        self::assertStringNotContainsString((string) $lead->ID, $body);
    }

    /**
     * Found on the landed main: plugin files had no direct-access guard, and a request for one ended in a
     * fatal error naming the install path. Every PHP file of the plugin, requested as a URL, answers
     * nothing at all (the engine's files only declare functions and classes, and only those the extension
     * does not).
     */
    public function testNoPluginFileDoesAnythingWhenRequestedDirectly(): void
    {
        $plugin = dirname(__DIR__, 2) . '/wp-plugin/solar-capture';
        $files = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($plugin, \FilesystemIterator::SKIP_DOTS | \FilesystemIterator::FOLLOW_SYMLINKS));
        $checked = 0;
        foreach ($files as $file) {
            // The IDE stubs are not shipped (scripts/package.sh leaves them out of the zip).
            if ('php' !== $file->getExtension() || 'solar_capture.stub.php' === $file->getFilename()) {
                continue;
            }
            $path = substr($file->getPathname(), strlen($plugin));
            $answer = Curl_Transport::get(rtrim((string) getenv('SC_URL'), '/') . '/wp-content/plugins/solar-capture' . $path);
            self::assertSame([200, ''], [$answer->status, $answer->body], $path);
            ++$checked;
        }
        self::assertGreaterThan(50, $checked);
    }
}
