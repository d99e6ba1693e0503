<?php
/**
 * When storage fails mid-way: 503, nothing half-written, the failure recorded with its body, and a retry
 * of the same delivery processed (not answered as a duplicate). Failures are injected through wpdb's
 * `query` filter, so they happen in the real database at the chosen statement.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;

final class StorageFailureTest extends TestCase
{
    private bool $suppressed = false;

    /** @var (\Closure(mixed): mixed)|null */
    private ?\Closure $injector = null;

    /** @var list<\Closure(): void> Run once the test's transaction is rolled back (it holds locks until then). */
    private array $after_rollback = [];

    protected function tearDown(): void
    {
        global $wpdb;
        $wpdb->suppress_errors($this->suppressed);
        parent::tearDown();
        foreach ($this->after_rollback as $cleanup) {
            $cleanup();
        }
        $this->after_rollback = [];
    }

    /** Makes every query that matches $pattern fail (it is replaced by a query on a missing table). */
    private function failQueriesMatching(string $pattern): void
    {
        global $wpdb;
        $this->suppressed = $wpdb->suppress_errors(true);
        $this->injector = static function ($sql) use ($pattern) {
            return preg_match($pattern, (string) $sql) ? 'SELECT * FROM solar_capture_injected_failure' : $sql;
        };
        $this->hook('query', $this->injector);
    }

    /**
     * Makes the first $times queries matching $pattern fail the way a deadlock victim or a Galera
     * certification failure does (error 1213, raised by the server itself).
     */
    private function deadlockQueriesMatching(string $pattern, int $times): void
    {
        global $wpdb;
        $this->suppressed = $wpdb->suppress_errors(true);
        $left = $times;
        $this->injector = static function ($sql) use ($pattern, &$left) {
            if ($left > 0 && preg_match($pattern, (string) $sql)) {
                --$left;
                return "BEGIN NOT ATOMIC SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'Deadlock found when trying to get lock; try restarting transaction'; END";
            }
            return $sql;
        };
        $this->hook('query', $this->injector);
    }

    public function testADeadlockVictimIsProcessedAgainAtOnce(): void
    {
        $this->deadlockQueriesMatching('/^INSERT INTO `\\w*solar_capture_timeline`/', 1);
        $data = self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        $this->stopFailing();
        self::assertTrue($data['created']);
        self::assertCount(1, self::leadIds(), 'the first attempt left nothing behind');
        self::assertCount(1, $this->timeline($data['lead_id']));
        self::assertSame('accepted', $this->lastDelivery()->result, 'no failed row: the retry succeeded');
    }

    public function testADeadlockThatKeepsComingIs503AndNeverASecondLead(): void
    {
        $this->deadlockQueriesMatching('/^INSERT INTO `\\w*solar_capture_timeline`/', 99);
        $response = $this->deliver(self::fixture('01_booking_created.json'));
        $this->stopFailing();
        self::assertError($response, 503, 'solar_capture_storage_unavailable');
        self::assertSame([], self::leadIds());
        self::assertSame(Reason::STORAGE_UNAVAILABLE, $this->lastDelivery()->reason_code);
        self::assertStringContainsString('deadlock', $this->lastDelivery()->reason);

        // Cal.com's retry, once the conflict is over: one lead.
        self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        self::assertCount(1, self::leadIds());
    }

    private function stopFailing(): void
    {
        if (null !== $this->injector) {
            remove_filter('query', $this->injector);
            $this->injector = null;
        }
    }

    /** @return iterable<string, array{string}> */
    public static function failurePoints(): iterable
    {
        yield 'claim insert' => ["/^INSERT INTO `\\w*solar_capture_deliveries`.*'processing'/s"];
        yield 'creating the lead post' => ["/^INSERT INTO `\\w*posts`/"];
        yield 'the lead\'s meta' => ["/^INSERT INTO `?\\w*postmeta`? .*_solar_booking_status/s"];
        yield 'the lead index' => ['/^INSERT INTO `?\\w*solar_capture_lead_index/'];
        yield 'the lead\'s keys' => ['/^INSERT INTO `?\\w*solar_capture_lead_keys/'];
        yield 'timeline insert' => ['/^INSERT INTO `\\w*solar_capture_timeline`/'];
        yield "the delivery's final state" => ["/^UPDATE `\\w*solar_capture_deliveries` SET `result`/"];
    }

    /** @dataProvider failurePoints */
    public function testAFailureAnywhereRollsBackAnswers503AndARetryIsProcessed(string $pattern): void
    {
        $body = self::fixture('01_booking_created.json');
        $event_key = 'b44741d0452753977b3b0dcc94814bdb3ce604c7e86b5f1d5e114f6e3773a05a';
        $created = [];
        $this->hook('save_post_' . Lead::POST_TYPE, static function ($id) use (&$created) {
            $created[] = $id;
        });

        $this->failQueriesMatching($pattern);
        $response = $this->deliver($body);
        $this->stopFailing();

        self::assertError($response, 503, 'solar_capture_storage_unavailable');
        self::assertSame([], self::leadIds(), 'no half-written lead');
        foreach ($created as $id) {
            self::assertNull(get_post($id), 'nor a stale one in the object cache');
        }
        self::assertSame(0, $this->rowsWithKey($event_key), 'the claim went with the rollback');

        $failed = $this->lastDelivery();
        self::assertSame('failed', $failed->result);
        self::assertSame(503, (int) $failed->http_status);
        self::assertSame(Reason::STORAGE_UNAVAILABLE, $failed->reason_code);
        self::assertNotSame('', $failed->reason, 'the failed step is named');
        self::assertSame($body, $failed->body, 'kept so it can be processed again');
        self::assertNull($failed->event_key);
        self::assertSame($response->get_data()['data']['delivery_id'], (int) $failed->id);

        // Cal.com (or a queue) retries the identical delivery: processed, not a duplicate.
        $retry = self::assertResult($this->deliver($body), 'accepted');
        self::assertCount(1, self::leadIds());
        self::assertSame('booked', self::meta($retry['lead_id'], Lead::META_STATUS));
        self::assertCount(1, $this->timeline($retry['lead_id']));
        self::assertSame(1, $this->rowsWithKey($event_key));
    }

    /**
     * MariaDB goes away between two statements of the transaction (killed, and back at once): the server
     * rolled the transaction back. wpdb would reconnect and go on in autocommit, each statement committed
     * on its own: a lead post without its delivery, and a 200 for a delivery that is not stored. Instead:
     * no statement of the attempt on the new connection, 503, and the failure recorded with its body.
     */
    public function testAConnectionLostInTheMiddleWritesNothingOnANewConnection(): void
    {
        global $wpdb;
        [$host, $port] = array_pad(explode(':', DB_HOST, 2), 2, '3306');
        $other = mysqli_connect($host, DB_USER, DB_PASSWORD, DB_NAME, (int) $port);
        self::assertInstanceOf(\mysqli::class, $other);
        $max = static fn (string $table): int => (int) mysqli_query($other, "SELECT COALESCE(MAX(" . ($table === $wpdb->posts ? 'ID' : 'id') . "), 0) FROM $table")->fetch_row()[0];
        $tables = [$wpdb->posts, $this->plugin->deliveries->table(), $this->plugin->timeline->table()];
        $before = array_combine($tables, array_map($max, $tables));
        $this->suppressed = $wpdb->suppress_errors(true);
        $killed = false;
        $this->hook('query', static function ($sql) use ($other, $wpdb, &$killed) {
            if (!$killed && preg_match('/^INSERT INTO `\w*posts`/', (string) $sql)) {
                $killed = mysqli_query($other, 'KILL CONNECTION ' . mysqli_thread_id($wpdb->dbh));
            }
            return $sql;
        });
        try {
            $response = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'));
            self::assertTrue($killed);
            self::assertError($response, 503, 'solar_capture_storage_unavailable');
            // The kill ended this test's transaction too: whatever was written after it is committed.
            $new = static fn (string $table): int => (int) mysqli_query($other, "SELECT COUNT(*) FROM $table WHERE " . ($table === $wpdb->posts ? 'ID' : 'id') . " > {$before[$table]}")->fetch_row()[0];
            self::assertSame(0, $new($wpdb->posts), 'no lead post');
            self::assertSame(0, $new($this->plugin->timeline->table()), 'no timeline entry');
            self::assertSame(1, $new($this->plugin->deliveries->table()), 'one row: the failure');
            $failed = $this->lastDelivery();
            self::assertSame(['failed', Reason::STORAGE_UNAVAILABLE, null], [$failed->result, $failed->reason_code, $failed->event_key]);
            self::assertStringContainsString('connection was lost', $failed->reason);
            self::assertNotNull($failed->body, 'kept so it can be processed again');
        } finally {
            // Committed on the new connection (with the fix: only the failure): removed whatever it is.
            $lead = $before[$wpdb->posts];
            foreach ($before + ["{$wpdb->postmeta}.post_id" => $lead, $this->plugin->lead_index->keys_table() . '.lead_id' => $lead, $this->plugin->lead_index->table() . '.lead_id' => $lead] as $table => $id) {
                [$table, $column] = array_pad(explode('.', $table), 2, $table === $wpdb->posts ? 'ID' : 'id');
                self::assertTrue(mysqli_query($other, "DELETE FROM $table WHERE $column > $id"), mysqli_error($other));
            }
            mysqli_close($other);
        }
    }

    public function testAFailedDeliveryCanBeProcessedAgainFromTheAdmin(): void
    {
        $this->failQueriesMatching('/^INSERT INTO `\w*solar_capture_timeline`/');
        $failed_id = $this->deliver(self::fixture('01_booking_created.json'))->get_data()['data']['delivery_id'];
        $this->stopFailing();

        $again = $this->plugin->pipeline->process_again($failed_id);
        self::assertNotNull($again);
        self::assertSame('accepted', $again->result);
        self::assertCount(1, self::leadIds());
        self::assertSame(Reason::PROCESSED_AGAIN, $this->delivery($failed_id)->reason_code);
        self::assertSame(sprintf('processed again as delivery %d', $again->delivery_id), $this->delivery($failed_id)->reason);

        // Cal.com's own retry after that is a duplicate.
        self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'duplicate');
    }

    public function testAnUpdateOfAnExistingLeadIsRolledBackWhole(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $this->failQueriesMatching('/^INSERT INTO `\w*solar_capture_timeline`/');
        $response = $this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', ['uid' => 'uid-ana-2', 'rescheduleUid' => 'uid-ana-1', 'startTime' => '2025-05-01T09:00:00Z']));
        $this->stopFailing();

        self::assertError($response, 503, 'solar_capture_storage_unavailable');
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS));
        self::assertSame('uid-ana-1', self::meta($lead, Lead::META_BOOKING_UID));
        self::assertSame((string) strtotime('2025-03-10T09:00:00Z'), self::meta($lead, Lead::META_BOOKING_START));
        self::assertSame(['uid-ana-1'], get_post_meta($lead, Lead::META_BOOKING_UIDS));
        self::assertCount(1, $this->timeline($lead));
    }

    public function testAnExceptionFromAnotherPluginRollsBackAndAnswers500(): void
    {
        $this->hook('save_post_' . Lead::POST_TYPE, static function (): void {
            throw new \RuntimeException('a CRM plugin failed');
        });
        $this->hook('solar_capture_lead_updated', static function (): void {
            self::fail('no action for a change that was rolled back');
        });
        $response = $this->deliver(self::fixture('01_booking_created.json'));
        self::assertError($response, 500, 'solar_capture_processing_failed');
        self::assertSame([], self::leadIds());
        $failed = $this->lastDelivery();
        self::assertSame(['failed', 500], [$failed->result, (int) $failed->http_status]);
        self::assertNotNull($failed->body);
    }

    /**
     * No named lock: two deliveries creating the lead of one booking race on its keys. Here the other one
     * (a second connection, as another web node would be) commits the lead while this one is creating its
     * own; this one loses the key, rolls back whole and, processed again, attaches to the winner's lead.
     */
    public function testADeliveryThatLosesTheRaceToCreateTheLeadAttachesToTheWinners(): void
    {
        global $wpdb;
        [$host, $port] = array_pad(explode(':', DB_HOST, 2), 2, '3306');
        $other = mysqli_connect($host, DB_USER, DB_PASSWORD, DB_NAME, (int) $port);
        self::assertInstanceOf(\mysqli::class, $other);
        $winner = 0;
        $tries = 0;
        $this->hook('save_post_' . Lead::POST_TYPE, static function () use ($other, $wpdb, &$winner, &$tries): void {
            ++$tries;
            if (0 !== $winner) {
                return;
            }
            // The other node's lead for uid-ana-1, committed (autocommit) before this one claims its keys.
            mysqli_query($other, "INSERT INTO {$wpdb->posts} (post_type, post_status, post_title, post_content, post_excerpt, to_ping, pinged, post_content_filtered, post_date, post_date_gmt, post_modified, post_modified_gmt) VALUES ('solar_lead', 'private', 'Ana (other node)', '', '', '', '', '', NOW(), UTC_TIMESTAMP(), NOW(), UTC_TIMESTAMP())");
            $winner = (int) mysqli_insert_id($other);
            mysqli_query($other, "INSERT INTO {$wpdb->postmeta} (post_id, meta_key, meta_value) VALUES ({$winner}, '_solar_booking_uids', 'uid-ana-1'), ({$winner}, '_solar_email', 'ana.mueller@example.com')");
            mysqli_query($other, "INSERT INTO {$wpdb->prefix}solar_capture_lead_keys (key_hash, kind, lead_id) VALUES (UNHEX(SHA2('uid\nuid-ana-1', 256)), 'uid', {$winner})");
        });
        try {
            $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z')), 'accepted');
            self::assertNotSame(0, $winner);
            self::assertSame($winner, $data['lead_id'], 'attached to the lead the other delivery created');
            self::assertFalse($data['created']);
            self::assertSame(1, $tries, 'the second attempt found the lead and created none');
            self::assertStringContainsString('matched by uid', $this->delivery($data['delivery_id'])->reason);
            self::assertSame('booked', self::meta($winner, Lead::META_STATUS));
            self::assertSame([$winner], array_values(array_filter(self::leadIds(), static fn (int $id): bool => 'uid-ana-1' === get_post_meta($id, Lead::META_BOOKING_UIDS, true))), 'one lead for the booking');
        } finally {
            // The other node's rows are committed: removed once this test's transaction let go of them.
            $this->after_rollback[] = static function () use ($other, $wpdb, &$winner): void {
                if (0 !== $winner) {
                    foreach (["{$wpdb->prefix}solar_capture_lead_keys WHERE lead_id", "{$wpdb->prefix}solar_capture_lead_index WHERE lead_id", "{$wpdb->postmeta} WHERE post_id", "{$wpdb->posts} WHERE ID"] as $where) {
                        self::assertTrue(mysqli_query($other, "DELETE FROM {$where} = {$winner}"), mysqli_error($other));
                    }
                }
                mysqli_close($other);
            };
        }
    }
}
