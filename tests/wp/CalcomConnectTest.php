<?php
/**
 * The API client and one-click Connect against the stateful fake of Cal.com's API v2: find or create the
 * webhook, patch it, survive a 409 race, rotate the secret without refusing a delivery, refuse what
 * hosted Cal.com would refuse before trying, disconnect; typed errors that never show the key.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Calcom\Api_Error;
use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Connection;
use SolarCapture\Plugin\Webhook\Secrets;

final class CalcomConnectTest extends CalcomTestCase
{
    public function testConnectCreatesOneWebhookWithANewSecretAndTheOldOneStaysAccepted(): void
    {
        $result = $this->plugin->connection->connect(\Fake_Calcom::KEY);
        self::assertTrue($result['ok'], $result['message']);
        self::assertTrue($result['changed']);

        $webhooks = $this->fake->state()['webhooks'];
        self::assertCount(1, $webhooks);
        $hook = $webhooks[0];
        self::assertSame(rest_url('solar-capture/v1/calcom-webhook'), $hook['subscriberUrl']);
        self::assertTrue($hook['active']);
        self::assertSame(Connection::TRIGGERS, $hook['triggers']);
        self::assertNull($hook['payloadTemplate']);

        $secrets = $this->plugin->secrets;
        self::assertSame($hook['secret'], $secrets->current(), 'Cal.com signs with the secret saved here');
        self::assertGreaterThanOrEqual(Secrets::MIN_LENGTH, strlen($secrets->current()));
        self::assertSame(self::SECRET, $secrets->previous(), 'the replaced secret stays accepted while rotating');

        // The test delivery went to the site's endpoint, signed with the new secret, and verified.
        self::assertTrue($result['test']['ok'], (string) $result['test']['message']);
        self::assertSame(['GET /v2/me', 'GET /v2/event-types', 'GET /v2/webhooks', 'POST /v2/webhooks'], $this->apiCallLines());

        $connection = $this->plugin->api_settings->connection();
        self::assertSame($hook['id'], $connection['webhook_id']);
        self::assertSame('sunny', $connection['user']['username']);
        self::assertSame(['solar-survey', 'roof-check'], array_column($connection['event_types'], 'slug'));
        self::assertSame('https://cal.com/sunny/solar-survey', $connection['event_types'][0]['booking_url']);
        self::assertSame('sunny/roof-check', $connection['event_types'][1]['booking_url'], 'an empty bookingUrl falls back to username/slug');
    }

    public function testConnectingAgainChangesNothing(): void
    {
        self::assertTrue($this->plugin->connection->connect(\Fake_Calcom::KEY)['ok']);
        $secret = $this->plugin->secrets->current();
        $this->fake->reset(['webhooks' => $this->fake->state()['webhooks']]);

        $again = $this->plugin->connection->connect(null);
        self::assertTrue($again['ok'], $again['message']);
        self::assertFalse($again['changed']);
        self::assertCount(1, $this->fake->state()['webhooks']);
        self::assertSame($secret, $this->plugin->secrets->current(), 'no new secret when nothing needs changing');
        self::assertSame(['GET /v2/me', 'GET /v2/event-types', 'GET /v2/webhooks'], $this->apiCallLines(), 'no PATCH, no POST');
    }

    public function testAWebhookMadeByHandIsUpdatedNotDuplicated(): void
    {
        $url = rest_url('solar-capture/v1/calcom-webhook');
        $this->fake->reset(['webhooks' => [
            ['id' => 'by-hand', 'userId' => 11, 'subscriberUrl' => $url, 'active' => false, 'triggers' => ['BOOKING_CREATED'], 'payloadTemplate' => null, 'secret' => self::SECRET],
        ]]);
        $result = $this->plugin->connection->connect(null);
        self::assertTrue($result['ok'], $result['message']);
        $webhooks = $this->fake->state()['webhooks'];
        self::assertCount(1, $webhooks);
        self::assertSame(['by-hand', true, Connection::TRIGGERS], [$webhooks[0]['id'], $webhooks[0]['active'], $webhooks[0]['triggers']]);
        self::assertSame($webhooks[0]['secret'], $this->plugin->secrets->current());
        self::assertContains('PATCH /v2/webhooks/by-hand', $this->apiCallLines());
    }

    public function testOurWebhookIsFoundOnALaterPage(): void
    {
        $url = rest_url('solar-capture/v1/calcom-webhook');
        $others = [];
        for ($i = 0; $i < 260; ++$i) {
            $others[] = ['id' => "other-$i", 'userId' => 11, 'subscriberUrl' => "https://crm$i.example/hook", 'active' => true, 'triggers' => ['BOOKING_CREATED'], 'payloadTemplate' => null, 'secret' => null];
        }
        $others[] = ['id' => 'ours', 'userId' => 11, 'subscriberUrl' => $url, 'active' => true, 'triggers' => ['BOOKING_CREATED'], 'payloadTemplate' => null, 'secret' => null];
        $this->fake->reset(['webhooks' => $others]);

        self::assertTrue($this->plugin->connection->connect(null)['ok']);
        self::assertCount(261, $this->fake->state()['webhooks']);
        $lists = array_values(array_filter($this->apiCalls(), static fn (array $call): bool => 'GET' === $call['method'] && '/v2/webhooks' === $call['path']));
        self::assertSame([['take' => '250', 'skip' => '0'], ['take' => '250', 'skip' => '250']], array_column($lists, 'query'));
        self::assertContains('PATCH /v2/webhooks/ours', $this->apiCallLines());
    }

    public function testA409RaceListsAgainAndPatches(): void
    {
        $this->fake->reset(['faults' => [['method' => 'POST', 'path' => '/v2/webhooks', 'status' => 409, 'race' => true]]]);
        $result = $this->plugin->connection->connect(null);
        self::assertTrue($result['ok'], $result['message']);
        $webhooks = $this->fake->state()['webhooks'];
        self::assertCount(1, $webhooks, 'one webhook, the one made meanwhile');
        self::assertSame($this->plugin->secrets->current(), $webhooks[0]['secret'], 'patched with our secret');
        self::assertSame(['GET /v2/me', 'GET /v2/event-types', 'GET /v2/webhooks', 'POST /v2/webhooks', 'GET /v2/webhooks', 'PATCH /v2/webhooks/' . $webhooks[0]['id']], $this->apiCallLines());
    }

    public function testACustomPayloadTemplateIsReplacedByACleanWebhook(): void
    {
        $url = rest_url('solar-capture/v1/calcom-webhook');
        $this->fake->reset(['webhooks' => [
            ['id' => 'templated', 'userId' => 11, 'subscriberUrl' => $url, 'active' => true, 'triggers' => Connection::TRIGGERS, 'payloadTemplate' => '{"who":"{{attendee.name}}"}', 'secret' => self::SECRET],
        ]]);
        $result = $this->plugin->connection->connect(null);
        self::assertTrue($result['ok'], $result['message']);
        $webhooks = $this->fake->state()['webhooks'];
        self::assertCount(1, $webhooks);
        self::assertNotSame('templated', $webhooks[0]['id']);
        self::assertNull($webhooks[0]['payloadTemplate']);
        self::assertStringContainsString('custom payload template', implode(' ', $result['steps']));
    }

    public function testARefusedKeyIsNotSavedAndTheMessageNamesTheFix(): void
    {
        $result = $this->plugin->connection->connect('cal_live_wrongwrongwrong1234');
        self::assertFalse($result['ok']);
        self::assertStringContainsString('Cal.com does not accept the API key', $result['message']);
        self::assertStringContainsString('Settings > Developer > API keys', $result['message']);
        self::assertStringNotContainsString('wrongwrong', $result['message'], 'the key is never shown');
        self::assertSame(\Fake_Calcom::KEY, $this->plugin->api_settings->key(), 'the previous key stays');
        self::assertSame([], $this->fake->state()['webhooks']);
    }

    public function testCalcomFailingMidwayLeavesTheSecretsAsTheyWere(): void
    {
        $this->fake->reset(['faults' => [['method' => 'POST', 'path' => '/v2/webhooks', 'status' => 500]]]);
        $result = $this->plugin->connection->connect(null);
        self::assertFalse($result['ok']);
        self::assertStringContainsString('Cal.com had an internal error', $result['message']);
        self::assertSame(self::SECRET, $this->plugin->secrets->current(), 'Cal.com still signs with the old secret');
        self::assertSame('', $this->plugin->secrets->previous());
        self::assertNotNull($this->plugin->api_settings->connection()['webhook_error']);
    }

    public function testHostedCalcomRefusalsAreNamedBeforeTrying(): void
    {
        foreach ([
            'http://localhost:8080/wp-json/x' => 'local or private',
            'https://127.0.0.1/wp-json/x' => 'local or private',
            'https://10.1.2.3/wp-json/x' => 'local or private',
            'https://192.168.0.20/wp-json/x' => 'local or private',
            'https://172.20.0.5/wp-json/x' => 'local or private',
            'https://100.100.1.1/wp-json/x' => 'local or private',
            'https://169.254.169.254/wp-json/x' => 'local or private',
            'https://[::1]/wp-json/x' => 'local or private',
            'https://shop.localhost/wp-json/x' => 'local or private',
            'http://solar.example.com/wp-json/x' => 'https://',
        ] as $url => $expected) {
            self::assertStringContainsString($expected, (string) Connection::hosted_refusal($url), $url);
        }
        self::assertNull(Connection::hosted_refusal('https://solar.example.com/wp-json/solar-capture/v1/calcom-webhook'));
        self::assertNull(Connection::hosted_refusal('https://8.8.8.8/wp-json/x'));

        // Against cal.com itself (answered here, no network): the key is kept, no webhook call is made.
        delete_option(Api_Settings::BASE_OPTION);
        self::assertTrue($this->plugin->api_settings->is_hosted());
        $calls = [];
        $this->hook('pre_http_request', static function ($pre, $args, $url) use (&$calls) {
            $calls[] = $args['method'] . ' ' . parse_url((string) $url, PHP_URL_PATH);
            $data = str_contains((string) $url, '/v2/me') ? ['id' => 11, 'username' => 'sunny', 'email' => 's@sunny.example'] : [];
            return ['headers' => [], 'body' => json_encode(['status' => 'success', 'data' => $data]), 'response' => ['code' => 200, 'message' => 'OK'], 'cookies' => [], 'filename' => null];
        }, 5, 3);
        $result = $this->plugin->connection->connect(null);
        self::assertFalse($result['ok']);
        self::assertStringContainsString('The API key is saved', $result['message']);
        self::assertSame(['GET /v2/me', 'GET /v2/event-types'], $calls);
    }

    public function testDisconnectDeletesTheWebhookAndForgetsTheKey(): void
    {
        self::assertTrue($this->plugin->connection->connect(null)['ok']);
        self::assertCount(1, $this->fake->state()['webhooks']);
        $result = $this->plugin->connection->disconnect();
        self::assertTrue($result['ok'], $result['message']);
        self::assertSame([], $this->fake->state()['webhooks']);
        self::assertSame('', $this->plugin->api_settings->key());
        self::assertSame([], $this->plugin->api_settings->connection());
        self::assertNotSame('', $this->plugin->secrets->current(), 'the secret stays for a webhook set up by hand');
    }

    public function testDisconnectWhenCalcomHasAlreadyDeletedIt(): void
    {
        self::assertTrue($this->plugin->connection->connect(null)['ok']);
        $this->fake->reset();
        self::assertTrue($this->plugin->connection->disconnect()['ok'], 'a 404 means it is gone already');
    }

    public function testTheClientSendsTheVersionEachEndpointNeedsAndTypesItsErrors(): void
    {
        $api = $this->plugin->api;
        $api->me();
        $api->event_types('sunny');
        $api->bookings(['take' => 10, 'skip' => 0]);
        $api->webhooks();
        self::assertSame([null, '2024-06-14', '2024-08-13', null], array_column($this->apiCalls(), 'version'));

        $this->fake->reset(['faults' => [['method' => 'GET', 'path' => '/v2/bookings', 'status' => 429]]]);
        $error = self::error(static fn () => $api->bookings(['take' => 10]));
        self::assertSame([Api_Error::RATE_LIMITED, 429, 'ThrottlerException', 42], [$error->kind, $error->status, $error->calcom_code, $error->retry_after]);
        self::assertTrue($error->is_temporary());
        self::assertStringContainsString('resets in 42 seconds', $error->getMessage());

        $error = self::error(static fn () => $api->booking('no-such-uid'));
        self::assertSame([Api_Error::NOT_FOUND, 404], [$error->kind, $error->status]);

        $this->fake->reset(['faults' => [['method' => 'GET', 'path' => '/v2/me', 'status' => 502]]]);
        self::assertSame(Api_Error::SERVER, self::error(static fn () => $api->me())->kind);

        update_option(Api_Settings::KEY_OPTION, 'cal_live_notknown0000');
        $error = self::error(static fn () => $api->me());
        self::assertSame(Api_Error::UNAUTHORIZED, $error->kind);
        self::assertStringNotContainsString('notknown', $error->getMessage());

        update_option(Api_Settings::BASE_OPTION, home_url('/')); // A web page, not Cal.com's API.
        self::assertSame(Api_Error::BAD_ANSWER, self::error(static fn () => $api->me())->kind);

        $closed = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($closed, false), ':'), 1);
        fclose($closed);
        update_option(Api_Settings::BASE_OPTION, "http://127.0.0.1:$port");
        self::assertSame(Api_Error::NETWORK, self::error(static fn () => $api->me())->kind);

        delete_option(Api_Settings::KEY_OPTION);
        self::assertSame(Api_Error::NO_KEY, self::error(static fn () => $api->me())->kind);
    }

    public function testTheKeyIsNotAutoloadedAndShownMasked(): void
    {
        global $wpdb;
        $this->plugin->api_settings->set_key("  Bearer cal_live_abcdefghijklmnop1234\n");
        self::assertSame('cal_live_abcdefghijklmnop1234', $this->plugin->api_settings->key());
        $autoload = $wpdb->get_var($wpdb->prepare("SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", Api_Settings::KEY_OPTION));
        self::assertContains($autoload, ['no', 'off'], 'read only when calling Cal.com');
        self::assertSame('cal_live_••••••••1234', Api_Settings::mask('cal_live_abcdefghijklmnop1234'));

        self::assertSame('https://cal.example.com/api', Api_Settings::clean_base(' https://cal.example.com/api/ '));
        self::assertSame('', Api_Settings::clean_base('ftp://cal.example.com'));
        self::assertSame('', Api_Settings::clean_base('https://cal.example.com/api?x=1'));
        self::assertTrue($this->plugin->api_settings->set_base(''));
        self::assertSame(Api_Settings::DEFAULT_BASE, $this->plugin->api_settings->base());
        self::assertFalse($this->plugin->api_settings->set_base('not a url'));
    }

    public function testTheIntegrationsScreenConnectsAndShowsTheConnection(): void
    {
        self::loginAs('administrator');
        delete_option(Api_Settings::KEY_OPTION);
        $html = self::capture(fn () => $this->plugin->settings_page->render());
        self::assertStringContainsString('id="solar-capture-connect-form"', $html);
        self::assertStringContainsString('name="solar_capture_api_key"', $html);
        self::assertStringNotContainsString('id="solar-capture-hosted-refusal"', $html, 'a self-hosted base takes any URL');

        $result = $this->plugin->settings_page->connect(\Fake_Calcom::KEY, $this->fake->url);
        self::assertTrue($result['ok'], $result['message']);
        $html = self::capture(fn () => $this->plugin->settings_page->render());
        self::assertStringContainsString('data-connected="1"', $html);
        self::assertStringContainsString('sunny &lt;sales@sunny.example&gt;', $html);
        self::assertStringContainsString('id="solar-capture-calcom-webhook" data-ok="1"', $html);
        self::assertStringNotContainsString(\Fake_Calcom::KEY, $html, 'the key is shown masked');
        self::assertStringContainsString('cal_••••••••', $html);

        $this->request(['tab' => 'form']);
        $form = self::capture(fn () => $this->plugin->settings_page->render());
        self::assertStringContainsString('<option value="https://cal.com/sunny/solar-survey" label="Solar survey (30 min)">', $form, 'the event types feed the lead form');
    }

    private static function error(callable $call): Api_Error
    {
        try {
            $call();
        } catch (Api_Error $e) {
            return $e;
        }
        self::fail('no Api_Error was thrown');
    }
}
