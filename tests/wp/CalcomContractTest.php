<?php
/**
 * Every request the plugin's Cal.com API client sends, checked against Cal.com's OpenAPI document by
 * Stoplight Prism (scripts/prism.sh; SC_PRISM_URL): Prism answers 422 to a request the document does not
 * allow (a missing header, a wrong cal-api-version, an unknown enum value, a body of the wrong shape), and
 * such an answer fails the test with Prism's reasons. Prism holds no state, so the flows run as far as its
 * example answers take them; the sequences are the stateful fake's (CalcomConnectTest, ReconcileTest).
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Calcom\Api_Error;
use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Connection;

final class CalcomContractTest extends CalcomTestCase
{
    private string $prism = '';

    /** @var list<array{operation: string, status: int, body: string}> Prism's answers, in order. */
    private array $answers = [];

    protected function setUp(): void
    {
        parent::setUp();
        $this->prism = rtrim((string) getenv('SC_PRISM_URL'), '/');
        if ('' === $this->prism) {
            self::fail('SC_PRISM_URL is not set: start Prism first with eval "$(bash scripts/prism.sh start)" (scripts/test.sh does).');
        }
        update_option(Api_Settings::BASE_OPTION, $this->prism);
        update_option(Api_Settings::KEY_OPTION, 'cal_live_0123456789abcdef0123456789abcdef');
        $this->hook('http_api_debug', function ($response, $context, $class, $args, $url): void {
            if (!str_starts_with((string) $url, $this->prism . '/')) {
                return;
            }
            $path = (string) wp_parse_url((string) $url, PHP_URL_PATH);
            $path = (string) preg_replace(['#^/v2/webhooks/[^/]+$#', '#^/v2/bookings/[^/]+$#'], ['/v2/webhooks/{webhookId}', '/v2/bookings/{bookingUid}'], $path);
            $this->answers[] = [
                'operation' => strtoupper((string) ($args['method'] ?? 'GET')) . ' ' . $path,
                'status' => is_wp_error($response) ? 0 : (int) wp_remote_retrieve_response_code($response),
                'body' => is_wp_error($response) ? $response->get_error_message() : (string) wp_remote_retrieve_body($response),
            ];
        }, 10, 5);
    }

    public function testConnectReadsTheUserEventTypesAndWebhooksAndCreatesOneAsTheDocumentSays(): void
    {
        $result = $this->plugin->connection->connect('cal_live_0123456789abcdef0123456789abcdef');
        self::assertTrue($result['ok'], $result['message'] . ' / ' . implode(' / ', $result['steps']));
        self::assertNotEmpty($this->plugin->api_settings->connection()['event_types'], 'the example event type was read');
        $this->assertPrismAccepted(['GET /v2/me', 'GET /v2/event-types', 'GET /v2/webhooks', 'POST /v2/webhooks']);

        $gone = $this->plugin->connection->disconnect();
        self::assertTrue($gone['ok'], $gone['message']);
        $this->assertPrismAccepted(['GET /v2/me', 'GET /v2/event-types', 'GET /v2/webhooks', 'POST /v2/webhooks', 'DELETE /v2/webhooks/{webhookId}']);
    }

    public function testTheClientsOtherRequestsPatchPagesAndOneBooking(): void
    {
        $api = $this->plugin->api;
        $api->webhooks(250);
        $api->update_webhook('4a1b2c3d-5e6f-4a8b-9c0d-1e2f3a4b5c6d', [
            'active' => true,
            'subscriberUrl' => rest_url('solar-capture/v1/calcom-webhook'),
            'triggers' => Connection::TRIGGERS,
            'secret' => str_repeat('s', 48),
            'version' => Connection::PAYLOAD_VERSION,
        ]);
        self::assertNotSame('', (string) ($api->booking('bk-uid-1')['uid'] ?? ''), 'the example booking came back');
        $this->assertPrismAccepted(['GET /v2/webhooks', 'PATCH /v2/webhooks/{webhookId}', 'GET /v2/bookings/{bookingUid}']);
    }

    public function testAReconciliationPassPagesBookingsByUpdateAndCreationTime(): void
    {
        // Prism's example page always says there is a next one: the page cap ends each phase.
        $this->hook('solar_capture_reconcile_max_pages', static fn (): int => 2);
        $first = $this->plugin->reconciler->run();
        self::assertSame('partial', $first['status'], $first['message']);
        $second = $this->plugin->reconciler->run();
        self::assertSame('partial', $second['status'], $second['message']);
        // The example booking was cancelled by a reschedule: its replacement is read by uid (the
        // example again, so the chain goes as deep as the reconciler follows one).
        $this->assertPrismAccepted(['GET /v2/bookings', 'GET /v2/bookings/{bookingUid}'], true);
        self::assertCount(4, array_keys(array_column($this->answers, 'operation'), 'GET /v2/bookings'), 'two pages in each pass');
        self::assertGreaterThan(0, $first['seen'], 'the example booking was read');
    }

    public function testPrismRefusesARequestTheDocumentDoesNotAllow(): void
    {
        // The check itself: a booking list without its cal-api-version is not in the document.
        try {
            $this->plugin->api->request('GET', '/v2/bookings', ['take' => 10]);
            self::fail('Prism accepted a booking list without cal-api-version');
        } catch (Api_Error $e) {
            self::assertSame(422, $e->status);
        }
        self::assertSame(422, end($this->answers)['status']);
        self::assertStringContainsString('cal-api-version', end($this->answers)['body']);
    }

    /**
     * Every request reached Prism and none was refused, and these operations were sent, in this order.
     *
     * @param list<string> $operations "METHOD /path/{param}".
     * @param bool         $distinct   Compare the distinct operations, in order of first use.
     */
    private function assertPrismAccepted(array $operations, bool $distinct = false): void
    {
        foreach ($this->answers as $answer) {
            self::assertNotSame(0, $answer['status'], $answer['operation'] . ' did not reach Prism: ' . $answer['body']);
            if (422 === $answer['status']) {
                $reasons = array_map(
                    static fn (array $problem): string => implode('.', (array) ($problem['location'] ?? [])) . ': ' . ($problem['message'] ?? ''),
                    (array) (json_decode($answer['body'], true)['validation'] ?? [])
                );
                self::fail($answer['operation'] . ' breaks Cal.com\'s OpenAPI document: ' . implode('; ', $reasons));
            }
        }
        $sent = array_column($this->answers, 'operation');
        self::assertSame($operations, $distinct ? array_values(array_unique($sent)) : $sent);
    }
}
