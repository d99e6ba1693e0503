<?php
/**
 * The loopback checks of Settings > Integrations and "Send test delivery". The site's own HTTP requests
 * are answered in-process: a test delivery goes through rest_do_request() exactly as it would arrive,
 * so the signature it carries is really verified. (tests/browser sends one over real HTTP.)
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Admin\Settings_Page;

final class EndpointCheckTest extends TestCase
{
    /** @var list<array{url: string, args: array<string, mixed>}> */
    private array $sent = [];

    protected function setUp(): void
    {
        parent::setUp();
        require_once ABSPATH . 'wp-admin/includes/admin.php';
        delete_transient(Endpoint_Check::CACHE);
    }

    /** Answers the site's own requests through the REST server, as nginx + php-fpm would. */
    private function loopback(): void
    {
        $this->fakeHttp(function (string $url, array $args) {
            $this->sent[] = ['url' => $url, 'args' => $args];
            if (str_starts_with($url, 'https:')) {
                return new \WP_Error('http_request_failed', 'cURL error 35: wrong version number');
            }
            $request = new \WP_REST_Request((string) ($args['method'] ?? 'GET'), '/solar-capture/v1/calcom-webhook');
            foreach ((array) ($args['headers'] ?? []) as $name => $value) {
                $request->set_header($name, $value);
            }
            $request->set_body((string) ($args['body'] ?? ''));
            $response = rest_get_server()->dispatch($request);
            return [$response->get_status(), (string) wp_json_encode(rest_get_server()->response_to_data($response, false))];
        });
    }

    public function testAHealthySiteHasNoProblems(): void
    {
        $this->loopback();
        self::assertSame([], $this->plugin->endpoint_check->problems());
        self::assertSame(rest_url('solar-capture/v1/calcom-webhook'), $this->sent[0]['url']);
        self::assertSame('GET', $this->sent[0]['args']['method'], 'a check is not a delivery');
        self::assertSame(0, $this->sent[0]['args']['redirection'], 'redirects are reported, not followed');
        self::assertSame('https://' . substr($this->sent[0]['url'], 7), $this->sent[1]['url'], 'https is tried for an http site');
        self::assertTrue($this->sent[1]['args']['sslverify'], 'https only counts with a valid certificate');
        self::assertSame(0, (int) $this->plugin->deliveries->count(), 'checking logs no delivery');

        // Cached: no second round of requests until "Check again".
        $this->plugin->endpoint_check->problems();
        self::assertCount(2, $this->sent);
        $this->plugin->endpoint_check->problems(true);
        self::assertCount(4, $this->sent);
    }

    public function testEachProblemIsRecognisedAndNamesItsFix(): void
    {
        $check = $this->plugin->endpoint_check;
        $redirect = $check->judge_answer(301, 'https://www.example.com/wp-json/solar-capture/v1/calcom-webhook', '');
        self::assertSame('redirect', $redirect['type']);
        self::assertStringContainsString('HTTP 301 to https://www.example.com/wp-json/solar-capture/v1/calcom-webhook', $redirect['message']);
        self::assertStringContainsString('Cal.com does not follow redirects', $redirect['message']);

        $blocked = $check->judge_answer(401, '', '{"code":"rest_login_required","message":"REST API restricted to authenticated users.","data":{"status":401}}');
        self::assertSame('blocked', $blocked['type']);
        self::assertStringContainsString('HTTP 401, rest_login_required: REST API restricted to authenticated users.', $blocked['message']);
        self::assertStringContainsString('allow anonymous requests to /wp-json/solar-capture/v1/', $blocked['message']);

        $waf = $check->judge_answer(403, '', "<html><body><h1>Access denied</h1>\n<p>Request blocked by firewall</p></body></html>");
        self::assertSame('blocked', $waf['type']);
        self::assertStringContainsString('HTTP 403, not JSON: "Access denied Request blocked by firewall"', $waf['message']);

        $front_page = $check->judge_answer(200, '', '<!doctype html><title>Home</title>');
        self::assertSame('blocked', $front_page['type'], 'a theme page instead of the REST API');

        self::assertNull($check->judge_answer(404, '', '{"code":"rest_no_route","message":"No route","data":{"status":404}}'));
        self::assertNull($check->judge_answer(401, '', '{"code":"solar_capture_signature_missing","message":"..."}'));
    }

    public function testUnreachableAndHttpWhereHttpsWorks(): void
    {
        $this->fakeHttp(static fn (string $url) => str_starts_with($url, 'https:')
            ? [200, '{}']
            : new \WP_Error('http_request_failed', 'cURL error 7: Failed to connect to 127.0.0.1 port 80'));
        $problems = $this->plugin->endpoint_check->problems(true);
        self::assertSame(['unreachable', 'http'], array_column($problems, 'type'));
        self::assertStringContainsString('cURL error 7: Failed to connect', $problems[0]['message']);
        self::assertStringContainsString('Send test delivery', $problems[0]['message']);
        self::assertStringContainsString('Change the WordPress Address and Site Address under Settings > General to https', $problems[1]['message']);
    }

    public function testATestDeliveryIsASignedPingThatVerifies(): void
    {
        $this->loopback();
        $result = $this->plugin->endpoint_check->send_test_delivery();
        self::assertTrue($result['ok'], $result['message']);
        self::assertSame(200, $result['status']);
        self::assertStringStartsWith('Test delivery received: the endpoint answered HTTP 200 and verified the signature', $result['message']);

        $sent = $this->sent[0];
        self::assertSame('POST', $sent['args']['method']);
        self::assertSame(0, $sent['args']['redirection']);
        self::assertSame(hash_hmac('sha256', $sent['args']['body'], self::SECRET), $sent['args']['headers']['X-Cal-Signature-256']);
        $body = json_decode($sent['args']['body'], true);
        self::assertSame('PING', $body['triggerEvent']);
        self::assertEqualsWithDelta(time(), strtotime($body['createdAt']), 5);

        $row = $this->delivery((int) $result['delivery_id']);
        self::assertSame(['accepted', 'PING', 'ping'], [$row->result, $row->trigger_event, $row->reason_code]);
        self::assertNotNull($this->plugin->deliveries->latest('accepted', 'PING'));

        // A second one right away is not a duplicate of the first (createdAt has milliseconds).
        usleep(2000);
        self::assertTrue($this->plugin->endpoint_check->send_test_delivery()['ok']);
    }

    public function testATestDeliveryReportsTheExactFailure(): void
    {
        $check = $this->plugin->endpoint_check;
        $cases = [
            'redirect' => [[302, '', ['location' => 'https://example.com/login']], 'The endpoint answered HTTP 302, a redirect to https://example.com/login. Cal.com does not follow redirects'],
            'refused' => [[401, '{"code":"solar_capture_invalid_signature","message":"The signature does not match."}'], 'The test delivery failed with HTTP 401: solar_capture_invalid_signature: The signature does not match.'],
            'server error' => [[500, '<h1>There has been a critical error on this website.</h1>'], 'The test delivery failed with HTTP 500: "There has been a critical error on this website."'],
            'timeout' => [new \WP_Error('http_request_failed', 'cURL error 28: Operation timed out after 10001 milliseconds with 0 bytes received'), 'The test delivery timed out after 10 seconds'],
            'dns' => [new \WP_Error('http_request_failed', 'cURL error 6: Could not resolve host: solar.example'), 'could not be sent to ' . rest_url('solar-capture/v1/calcom-webhook') . ': cURL error 6: Could not resolve host'],
        ];
        foreach ($cases as $name => [$answer, $expected]) {
            $this->fakeHttp(static fn () => $answer);
            $result = $check->send_test_delivery();
            self::assertFalse($result['ok'], $name);
            self::assertStringContainsString($expected, $result['message'], $name);
        }
    }

    public function testWithoutASecretNothingIsSent(): void
    {
        update_option('solar_capture_secret', '');
        $this->fakeHttp(static fn () => self::fail('nothing is sent without a secret'));
        $result = $this->plugin->endpoint_check->send_test_delivery();
        self::assertFalse($result['ok']);
        self::assertStringContainsString('Generate and save a secret first', $result['message']);
    }

    public function testTheButtonShowsTheOutcomeOnceAfterTheRedirect(): void
    {
        $this->loopback();
        self::loginAs('administrator');
        $page = $this->plugin->settings_page;
        $this->request([], ['_wpnonce' => wp_create_nonce(Settings_Page::TEST_ACTION)]);
        self::assertSame($page->page_url(['solar_capture_test' => 1]), $this->runAction([$page, 'handle_test_delivery'])['redirect']);

        $this->request(['solar_capture_test' => '1']);
        $html = self::capture([$page, 'render']);
        self::assertStringContainsString('<div class="notice notice-success" id="solar-capture-test-result" data-ok="1"><p>Test delivery received', $html);
        self::assertStringNotContainsString('id="solar-capture-test-result"', self::capture([$page, 'render']), 'shown once');
    }
}
