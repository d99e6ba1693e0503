<?php
/**
 * What deliveries left in the database, read straight from the tables (mysqli, the stack's credentials
 * from `scripts/stack.sh env`): accepted deliveries, timeline entries, leads and their booking uids.
 * On a Galera node the reads wait until the node has applied every write set committed before them.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Fault;

final class Effects
{
    private function __construct(private readonly \mysqli $db, private readonly string $prefix)
    {
    }

    public static function open(string $prefix): self
    {
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
        $socket = (string) getenv('SC_DB_SOCKET');
        $db = new \mysqli('localhost', (string) getenv('SC_DB_USER'), (string) getenv('SC_DB_PASSWORD'), (string) getenv('SC_DB_NAME'), 0, $socket);
        $db->set_charset('utf8mb4');
        if ('ON' === ($db->query("SHOW VARIABLES LIKE 'wsrep_on'")->fetch_row()[1] ?? '')) {
            $db->query('SET SESSION wsrep_sync_wait = 1'); // Causal reads: see what other nodes committed.
        }
        return new self($db, $prefix);
    }

    public function maxPostId(): int
    {
        return (int) $this->db->query("SELECT COALESCE(MAX(ID), 0) FROM {$this->prefix}posts")->fetch_row()[0];
    }

    /** Lead posts (any status) with an ID above $id. */
    public function leadPostsAfter(int $id): int
    {
        return (int) $this->db->query("SELECT COUNT(*) FROM {$this->prefix}posts WHERE post_type = 'solar_lead' AND ID > $id")->fetch_row()[0];
    }

    /**
     * Deliveries holding each event key (the accepted ones: a duplicate or a failed attempt holds none).
     *
     * @param list<string> $keys
     * @return array<string, int>
     */
    public function accepted(array $keys): array
    {
        return $this->counts("SELECT event_key, COUNT(*) FROM {$this->prefix}solar_capture_deliveries WHERE event_key IN (%s) GROUP BY event_key", $keys);
    }

    /**
     * Timeline entries per booking uid.
     *
     * @param list<string> $uids
     * @return array<string, int>
     */
    public function timeline(array $uids): array
    {
        return $this->counts("SELECT booking_uid, COUNT(*) FROM {$this->prefix}solar_capture_timeline WHERE booking_uid IN (%s) GROUP BY booking_uid", $uids);
    }

    /**
     * Timeline entries of these uids whose delivery is not an accepted one: written by an attempt that
     * did not commit as a whole.
     *
     * @param list<string> $uids
     */
    public function orphanTimeline(array $uids): int
    {
        return array_sum($this->counts("SELECT 'orphans', COUNT(*) FROM {$this->prefix}solar_capture_timeline t LEFT JOIN {$this->prefix}solar_capture_deliveries d ON d.id = t.delivery_id WHERE t.booking_uid IN (%s) AND (d.id IS NULL OR d.event_key IS NULL)", $uids));
    }

    /**
     * Lead posts per e-mail.
     *
     * @param list<string> $emails Lowercase.
     * @return array<string, int>
     */
    public function leads(array $emails): array
    {
        return $this->counts("SELECT m.meta_value, COUNT(DISTINCT p.ID) FROM {$this->prefix}posts p JOIN {$this->prefix}postmeta m ON m.post_id = p.ID WHERE p.post_type = 'solar_lead' AND m.meta_key = '_solar_email' AND m.meta_value IN (%s) GROUP BY m.meta_value", $emails);
    }

    /**
     * Rows recording each booking uid on a lead (_solar_booking_uids: one per lead and uid).
     *
     * @param list<string> $uids
     * @return array<string, int>
     */
    public function uidRecords(array $uids): array
    {
        return $this->counts("SELECT meta_value, COUNT(*) FROM {$this->prefix}postmeta WHERE meta_key = '_solar_booking_uids' AND meta_value IN (%s) GROUP BY meta_value", $uids);
    }

    /** Whether the lead index is complete (no reindex under way: matching reads the index, not post meta). */
    public function leadIndexComplete(): bool
    {
        return '0' === (string) $this->db->query("SELECT COUNT(*) FROM {$this->prefix}options WHERE option_name = 'solar_capture_reindex_cursor'")->fetch_row()[0];
    }

    /**
     * The plugin's tables without a primary key (Galera replicates such tables badly, or not at all).
     *
     * @return list<string>
     */
    public function tablesWithoutPrimaryKey(): array
    {
        $like = $this->db->real_escape_string(str_replace('_', '\\_', $this->prefix . 'solar_capture_')) . '%';
        $rows = $this->db->query("SELECT t.TABLE_NAME FROM information_schema.TABLES t LEFT JOIN information_schema.TABLE_CONSTRAINTS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME AND c.CONSTRAINT_TYPE = 'PRIMARY KEY' WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME LIKE '$like' AND c.CONSTRAINT_NAME IS NULL")->fetch_all();
        return array_column($rows, 0);
    }

    /**
     * The plugin's tables and their engines.
     *
     * @return array<string, string>
     */
    public function tableEngines(): array
    {
        $like = $this->db->real_escape_string(str_replace('_', '\\_', $this->prefix . 'solar_capture_')) . '%';
        return array_column($this->db->query("SELECT TABLE_NAME, ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '$like'")->fetch_all(), 1, 0);
    }

    /**
     * Runs "SELECT value, count ... IN (%s)" for $values in chunks.
     *
     * @param list<string> $values
     * @return array<string, int>
     */
    private function counts(string $sql, array $values): array
    {
        $counts = [];
        foreach (array_chunk(array_values(array_unique($values)), 2000) as $chunk) {
            $list = implode(',', array_map(fn (string $v): string => "'" . $this->db->real_escape_string($v) . "'", $chunk));
            foreach ($this->db->query(sprintf($sql, $list))->fetch_all() as [$value, $count]) {
                $counts[(string) $value] = ($counts[(string) $value] ?? 0) + (int) $count;
            }
        }
        return $counts;
    }
}
