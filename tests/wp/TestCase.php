<?php
/**
 * Base class: each test runs in a transaction that is rolled back, with the test secret configured and
 * no user logged in. Requests go through rest_do_request() with the raw body and headers Cal.com sends
 * (tests/support: Bookings, Signed_Delivery, Rest_Transport).
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Leads\Lead_Post_Type;
use SolarCapture\Plugin\Plugin;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Database\Transaction;
use SolarCapture\Tests\Support\Bookings;
use SolarCapture\Tests\Support\Rest_Transport;
use SolarCapture\Tests\Support\Signed_Delivery;

require_once dirname(__DIR__) . '/support/load.php';

abstract class TestCase extends \PHPUnit\Framework\TestCase
{
    /** The secret the corpus in tests/fixtures/payloads is signed with. */
    protected const SECRET = 'test-secret-calcom-webhook';
    protected const ROUTE = Rest_Transport::ROUTE;

    /** @var list<array{string, callable, int}> */
    private array $hooks = [];

    /** @var array{0: array<string, mixed>, 1: array<string, mixed>, 2: array<string, mixed>}|null $_GET, $_POST, $_REQUEST before request() */
    private ?array $superglobals = null;

    protected Plugin $plugin;

    protected function setUp(): void
    {
        parent::setUp();
        $plugin = Plugin::instance();
        self::assertNotNull($plugin);
        $this->plugin = $plugin;
        self::assertSame(0, Transaction::depth(), 'a previous test left a transaction open');
        // Read committed, as the pipeline runs in production: each statement sees what others committed.
        self::assertTrue(Transaction::begin(true), 'START TRANSACTION failed');
        self::startFromAnEmptyPlugin();
        wp_set_current_user(0);
        update_option(Secrets::OPTION, self::SECRET);
        update_option(Secrets::PREVIOUS_OPTION, '');
    }

    protected function tearDown(): void
    {
        foreach ($this->hooks as [$name, $callback, $priority]) {
            remove_filter($name, $callback, $priority);
        }
        $this->hooks = [];
        if (null !== $this->superglobals) {
            [$_GET, $_POST, $_REQUEST] = $this->superglobals;
            $this->superglobals = null;
        }
        unset($GLOBALS['current_screen']);
        while (Transaction::depth() > 0) {
            Transaction::rollback();
        }
        wp_cache_flush();
        wp_set_current_user(0);
        parent::tearDown();
    }

    /**
     * The stack's site may hold leads and deliveries (demo, end-to-end runs): each test starts without
     * them. Deleted inside the test's transaction, so the rollback brings them back.
     */
    private static function startFromAnEmptyPlugin(): void
    {
        global $wpdb;
        $plugin = Plugin::instance();
        $wpdb->query("DELETE FROM {$plugin->deliveries->table()}");
        $wpdb->query("DELETE FROM {$plugin->timeline->table()}");
        $wpdb->query("DELETE FROM {$plugin->lead_index->table()}");
        $wpdb->query("DELETE FROM {$plugin->lead_index->keys_table()}");
        $wpdb->query("DELETE FROM {$plugin->refusals->table()}");
        $wpdb->query("DELETE FROM {$plugin->schema->delivery_emails_table()}");
        $wpdb->query($wpdb->prepare(
            "DELETE p, m FROM {$wpdb->posts} p LEFT JOIN {$wpdb->postmeta} m ON m.post_id = p.ID WHERE p.post_type = %s",
            Lead_Post_Type::POST_TYPE
        ));
        wp_cache_flush();
    }

    /** The lead's name (get_the_title() would prefix "Private: "). */
    protected static function title(int $lead_id): string
    {
        $post = get_post($lead_id);
        self::assertInstanceOf(\WP_Post::class, $post);
        return $post->post_title;
    }

    /** add_filter()/add_action() that tearDown() undoes. */
    protected function hook(string $name, callable $callback, int $priority = 10, int $args = 1): void
    {
        add_filter($name, $callback, $priority, $args);
        $this->hooks[] = [$name, $callback, $priority];
    }

    /** Logs in a new user with $role (inside the test's transaction) and returns their id. */
    protected static function loginAs(string $role): int
    {
        $id = wp_insert_user(['user_login' => 'sc_' . $role . '_' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => $role]);
        self::assertIsInt($id);
        wp_set_current_user($id);
        return $id;
    }

    /** What $render prints. */
    protected static function capture(callable $render): string
    {
        ob_start();
        try {
            $render();
        } finally {
            $html = (string) ob_get_clean();
        }
        return $html;
    }

    /**
     * Sets $_GET and $_POST (and $_REQUEST from both) for an admin screen or action; tearDown() puts
     * the previous values back.
     *
     * @param array<string, mixed> $get
     * @param array<string, mixed> $post
     */
    protected function request(array $get = [], array $post = []): void
    {
        $this->superglobals ??= [$_GET, $_POST, $_REQUEST];
        $_GET = $get;
        $_POST = $post;
        $_REQUEST = array_merge($get, $post);
    }

    /**
     * Runs an admin action that ends in wp_die() or in a redirect (then exit), without ending PHPUnit.
     *
     * @return array{die: ?string, status: ?int, redirect: ?string} The wp_die() message and status, or where it redirected.
     */
    protected function runAction(callable $action): array
    {
        $this->hook('wp_die_handler', static fn () => static function ($message, $title = '', $args = []): never {
            $status = is_array($args) && isset($args['response']) ? (int) $args['response'] : (is_int($title) ? $title : 500);
            throw new ActionEnded(null, is_scalar($message) ? (string) $message : (is_wp_error($message) ? $message->get_error_message() : ''), $status);
        });
        $this->hook('wp_redirect', static function ($location): never {
            throw new ActionEnded((string) $location, null, null);
        });
        try {
            $action();
        } catch (ActionEnded $end) {
            return ['die' => $end->die, 'status' => $end->status, 'redirect' => $end->redirect];
        }
        self::fail('the action neither redirected nor died');
    }

    /**
     * Answers the plugin's own HTTP requests (wp_remote_*) with $answer($url, $args) instead of the
     * network. The answer is [status, body, headers] or a WP_Error.
     *
     * @param callable(string, array<string, mixed>): (array{0: int, 1: string, 2?: array<string, string>}|\WP_Error) $answer
     */
    protected function fakeHttp(callable $answer): void
    {
        $this->hook('pre_http_request', static function ($pre, $args, $url) use ($answer) {
            $result = $answer((string) $url, (array) $args);
            if ($result instanceof \WP_Error) {
                return $result;
            }
            return [
                'headers' => array_change_key_case($result[2] ?? [], CASE_LOWER),
                'body' => $result[1],
                'response' => ['code' => $result[0], 'message' => get_status_header_desc($result[0])],
                'cookies' => [],
                'filename' => null,
            ];
        }, 10, 3);
    }

    /**
     * POSTs a body to the webhook route with Cal.com's headers (tests/support/Signed_Delivery.php).
     *
     * @param string|null          $signature_secret Secret to sign with, or null for no signature header.
     * @param array<string,string> $headers          Extra headers (override the signature when given).
     */
    protected function deliver(string $body, ?string $signature_secret = self::SECRET, array $headers = [], string $content_type = 'application/json'): \WP_REST_Response
    {
        $response = Rest_Transport::post(Signed_Delivery::of($body, $signature_secret, $headers, $content_type), self::ROUTE);
        self::assertNotFalse(wp_json_encode($response->get_data()), 'every answer is JSON');
        return $response;
    }

    /** Asserts an error answer: status, code, and a message that names a fix. */
    protected static function assertError(\WP_REST_Response $response, int $status, string $code): void
    {
        $data = $response->get_data();
        self::assertSame($status, $response->get_status(), wp_json_encode($data));
        self::assertIsArray($data);
        self::assertSame($code, $data['code'] ?? null, wp_json_encode($data));
        self::assertStringStartsWith('solar_capture_', $data['code']);
        self::assertSame($status, $data['data']['status'] ?? null);
        self::assertGreaterThan(40, strlen((string) ($data['message'] ?? '')), 'the message names the fix');
    }

    /** Asserts a 200 answer with the given result and returns its data. */
    protected static function assertResult(\WP_REST_Response $response, string $result): array
    {
        $data = $response->get_data();
        self::assertSame(200, $response->get_status(), wp_json_encode($data));
        self::assertSame($result, $data['result'] ?? null, wp_json_encode($data));
        return $data;
    }

    /** A corpus body, byte for byte. */
    protected static function fixture(string $file): string
    {
        $body = file_get_contents(self::fixturesDir() . '/' . $file);
        self::assertIsString($body);
        return $body;
    }

    /** @return array{secret: string, entries: list<array{file: string, triggerEvent: string, headers: array<string, string>}>} */
    protected static function manifest(): array
    {
        $manifest = json_decode(self::fixture('MANIFEST.json'), true, 512, JSON_THROW_ON_ERROR);
        self::assertSame(self::SECRET, $manifest['secret']);
        return $manifest;
    }

    protected static function fixturesDir(): string
    {
        return dirname(__DIR__) . '/fixtures/payloads';
    }

    /**
     * A Cal.com-shaped booking body (tests/support/Bookings.php).
     *
     * @param array<string, mixed> $payload Payload fields that replace the defaults (null removes one).
     */
    protected static function booking(string $trigger, string $created_at, array $payload = []): string
    {
        return Bookings::booking($trigger, $created_at, $payload);
    }

    /** A flat MEETING_* body (no payload wrapper), as older Cal.com builds send. */
    protected static function flatMeeting(string $trigger, string $uid, string $created_at, string $email = 'ana.mueller@example.com'): string
    {
        return Bookings::flatMeeting($trigger, $uid, $created_at, $email);
    }

    /** @return list<int> Ids of all leads, any status. */
    protected static function leadIds(): array
    {
        global $wpdb;
        return array_map('intval', $wpdb->get_col($wpdb->prepare(
            "SELECT ID FROM {$wpdb->posts} WHERE post_type = %s ORDER BY ID",
            Lead_Post_Type::POST_TYPE
        )));
    }

    protected static function meta(int $lead_id, string $key): string
    {
        return (string) get_post_meta($lead_id, $key, true);
    }

    /** The delivery row (body included). */
    protected function delivery(int $id): object
    {
        $row = $this->plugin->deliveries->find($id);
        self::assertNotNull($row, "delivery $id");
        return $row;
    }

    /** The newest delivery row. */
    protected function lastDelivery(): object
    {
        global $wpdb;
        $row = $wpdb->get_row("SELECT * FROM {$this->plugin->deliveries->table()} ORDER BY id DESC LIMIT 1");
        self::assertIsObject($row);
        return $row;
    }

    /** Rows holding an event key. */
    protected function rowsWithKey(string $event_key): int
    {
        global $wpdb;
        return (int) $wpdb->get_var($wpdb->prepare(
            "SELECT COUNT(*) FROM {$this->plugin->deliveries->table()} WHERE event_key = %s",
            $event_key
        ));
    }

    /** @return list<object> */
    protected function timeline(int $lead_id): array
    {
        return $this->plugin->timeline->for_lead($lead_id);
    }

    /** Creates a lead the way a site would (e.g. from a contact form), inside the test transaction. */
    protected static function existingLead(string $name, string $email): int
    {
        $id = wp_insert_post(['post_type' => Lead_Post_Type::POST_TYPE, 'post_status' => 'private', 'post_title' => $name], true);
        self::assertIsInt($id);
        update_post_meta($id, Lead_Post_Type::META_EMAIL, $email);
        return $id;
    }

    protected static function resultOf(object $row): string
    {
        self::assertContains($row->result, Delivery_Store::RESULTS);
        return $row->result;
    }
}

/** Thrown by runAction()'s wp_die() handler and redirect filter. */
final class ActionEnded extends \RuntimeException
{
    public function __construct(public readonly ?string $redirect, public readonly ?string $die, public readonly ?int $status)
    {
        parent::__construct($redirect ?? (string) $die);
    }
}
