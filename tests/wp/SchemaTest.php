<?php
/**
 * The plugin's tables: created through dbDelta, InnoDB, the UNIQUE event_key, a stable schema version.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Database\Schema;
use SolarCapture\Plugin\Pipeline\Reason;

final class SchemaTest extends TestCase
{
    public function testBothTablesExistAsInnoDbWithTheSchemaVersion(): void
    {
        global $wpdb;
        foreach ([$this->plugin->schema->deliveries_table(), $this->plugin->schema->timeline_table()] as $table) {
            self::assertTrue($this->plugin->schema->table_exists($table), $table);
            $engine = $wpdb->get_var($wpdb->prepare('SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s', $table));
            self::assertSame('InnoDB', $engine, $table);
        }
        self::assertSame($wpdb->prefix . 'solar_capture_deliveries', $this->plugin->schema->deliveries_table());
        self::assertSame(Schema::VERSION, get_option(Schema::VERSION_OPTION));
    }

    /** Galera replicates InnoDB tables only, and wants a primary key on every one (README: Galera). */
    public function testEveryTableOfThePluginIsInnoDbWithAPrimaryKey(): void
    {
        global $wpdb;
        $tables = $wpdb->get_results($wpdb->prepare(
            "SELECT t.TABLE_NAME AS name, t.ENGINE AS engine, COUNT(c.CONSTRAINT_NAME) AS primary_keys FROM information_schema.TABLES t
            LEFT JOIN information_schema.TABLE_CONSTRAINTS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY'
            WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME LIKE %s GROUP BY t.TABLE_NAME, t.ENGINE",
            $wpdb->esc_like($wpdb->prefix . 'solar_capture_') . '%'
        ));
        self::assertSame([], array_diff($this->plugin->schema->tables(), array_column($tables, 'name')), 'every table of Schema::tables() exists');
        foreach ($tables as $table) {
            self::assertSame(['InnoDB', 1], [$table->engine, (int) $table->primary_keys], $table->name);
        }
    }

    /**
     * The database went away while WordPress read the options: get_option() answers false, as on a new
     * site. That is no upgrade: no reindex of every lead starts (matching would read post meta until it
     * ended). The fault suite's MariaDB kill set one off.
     */
    public function testAVersionThatCouldNotBeReadStartsNoUpgrade(): void
    {
        global $wpdb;
        $upgrades = 0;
        $this->hook('solar_capture_schema_upgraded', static function () use (&$upgrades): void {
            ++$upgrades;
        });
        $alloptions = wp_load_alloptions();
        unset($alloptions[Schema::VERSION_OPTION]);
        wp_cache_set('alloptions', $alloptions, 'options'); // The autoloaded options came back without it.
        $suppressed = $wpdb->suppress_errors(true);
        $this->hook('query', static fn ($sql) => str_starts_with((string) $sql, 'SELECT') && str_contains((string) $sql, Schema::VERSION_OPTION) ? 'SELECT * FROM solar_capture_injected_failure' : $sql);
        try {
            $this->plugin->schema->maybe_upgrade();
        } finally {
            $wpdb->suppress_errors($suppressed);
        }
        self::assertSame(0, $upgrades, 'no upgrade, so no reindex either');
    }

    public function testDeliveriesHaveTheContractColumnsAndAUniqueEventKey(): void
    {
        global $wpdb;
        $table = $this->plugin->schema->deliveries_table();
        $columns = [];
        foreach ($wpdb->get_results("SHOW COLUMNS FROM {$table}") as $column) {
            $columns[$column->Field] = [$column->Type, $column->Null];
        }
        self::assertSame(['datetime(6)', 'NO'], $columns['received_at']);
        self::assertSame(['char(64)', 'YES'], $columns['event_key']);
        self::assertSame(['longblob', 'YES'], $columns['body']);
        self::assertSame(['bigint(20) unsigned', 'YES'], $columns['duplicate_of']);
        foreach (['id', 'result', 'reason_code', 'reason', 'source', 'trigger_event', 'booking_uid', 'body_sha256', 'secret_slot', 'lead_id', 'engine', 'http_status'] as $name) {
            self::assertArrayHasKey($name, $columns);
        }
        $unique = $wpdb->get_results("SHOW INDEX FROM {$table} WHERE Key_name = 'event_key'");
        self::assertCount(1, $unique);
        self::assertSame('0', (string) $unique[0]->Non_unique);
    }

    public function testInstallingAgainChangesNothing(): void
    {
        $changes = [];
        $this->hook('query', static function ($sql) use (&$changes) {
            if (preg_match('/^\s*(CREATE|ALTER|DROP)\b/i', (string) $sql)) {
                $changes[] = $sql;
            }
            return $sql;
        });
        self::assertTrue($this->plugin->schema->install());
        self::assertSame([], $changes, 'dbDelta found nothing to change');
    }

    /** Rows written by schema 1 (free-text reasons only) get the code their text meant. */
    public function testTheUpgradeGivesEveryEarlierRowItsReasonCode(): void
    {
        global $wpdb;
        $legacy = [
            'signature: solar_capture_invalid_signature' => Reason::INVALID_SIGNATURE,
            'signature: solar_capture_signature_missing' => Reason::SIGNATURE_MISSING,
            'signature: solar_capture_no_secret_provided' => Reason::NO_SECRET_PROVIDED,
            'signature: solar_capture_signature_malformed' => Reason::SIGNATURE_MALFORMED,
            'no secret configured' => Reason::NO_SECRET,
            'body too large: 2000000 bytes' => Reason::BODY_TOO_LARGE,
            'CUSTOM_TEMPLATE: the body is `false`' => Reason::CUSTOM_TEMPLATE,
            'NOT_JSON: body is not valid JSON' => Reason::NOT_JSON,
            'NOT_AN_EVENT: createdAt: missing' => Reason::NOT_AN_EVENT,
            'ping' => Reason::PING,
            'no_lead_effect' => Reason::NO_LEAD_EFFECT,
            'no_matching_lead' => Reason::NO_MATCHING_LEAD,
            'applied (uid)' => Reason::APPLIED,
            'older_than_last_event (email)' => Reason::OLDER_THAN_LAST_EVENT,
            'pending_reschedule (uid)' => Reason::PENDING_RESCHEDULE,
            'no_status_effect (lead_id)' => Reason::NO_STATUS_EFFECT,
            'duplicate of delivery 12' => Reason::DUPLICATE,
            'storage: claiming the delivery failed' => Reason::STORAGE_UNAVAILABLE,
            'engine error' => Reason::ENGINE_ERROR,
            'error: Call to undefined function' => Reason::PROCESSING_FAILED,
            'processed again as delivery 7' => Reason::PROCESSED_AGAIN,
            'already processed as delivery 7' => Reason::ALREADY_PROCESSED,
        ];
        $ids = [];
        foreach (array_keys($legacy) as $reason) {
            $ids[$reason] = (int) $this->plugin->deliveries->record(['result' => 'rejected', 'reason' => $reason]);
            // As schema 1 left it: no code.
            $wpdb->update($this->plugin->schema->deliveries_table(), ['reason_code' => ''], ['id' => $ids[$reason]]);
        }
        self::assertTrue($this->plugin->schema->backfill_reason_codes());
        foreach ($legacy as $reason => $code) {
            self::assertSame($code, $this->delivery($ids[$reason])->reason_code, $reason);
            self::assertSame($reason, $this->delivery($ids[$reason])->reason, 'the text stays as the detail');
        }
    }
}
