<?php
/**
 * The lead index follows every change of a lead (webhook, edit, trash, restore, delete, erasure), is
 * rebuilt for leads stored before it existed, and matching uses it.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Leads\Lead_Index;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;

final class LeadIndexTest extends TestCase
{
    /** @return array<string, mixed>|null */
    private function row(int $lead_id): ?array
    {
        global $wpdb;
        $row = $wpdb->get_row($wpdb->prepare("SELECT * FROM {$this->plugin->lead_index->table()} WHERE lead_id = %d", $lead_id), ARRAY_A);
        return is_array($row) ? $row : null;
    }

    /** @return list<string> The kinds of the keys a lead holds, sorted. */
    private function keys(int $lead_id): array
    {
        global $wpdb;
        $kinds = $wpdb->get_col($wpdb->prepare("SELECT kind FROM {$this->plugin->lead_index->keys_table()} WHERE lead_id = %d ORDER BY kind", $lead_id));
        return array_map('strval', $kinds);
    }

    /** A lead as a site upgraded from schema 1 holds it: post and meta written straight to the database, no hooks. */
    private static function legacyLead(string $name, string $email, string $uid, string $status = 'booked'): int
    {
        global $wpdb;
        $wpdb->insert($wpdb->posts, ['post_type' => Lead::POST_TYPE, 'post_status' => 'private', 'post_title' => $name, 'post_content' => '', 'post_excerpt' => '', 'to_ping' => '', 'pinged' => '', 'post_content_filtered' => '', 'post_date' => '2025-01-01 10:00:00', 'post_date_gmt' => '2025-01-01 10:00:00', 'post_modified' => '2025-01-01 10:00:00', 'post_modified_gmt' => '2025-01-01 10:00:00']);
        $id = (int) $wpdb->insert_id;
        foreach ([Lead::META_EMAIL => $email, Lead::META_BOOKING_UIDS => $uid, Lead::META_BOOKING_UID => $uid, Lead::META_STATUS => $status, Lead::META_PHONE => '+44 20 7946 0018', Lead::META_BOOKING_START => '1741597200'] as $key => $value) {
            $wpdb->insert($wpdb->postmeta, ['post_id' => $id, 'meta_key' => $key, 'meta_value' => $value]);
        }
        return $id;
    }

    public function testAWebhookWritesTheRowAndTheKeysInItsTransaction(): void
    {
        $data = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data();
        $row = $this->row($data['lead_id']);
        self::assertNotNull($row);
        self::assertSame(['private', 'ana.mueller@example.com', '49301234567', 'booked', '1741597200', 'solar-survey'], [$row['post_status'], $row['email'], $row['phone_digits'], $row['status'], $row['booking_start'], $row['event_type']]);
        self::assertSame((string) (strtotime('2025-03-01T10:00:00Z') * 1000), $row['last_change']);
        self::assertSame(['email', 'uid'], $this->keys($data['lead_id']));

        $this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', ['uid' => 'uid-ana-2', 'rescheduleUid' => 'uid-ana-1', 'startTime' => '2025-03-11T09:00:00Z']));
        self::assertSame('rescheduled', $this->row($data['lead_id'])['status']);
        self::assertSame((string) strtotime('2025-03-11T09:00:00Z'), $this->row($data['lead_id'])['booking_start']);
        self::assertSame(['email', 'uid', 'uid'], $this->keys($data['lead_id']), 'every uid the lead has held');
        self::assertSame($data['lead_id'], $this->plugin->lead_index->find_by_uids(['uid-ana-1']));
        self::assertSame($data['lead_id'], $this->plugin->lead_index->find_by_uids(['uid-ana-2']));
    }

    public function testTheIndexFollowsEditTrashRestoreAndDelete(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $user = self::loginAs('administrator');
        wp_update_post(['ID' => $lead, 'post_author' => $user, 'post_title' => 'Ana M.']);
        self::assertSame((string) $user, $this->row($lead)['owner'], 'an edit in wp-admin');

        wp_trash_post($lead);
        self::assertSame('trash', $this->row($lead)['post_status']);
        self::assertSame([], $this->keys($lead), 'a lead in the trash matches nothing');
        $other = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-05T10:00:00Z', ['uid' => 'uid-ana-9']))->get_data();
        self::assertTrue($other['created'], 'a new booking by the same person makes a new lead');

        wp_delete_post($other['lead_id'], true);
        self::assertNull($this->row($other['lead_id']));
        self::assertSame([], $this->keys($other['lead_id']));

        wp_untrash_post($lead);
        self::assertNotSame('trash', $this->row($lead)['post_status']);
        self::assertSame(['email', 'uid'], $this->keys($lead), 'restored: it matches again');
        self::assertSame($lead, $this->plugin->lead_index->find_by_email('ana.mueller@example.com'));

        wp_delete_post($lead, true);
        self::assertNull($this->row($lead));
        self::assertSame([], $this->keys($lead));
    }

    public function testErasureRemovesTheLeadFromTheIndex(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        self::assertSame([$lead], $this->plugin->lead_index->ids_by_email('Ana.Mueller@example.com'));
        do {
            $result = $this->plugin->privacy->erase('ana.mueller@example.com');
        } while (!$result['done']);
        self::assertNull($this->row($lead));
        self::assertSame([], $this->keys($lead));
        self::assertSame([], $this->plugin->lead_index->ids_by_email('ana.mueller@example.com'));
    }

    public function testLeadsStoredBeforeTheIndexAreMatchedDuringTheReindexAndIndexedByIt(): void
    {
        $ana = self::legacyLead('Ana Müller', 'ana.mueller@example.com', 'uid-ana-1');
        $ben = self::legacyLead('Ben Weber', 'ben@example.net', 'uid-ben-1', 'cancelled');
        self::assertNull($this->row($ana));
        self::assertSame(2, $this->plugin->lead_index->stale_count());

        // The upgrade starts the walk; until it is over, matching also reads post meta.
        do_action('solar_capture_schema_upgraded', '2');
        self::assertFalse($this->plugin->lead_index->is_complete());
        self::assertNotFalse(wp_next_scheduled('solar_capture_reindex_leads'));
        $data = self::assertResult($this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z')), 'accepted');
        self::assertSame($ana, $data['lead_id'], 'found by its uid in post meta');

        // One batch at a time (resumable): Ana's row was written by the delivery, so only Ben is indexed.
        [$done, $cursor] = $this->plugin->lead_index->reindex_after(0, 1);
        self::assertSame([0, $ana], [$done, $cursor], 'the delivery indexed Ana already');
        self::assertSame(1, solar_capture_reindex_leads(), 'Ben lacked his row');
        self::assertSame(0, solar_capture_reindex_leads(), 'nothing is out of date any more');
        self::assertTrue($this->plugin->lead_index->is_complete());
        self::assertSame(0, $this->plugin->lead_index->stale_count());
        self::assertSame(['cancelled', 'ben@example.net', '442079460018'], [$this->row($ben)['status'], $this->row($ben)['email'], $this->row($ben)['phone_digits']]);
        self::assertSame($ben, $this->plugin->lead_index->find_by_uids(['uid-ben-1']));
        self::assertSame($ben, $this->plugin->lead_index->find_by_email('ben@example.net'));
    }

    /** Found by the fault suite: a walk whose WP-Cron event was lost stayed unfinished for good. */
    public function testAWalkWhoseScheduledRunWasLostIsScheduledAgain(): void
    {
        do_action('solar_capture_schema_upgraded', '2');
        wp_clear_scheduled_hook('solar_capture_reindex_leads'); // What a concurrent WP-Cron run can do.
        self::assertFalse($this->plugin->lead_index->is_complete());
        self::assertNotFalse(has_action('admin_init', [$this->plugin->reindex, 'resume_lost_walk']));

        $this->plugin->reindex->resume_lost_walk();
        self::assertNotFalse(wp_next_scheduled('solar_capture_reindex_leads'), 'the walk goes on');

        solar_capture_reindex_leads();
        wp_clear_scheduled_hook('solar_capture_reindex_leads');
        $this->plugin->reindex->resume_lost_walk();
        self::assertFalse(wp_next_scheduled('solar_capture_reindex_leads'), 'nothing to resume once it is over');
    }

    /** Found by the fault suite: each lead of a common name cost one more query (WordPress seeking "name-N"). */
    public function testCreatingALeadCostsTheSameWhateverLeadsShareItsName(): void
    {
        $queries = [];
        for ($i = 0; $i < 6; ++$i) {
            $before = $GLOBALS['wpdb']->num_queries;
            $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => "uid-smith-$i", 'attendees' => [['name' => 'John Smith', 'email' => "john.smith.$i@example.com"]]]));
            $queries[] = $GLOBALS['wpdb']->num_queries - $before;
        }
        self::assertSame($queries[1], $queries[5], 'the sixth John Smith costs what the second did: ' . implode(', ', $queries));
    }

    public function testTheOldestLeadOfAnEmailHoldsItsKey(): void
    {
        $older = self::legacyLead('Ana (first)', 'ana@example.com', 'uid-1');
        $newer = self::legacyLead('Ana (second)', 'ana@example.com', 'uid-2');
        self::assertSame(2, solar_capture_reindex_leads());
        self::assertSame(0, solar_capture_reindex_leads(), 'the newer lead does not lack the key its older twin holds');
        self::assertSame($older, $this->plugin->lead_index->find_by_email('ana@example.com'));
        self::assertSame([$older, $newer], $this->plugin->lead_index->ids_by_email('ana@example.com'), 'privacy finds both');
        self::assertSame(['email', 'uid'], $this->keys($older));
        self::assertSame(['uid'], $this->keys($newer));
    }

    public function testAKeyLeftByALeadDeletedBehindThePluginsBackIsFreedByTheNextLead(): void
    {
        global $wpdb;
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $wpdb->delete($wpdb->posts, ['ID' => $lead]); // No hooks: the keys stay behind.
        wp_cache_flush();
        self::assertNull($this->plugin->lead_index->find_by_uids(['uid-ana-1']), 'a key of a lead that is gone matches nothing');
        $data = self::assertResult($this->deliver(self::booking('BOOKING_CREATED', '2025-03-03T10:00:00Z')), 'accepted');
        self::assertTrue($data['created']);
        self::assertSame($data['lead_id'], $this->plugin->lead_index->find_by_uids(['uid-ana-1']));
    }

    public function testAReindexRepairsMetaChangedStraightInTheDatabase(): void
    {
        global $wpdb;
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        self::assertSame(0, solar_capture_reindex_leads());
        $wpdb->update($wpdb->postmeta, ['meta_value' => 'completed'], ['post_id' => $lead, 'meta_key' => Lead::META_STATUS]);
        $wpdb->delete($this->plugin->lead_index->keys_table(), ['lead_id' => $lead]);
        self::assertSame(1, solar_capture_reindex_leads());
        self::assertSame('completed', $this->row($lead)['status']);
        self::assertSame(['email', 'uid'], $this->keys($lead));
        wp_trash_post($lead);
        self::assertSame(0, solar_capture_reindex_leads(), 'trashed: row follows, no keys to restore');
    }

    public function testDigitsOfAPhone(): void
    {
        self::assertSame('4930123456', Lead_Index::digits('+49 (30) 123-45.6'));
    }
}
