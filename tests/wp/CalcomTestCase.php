<?php
/**
 * Base of the Cal.com API tests: the plugin talks to the stateful fake of Cal.com's API v2
 * (tests/support/fake-calcom/server.php, a real HTTP server on loopback), reset before each test, with
 * its key saved. The site's own endpoint (the test delivery after Connect) is answered in process, so
 * it sees this test's uncommitted settings.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Reconciler;

abstract class CalcomTestCase extends TestCase
{
    protected \Fake_Calcom $fake;

    /** @var list<string> Every URL the plugin requested. */
    protected array $requested = [];

    protected function setUp(): void
    {
        parent::setUp();
        $this->fake = \Fake_Calcom::instance();
        $this->fake->reset();
        update_option(Api_Settings::BASE_OPTION, $this->fake->url);
        update_option(Api_Settings::KEY_OPTION, \Fake_Calcom::KEY);
        foreach ([Api_Settings::CONNECTION_OPTION, Reconciler::STATE_OPTION, Reconciler::LAST_RUN_OPTION, Reconciler::LOCK_OPTION] as $option) {
            delete_option($option);
        }
        $this->hook('pre_http_request', function ($pre, $args, $url) {
            $this->requested[] = (string) $url;
            if (!str_starts_with((string) $url, rest_url())) {
                return $pre; // Cal.com: the fake, over HTTP.
            }
            $request = new \WP_REST_Request((string) ($args['method'] ?? 'GET'), '/' . ltrim(substr((string) $url, strlen(rest_url())), '/'));
            foreach ((array) ($args['headers'] ?? []) as $name => $value) {
                $request->set_header($name, $value);
            }
            $request->set_body((string) ($args['body'] ?? ''));
            $response = rest_get_server()->dispatch($request);
            return ['headers' => [], 'body' => (string) wp_json_encode(rest_get_server()->response_to_data($response, false)),
                'response' => ['code' => $response->get_status(), 'message' => ''], 'cookies' => [], 'filename' => null];
        }, 10, 3);
    }

    /**
     * A booking as GET /v2/bookings returns it (BookingOutput_2024_08_13), times relative to now.
     *
     * @param array<string, mixed> $fields Replace the defaults (null removes one).
     * @return array<string, mixed>
     */
    protected static function apiBooking(array $fields = []): array
    {
        $changed = gmdate('Y-m-d\TH:i:s.000\Z', time() - 300);
        $booking = array_merge([
            'id' => 501,
            'uid' => 'uid-ana-1',
            'title' => 'Solar survey between Sun Installers and Ana Müller',
            'status' => 'accepted',
            'start' => '2027-03-10T09:00:00.000Z',
            'end' => '2027-03-10T09:30:00.000Z',
            'duration' => 30,
            'eventType' => ['id' => 7, 'slug' => 'solar-survey'],
            'hosts' => [['id' => 1, 'name' => 'Sun Installers', 'email' => 'sales@sun.example', 'username' => 'sun', 'timeZone' => 'Europe/Berlin']],
            'attendees' => [['name' => 'Ana Müller', 'email' => 'Ana.Mueller@Example.COM', 'timeZone' => 'Europe/Berlin', 'language' => 'de', 'absent' => false, 'phoneNumber' => '+49 30 1234567']],
            'guests' => [],
            'location' => 'https://cal.com/video/uid-ana-1',
            'metadata' => new \stdClass(),
            'bookingFieldsResponses' => ['name' => 'Ana Müller', 'email' => 'Ana.Mueller@Example.COM', 'roof' => 'Tiles'],
            'createdAt' => $changed,
            'updatedAt' => $changed,
        ], $fields);
        return array_filter($booking, static fn ($value) => null !== $value);
    }

    /** @return list<array<string, mixed>> The fake's request log, Cal.com API calls only. */
    protected function apiCalls(): array
    {
        return $this->fake->log();
    }

    /** "GET /v2/me", ... for each API call. */
    protected function apiCallLines(): array
    {
        return array_map(static fn (array $call): string => $call['method'] . ' ' . $call['path'], $this->apiCalls());
    }
}
