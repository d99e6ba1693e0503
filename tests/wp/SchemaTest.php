<?php
/**
 * The plugin's tables: created through dbDelta, InnoDB, the UNIQUE event_key, a stable schema version.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Database\Schema;

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
        foreach (['id', 'result', 'reason', 'trigger_event', 'booking_uid', 'body_sha256', 'secret_slot', 'lead_id', 'engine', 'http_status'] as $name) {
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
}
