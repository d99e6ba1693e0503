<?php
/**
 * Every answer of the route (contract section 3) and the delivery row each one leaves.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Webhook\Webhook_Controller;
use SolarCapture\Tests\Support\Rest_Transport;

final class WebhookAnswersTest extends TestCase
{
    private const EXPECTED = [
        '01_booking_created.json' => [200, 'accepted'],
        '02_booking_cancelled.json' => [200, 'accepted'],
        '03_booking_rescheduled.json' => [200, 'accepted'],
        '04_booking_requested.json' => [200, 'accepted'],
        '05_booking_rejected.json' => [200, 'accepted'],
        '06_booking_paid.json' => [200, 'accepted'],
        '07_booking_no_show_updated.json' => [200, 'unmatched'],
        '08_meeting_started.json' => [200, 'accepted'],
        '09_meeting_ended.json' => [200, 'accepted'],
        '10_form_submitted.json' => [200, 'ignored'],
        '11_ooo_created.json' => [200, 'ignored'],
        '12_recording_ready.json' => [200, 'ignored'],
        '13_after_hosts_cal_video_no_show.json' => [200, 'unmatched'],
        '14_form_submitted_no_event.json' => [200, 'ignored'],
        '15_ping_test.json' => [200, 'accepted'],
        'extra/17_custom_template_json_body_is_literal_false.json' => [422, 'solar_capture_custom_template'],
        'extra/18_custom_template_json.json' => [422, 'solar_capture_custom_template'],
        'extra/19_custom_template_nonjson.txt' => [422, 'solar_capture_custom_template'],
    ];

    public function testTheRouteIsRegisteredForPostOnly(): void
    {
        $routes = rest_get_server()->get_routes('solar-capture/v1');
        self::assertArrayHasKey(self::ROUTE, $routes);
        foreach ($routes[self::ROUTE] as $handler) {
            self::assertSame(['POST' => true], $handler['methods']);
            self::assertSame('__return_true', $handler['permission_callback']);
        }
        $get = rest_do_request(new \WP_REST_Request('GET', self::ROUTE));
        self::assertSame(404, $get->get_status());
    }

    public function testEveryCorpusBodyWithItsManifestHeadersGetsItsExpectedAnswer(): void
    {
        $manifest = self::manifest();
        self::assertCount(count(self::EXPECTED), $manifest['entries']);
        foreach ($manifest['entries'] as $entry) {
            [$status, $expected] = self::EXPECTED[$entry['file']];
            $response = $this->deliver(self::fixture($entry['file']), null, $entry['headers'], $entry['headers']['Content-Type']);
            if (200 === $status) {
                self::assertResult($response, $expected);
            } else {
                self::assertError($response, $status, $expected);
            }
            $row = $this->lastDelivery();
            self::assertSame($status, (int) $row->http_status, $entry['file']);
            self::assertSame(Secrets::SLOT_CURRENT, (int) $row->secret_slot, $entry['file']);
        }
    }

    public function testPingAnswersConnectionWorksAndIsRecordedAsAccepted(): void
    {
        $data = self::assertResult($this->deliver(self::fixture('15_ping_test.json')), Delivery_Store::ACCEPTED);
        self::assertStringContainsString('Connection works', $data['message']);
        self::assertSame('PING', $data['trigger']);
        self::assertNull($data['lead_id']);

        $row = $this->delivery($data['delivery_id']);
        self::assertSame('accepted', $row->result);
        self::assertSame(Reason::PING, $row->reason_code);
        self::assertSame('webhook', $row->source);
        self::assertSame('PING', $row->trigger_event);
        self::assertSame(hash('sha256', self::fixture('15_ping_test.json')), $row->event_key);
        self::assertSame([], self::leadIds());
        self::assertSame((int) $row->id, (int) $this->plugin->deliveries->latest(Delivery_Store::ACCEPTED, 'PING')->id);
    }

    /** @return iterable<string, array{string}> */
    public static function ignoredBodies(): iterable
    {
        yield 'FORM_SUBMITTED' => [self::fixture('10_form_submitted.json')];
        yield 'OOO_CREATED' => [self::fixture('11_ooo_created.json')];
        yield 'RECORDING_READY' => [self::fixture('12_recording_ready.json')];
        yield 'FORM_SUBMITTED_NO_EVENT' => [self::fixture('14_form_submitted_no_event.json')];
        yield 'unknown trigger' => [self::booking('BOOKING_SOMETHING_NEW', '2025-03-01T10:00:00Z')];
    }

    /** @dataProvider ignoredBodies */
    public function testTriggersWithoutLeadEffectAreRecordedAsIgnored(string $body): void
    {
        $data = self::assertResult($this->deliver($body), Delivery_Store::IGNORED);
        $row = $this->delivery($data['delivery_id']);
        self::assertSame('ignored', $row->result);
        self::assertNotNull($row->event_key, 'an ignored delivery still claims its key: a retry is a duplicate');
        self::assertNull($row->body);
        self::assertSame([], self::leadIds());
    }

    public function testARepeatedDeliveryIsADuplicateThatPointsAtTheOriginal(): void
    {
        $body = self::fixture('01_booking_created.json');
        $first = self::assertResult($this->deliver($body), Delivery_Store::ACCEPTED);
        $second = self::assertResult($this->deliver($body), Delivery_Store::DUPLICATE);

        self::assertTrue($second['duplicate']);
        self::assertFalse($first['duplicate']);
        self::assertSame($first['delivery_id'], $second['duplicate_of']);

        $original = $this->delivery($first['delivery_id']);
        $duplicate = $this->delivery($second['delivery_id']);
        self::assertSame('b44741d0452753977b3b0dcc94814bdb3ce604c7e86b5f1d5e114f6e3773a05a', $original->event_key);
        self::assertNull($duplicate->event_key);
        self::assertSame((int) $original->id, (int) $duplicate->duplicate_of);
        self::assertSame('duplicate', $duplicate->result);
        self::assertNull($duplicate->body);
        self::assertSame(1, $this->rowsWithKey($original->event_key));

        self::assertCount(1, self::leadIds());
        self::assertCount(1, $this->timeline(self::leadIds()[0]));
    }

    public function testTheSameEventWithADifferentBodyIsStillADuplicate(): void
    {
        // Dedupe is on (trigger, uid, createdAt), not on the bytes: a resend with reordered fields repeats.
        $body = self::booking('BOOKING_CREATED', '2025-03-01T10:00:00.000Z');
        self::assertResult($this->deliver($body), Delivery_Store::ACCEPTED);
        $reencoded = (string) json_encode(json_decode($body), JSON_PRETTY_PRINT);
        self::assertNotSame($body, $reencoded);
        self::assertResult($this->deliver($reencoded), Delivery_Store::DUPLICATE);
    }

    public function testAPingRepeatedIsADuplicateToo(): void
    {
        self::assertResult($this->deliver(self::fixture('15_ping_test.json')), Delivery_Store::ACCEPTED);
        self::assertResult($this->deliver(self::fixture('15_ping_test.json')), Delivery_Store::DUPLICATE);
    }

    public function testNoSecretConfiguredAnswers503NamingWhereToSetIt(): void
    {
        update_option(Secrets::OPTION, '');
        $response = $this->deliver(self::fixture('01_booking_created.json'));
        self::assertError($response, 503, 'solar_capture_no_secret');
        $message = $response->get_data()['message'];
        self::assertStringContainsString('Solar leads > Settings > Integrations', $message);
        self::assertStringContainsString('SOLAR_CAPTURE_CALCOM_SECRET', $message);

        $row = $this->lastDelivery();
        self::assertSame(['rejected', 503], [$row->result, (int) $row->http_status]);
        self::assertNull($row->body);
        self::assertSame([], self::leadIds());
    }

    /** @return iterable<string, array{?string, string}> */
    public static function badSignatures(): iterable
    {
        $body = self::fixture('01_booking_created.json');
        $good = hash_hmac('sha256', $body, self::SECRET);
        yield 'missing' => [null, 'solar_capture_signature_missing'];
        yield 'empty' => ['', 'solar_capture_signature_missing'];
        yield 'only spaces' => [" \t ", 'solar_capture_signature_missing'];
        yield 'no-secret-provided' => ['no-secret-provided', 'solar_capture_no_secret_provided'];
        yield 'too short' => [substr($good, 0, 63), 'solar_capture_signature_malformed'];
        yield 'too long' => [$good . 'a', 'solar_capture_signature_malformed'];
        yield 'not hex' => [str_repeat('g', 64), 'solar_capture_signature_malformed'];
        yield 'inner space' => [substr($good, 0, 32) . ' ' . substr($good, 32), 'solar_capture_signature_malformed'];
        yield 'wrong secret' => [hash_hmac('sha256', $body, 'another-secret'), 'solar_capture_invalid_signature'];
        yield 'other body' => [hash_hmac('sha256', $body . ' ', self::SECRET), 'solar_capture_invalid_signature'];
    }

    /** @dataProvider badSignatures */
    public function testABadSignatureIs401AndLeavesARejectedRowWithoutBody(?string $header, string $code): void
    {
        $body = self::fixture('01_booking_created.json');
        $headers = null === $header ? [] : ['X-Cal-Signature-256' => $header];
        self::assertError($this->deliver($body, null, $headers), 401, $code);

        $row = $this->lastDelivery();
        self::assertSame('rejected', $row->result);
        self::assertSame(401, (int) $row->http_status);
        self::assertSame($code, 'solar_capture_' . $row->reason_code, 'the stored code is the answer\'s');
        self::assertNull($row->body);
        self::assertNull($row->event_key);
        self::assertNull($row->secret_slot);
        self::assertSame([], self::leadIds());
    }

    public function testSignatureHeaderVariantsCalComAndOthersSendAreAccepted(): void
    {
        $body = self::fixture('01_booking_created.json');
        $hex = hash_hmac('sha256', $body, self::SECRET);
        self::assertResult($this->deliver($body, null, ['X-Cal-Signature-256' => " SHA256=" . strtoupper($hex) . "\t"]), Delivery_Store::ACCEPTED);
        self::assertResult($this->deliver($body, null, ['X-Cal-Signature-256' => 'sha256=' . $hex]), Delivery_Store::DUPLICATE);
    }

    public function testANonJsonBodySentAsJsonGetsThePluginsAnswerNotCores(): void
    {
        // WordPress core would answer 400 rest_invalid_json before any permission callback.
        $response = $this->deliver('{"triggerEvent":"BOOKING_CREATED",', self::SECRET, [], 'application/json');
        self::assertError($response, 400, 'solar_capture_not_json');
        $row = $this->lastDelivery();
        self::assertSame(['rejected', 400], [$row->result, (int) $row->http_status]);
        self::assertSame(Reason::NOT_JSON, $row->reason_code);
        self::assertNotSame('', $row->reason, 'what the engine said is kept');
        self::assertNull($row->body);

        // The signature still comes first: an unsigned non-JSON body is a 401, not a 400.
        self::assertError($this->deliver('not json at all', null), 401, 'solar_capture_signature_missing');
    }

    public function testInvalidUtf8IsNotJson(): void
    {
        self::assertError($this->deliver("{\"triggerEvent\":\"PING\xff\",\"createdAt\":\"2025-01-01T00:00:00Z\"}"), 400, 'solar_capture_not_json');
    }

    /** @return iterable<string, array{string}> */
    public static function notAnEvent(): iterable
    {
        yield 'array root' => ['[]'];
        yield 'empty trigger' => ['{"triggerEvent":"","createdAt":"2025-01-01T00:00:00Z"}'];
        yield 'no createdAt' => ['{"triggerEvent":"BOOKING_CREATED","payload":{}}'];
        yield 'bad time' => ['{"triggerEvent":"BOOKING_CREATED","createdAt":"2025-02-30T00:00:00Z","payload":{}}'];
        yield 'payload not an object' => ['{"triggerEvent":"BOOKING_CREATED","createdAt":"2025-01-01T00:00:00Z","payload":[1]}'];
        yield 'uid of the wrong type' => ['{"triggerEvent":"BOOKING_CREATED","createdAt":"2025-01-01T00:00:00Z","payload":{"uid":5}}'];
    }

    /** @dataProvider notAnEvent */
    public function testJsonThatIsNotAnEventIs400(string $body): void
    {
        $response = $this->deliver($body);
        self::assertError($response, 400, 'solar_capture_not_an_event');
        self::assertSame([], self::leadIds());
        self::assertSame(Reason::NOT_AN_EVENT, $this->lastDelivery()->reason_code);
    }

    public function testACustomTemplateBodyIs422AndTellsToClearTheCustomPayloadField(): void
    {
        foreach (['extra/17_custom_template_json_body_is_literal_false.json', 'extra/18_custom_template_json.json', 'extra/19_custom_template_nonjson.txt'] as $file) {
            $response = $this->deliver(self::fixture($file), self::SECRET, [], str_ends_with($file, '.txt') ? 'application/x-www-form-urlencoded' : 'application/json');
            self::assertError($response, 422, 'solar_capture_custom_template');
            self::assertStringContainsString('Custom Payload', $response->get_data()['message']);
            $row = $this->lastDelivery();
            self::assertSame(['rejected', 422], [$row->result, (int) $row->http_status]);
            self::assertSame(Reason::CUSTOM_TEMPLATE, $row->reason_code);
        }
        // An unsigned custom template is refused for its signature first.
        self::assertError($this->deliver('false', 'wrong'), 401, 'solar_capture_invalid_signature');
    }

    public function testTheBodyCapIs1MiBByDefaultAndCheckedBeforeAnyHashing(): void
    {
        self::assertSame(1048576, $this->plugin->controller->max_body_bytes());

        // Exactly at the cap: processed (JSON allows trailing whitespace).
        $body = self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z');
        $at_cap = $body . str_repeat(' ', 1048576 - strlen($body));
        self::assertSame(1048576, strlen($at_cap));
        self::assertResult($this->deliver($at_cap), Delivery_Store::ACCEPTED);

        // One byte over: 413, even unsigned and with no secret configured (nothing else was looked at).
        update_option(Secrets::OPTION, '');
        $response = $this->deliver($at_cap . ' ', null);
        self::assertError($response, 413, 'solar_capture_body_too_large');
        self::assertStringContainsString('solar_capture_max_body_bytes', $response->get_data()['message']);
        $row = $this->lastDelivery();
        self::assertSame(['rejected', 413], [$row->result, (int) $row->http_status]);
        self::assertNull($row->body_sha256, 'no hash of an oversized body');
        self::assertNull($row->body);
    }

    /** Found on the landed main: the cap ran after WordPress had decoded a JSON body (memory for megabytes). */
    public function testAnOversizedJsonBodyIsRefusedBeforeWordPressDecodesIt(): void
    {
        $request = new \WP_REST_Request('POST', Rest_Transport::ROUTE);
        $request->set_header('Content-Type', 'application/json');
        $request->set_body((string) json_encode(['triggerEvent' => 'BOOKING_CREATED', 'pad' => array_fill(0, 150_000, 'xxxxxx')]));
        self::assertGreaterThan(1048576, strlen($request->get_body()));

        self::assertError(rest_do_request($request), 413, 'solar_capture_body_too_large');
        self::assertFalse((new \ReflectionProperty(\WP_REST_Request::class, 'parsed_json'))->getValue($request), 'WordPress never decoded it');
    }

    public function testTheBodyCapIsFilterable(): void
    {
        $this->hook('solar_capture_max_body_bytes', static fn (): int => 100);
        $body = self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z');
        self::assertError($this->deliver($body), 413, 'solar_capture_body_too_large');

        $verified = 0;
        $this->hook('pre_option_' . Secrets::OPTION, static function ($value) use (&$verified) {
            ++$verified;
            return $value;
        });
        self::assertError($this->deliver(str_repeat('x', 101)), 413, 'solar_capture_body_too_large');
        self::assertSame(0, $verified, 'the secret is not even read for an oversized body');
        self::assertSame(Webhook_Controller::DEFAULT_MAX_BODY_BYTES, 1048576);
    }

    public function testAcceptedDeliveriesKeepTheirBodyByteForByte(): void
    {
        $body = self::fixture('11_ooo_created.json'); // Unicode names: stored as sent.
        $lead_body = self::fixture('01_booking_created.json');
        self::assertResult($this->deliver($body), Delivery_Store::IGNORED);
        $data = self::assertResult($this->deliver($lead_body), Delivery_Store::ACCEPTED);
        $row = $this->delivery($data['delivery_id']);
        self::assertSame($lead_body, $row->body);
        self::assertSame(hash('sha256', $lead_body), $row->body_sha256);
        self::assertSame($this->plugin->engine->label(), $row->engine);
        self::assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/', $row->received_at);
    }
}
