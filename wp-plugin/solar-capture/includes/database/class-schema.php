<?php
/**
 * The plugin's own tables, created and upgraded through dbDelta.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Database;

use SolarCapture\Plugin\Pipeline\Reason;

defined( 'ABSPATH' ) || exit;

/**
 * Table names and their definitions. Bump VERSION whenever a definition changes.
 */
final class Schema {

	public const VERSION        = '6';
	public const VERSION_OPTION = 'solar_capture_schema_version';

	public function add_hooks(): void {
		// After an update the tables follow on the next request, whichever it is (the webhook included).
		add_action( 'plugins_loaded', array( $this, 'maybe_upgrade' ), 5 );
	}

	public function deliveries_table(): string {
		global $wpdb;
		return $wpdb->prefix . 'solar_capture_deliveries';
	}

	public function lead_index_table(): string {
		global $wpdb;
		return $wpdb->prefix . 'solar_capture_lead_index';
	}

	public function lead_keys_table(): string {
		global $wpdb;
		return $wpdb->prefix . 'solar_capture_lead_keys';
	}

	public function refusals_table(): string {
		global $wpdb;
		return $wpdb->prefix . 'solar_capture_refusals';
	}

	public function delivery_emails_table(): string {
		global $wpdb;
		return $wpdb->prefix . 'solar_capture_delivery_emails';
	}

	/**
	 * Every table of the plugin (uninstall drops them).
	 *
	 * @return string[]
	 */
	public function tables(): array {
		return array( $this->deliveries_table(), $this->timeline_table(), $this->lead_index_table(), $this->lead_keys_table(), $this->refusals_table(), $this->delivery_emails_table() );
	}

	public function timeline_table(): string {
		global $wpdb;
		return $wpdb->prefix . 'solar_capture_timeline';
	}

	/**
	 * Runs install() when the stored schema version is not the current one.
	 *
	 * A read that failed looks like a new site: get_option() answers false when the database went away
	 * in the middle of the request, and an existing site then started a reindex of every lead (matching
	 * on post meta until it ends). So a version that is not the current one is read again from the table,
	 * and nothing happens unless that read succeeds.
	 */
	public function maybe_upgrade(): void {
		global $wpdb;
		if ( self::VERSION === get_option( self::VERSION_OPTION ) ) {
			return;
		}
		$mark   = Transaction::error_mark();
		$stored = $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", self::VERSION_OPTION ) );
		if ( Transaction::errors_since( $mark ) || self::VERSION === $stored ) {
			return; // The next request looks again.
		}
		$previous = null === $stored ? false : (string) $stored;
		if ( $this->install() ) {
			/**
			 * Fires once after the plugin's tables were created or upgraded (the lead index starts its
			 * reindex here).
			 *
			 * @param string|false $previous The schema version before, or false on a new site.
			 */
			do_action( 'solar_capture_schema_upgraded', $previous );
		}
	}

	/**
	 * Creates or upgrades both tables and records the schema version.
	 *
	 * InnoDB is required, not a preference: the unique event_key is the atomic duplicate check and the
	 * lead change plus the delivery's final state commit or roll back together.
	 *
	 * @return bool Whether both tables exist afterwards.
	 */
	public function install(): bool {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';

		$options    = 'ENGINE=InnoDB ' . $wpdb->get_charset_collate();
		$deliveries = $this->deliveries_table();
		$timeline   = $this->timeline_table();

		// The format dbDelta reads: one column per line, two spaces after PRIMARY KEY, KEY not INDEX.
		dbDelta(
			"CREATE TABLE {$deliveries} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  received_at datetime(6) NOT NULL,
  result varchar(16) NOT NULL,
  reason_code varchar(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  reason varchar(255) NOT NULL DEFAULT '',
  source varchar(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'webhook',
  http_status smallint(5) unsigned NOT NULL DEFAULT 0,
  trigger_event varchar(100) NULL,
  booking_uid varchar(191) NULL,
  event_key char(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  duplicate_of bigint(20) unsigned NULL,
  body_sha256 char(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  body longblob NULL,
  secret_slot tinyint(3) unsigned NULL,
  lead_id bigint(20) unsigned NULL,
  engine varchar(32) NOT NULL DEFAULT '',
  PRIMARY KEY  (id),
  UNIQUE KEY event_key (event_key),
  KEY received_at (received_at),
  KEY result_received_at (result,received_at),
  KEY reason_code_received_at (reason_code,received_at),
  KEY booking_uid (booking_uid),
  KEY lead_id (lead_id)
) {$options};"
		);

		// One character set for every text column of the timeline too (see the lead index below).
		dbDelta(
			"CREATE TABLE {$timeline} (
  id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  lead_id bigint(20) unsigned NOT NULL,
  delivery_id bigint(20) unsigned NULL,
  trigger_event varchar(100) NOT NULL,
  created_at_ms bigint(20) NOT NULL,
  booking_uid varchar(191) NULL,
  rescheduled_from_uid varchar(191) NULL,
  start_at bigint(20) NULL,
  end_at bigint(20) NULL,
  applied tinyint(1) NOT NULL DEFAULT 0,
  note varchar(32) NOT NULL DEFAULT '',
  detail varchar(255) NULL,
  answers text NULL,
  source varchar(16) NOT NULL DEFAULT '',
  recorded_at datetime(6) NOT NULL,
  author bigint(20) unsigned NULL,
  body text NULL,
  PRIMARY KEY  (id),
  KEY lead_created (lead_id,created_at_ms),
  KEY delivery_id (delivery_id),
  KEY booking_uid (booking_uid),
  KEY trigger_created (trigger_event,created_at_ms)
) {$options};"
		);

		$index = $this->lead_index_table();
		$keys  = $this->lead_keys_table();
		// One row per lead: what the list filters, sorts and searches by (Lead_Index). One character set
		// for every text column: wpdb refuses non-ASCII text (a name) in a query on a table that mixes them.
		dbDelta(
			"CREATE TABLE {$index} (
  lead_id bigint(20) unsigned NOT NULL,
  post_status varchar(20) NOT NULL DEFAULT '',
  name varchar(191) NOT NULL DEFAULT '',
  email varchar(191) NOT NULL DEFAULT '',
  phone_digits varchar(32) NOT NULL DEFAULT '',
  phone_reversed varchar(32) NOT NULL DEFAULT '',
  status varchar(20) NOT NULL DEFAULT '',
  booking_start bigint(20) NULL,
  event_type varchar(191) NOT NULL DEFAULT '',
  last_change bigint(20) NOT NULL DEFAULT 0,
  owner bigint(20) unsigned NOT NULL DEFAULT 0,
  source varchar(100) NOT NULL DEFAULT '',
  indexed_modified datetime NOT NULL DEFAULT '0000-00-00 00:00:00',
  stage varchar(32) NOT NULL DEFAULT '',
  PRIMARY KEY  (lead_id),
  KEY post_status (post_status),
  KEY email (email),
  KEY phone_reversed (phone_reversed),
  KEY status_start (status,booking_start),
  KEY status_post_status (status,post_status),
  KEY booking_start (booking_start),
  KEY event_type (event_type),
  KEY last_change (last_change),
  KEY owner (owner),
  KEY source (source),
  KEY stage (stage)
) {$options};"
		);
		// The keys that identify a live lead, each held by one lead: claiming one is the atomic step of
		// creating a lead. key_hash = SHA-256 of kind and value, so a key is exact whatever its length.
		dbDelta(
			"CREATE TABLE {$keys} (
  key_hash binary(32) NOT NULL,
  kind varchar(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  lead_id bigint(20) unsigned NOT NULL,
  PRIMARY KEY  (key_hash),
  KEY lead_id (lead_id)
) {$options};"
		);

		$refusals = $this->refusals_table();
		$emails   = $this->delivery_emails_table();
		// Refused requests per clock hour, reason and whether they looked like Cal.com's (Refusal_Counter).
		dbDelta(
			"CREATE TABLE {$refusals} (
  hour datetime NOT NULL,
  reason_code varchar(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  calcom_like tinyint(1) unsigned NOT NULL DEFAULT 0,
  requests int(10) unsigned NOT NULL DEFAULT 0,
  newest datetime(6) NOT NULL,
  PRIMARY KEY  (hour,reason_code,calcom_like)
) {$options};"
		);
		// The e-mails a stored delivery names (its booker and guests), lowercased: the privacy tools find a
		// person's deliveries by exact e-mail through this, never by searching bodies.
		dbDelta(
			"CREATE TABLE {$emails} (
  email varchar(191) NOT NULL,
  delivery_id bigint(20) unsigned NOT NULL,
  role varchar(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT '',
  PRIMARY KEY  (email,delivery_id),
  KEY delivery_id (delivery_id)
) {$options};"
		);

		$ok = array() === array_filter( $this->tables(), fn ( string $table ): bool => ! $this->table_exists( $table ) ) && $this->backfill_reason_codes();
		if ( $ok ) {
			update_option( self::VERSION_OPTION, self::VERSION, true );
		}
		return $ok;
	}

	/**
	 * Schema 2 stores a reason code beside the reason: rows written before get the code their text
	 * meant (Reason::from_legacy_text()), in batches.
	 *
	 * @return bool False when a query failed (the upgrade runs again on the next request).
	 */
	public function backfill_reason_codes(): bool {
		global $wpdb;
		$table = $this->deliveries_table();
		do {
			$rows = $wpdb->get_results( "SELECT id, reason FROM {$table} WHERE reason_code = '' LIMIT 1000" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			if ( ! is_array( $rows ) ) {
				return false;
			}
			$by_code = array();
			foreach ( $rows as $row ) {
				$by_code[ Reason::from_legacy_text( (string) $row->reason ) ][] = (int) $row->id;
			}
			foreach ( $by_code as $code => $ids ) {
				$in = implode( ',', $ids );
				if ( false === $wpdb->query( $wpdb->prepare( "UPDATE {$table} SET reason_code = %s WHERE id IN ({$in})", $code ) ) ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
					return false;
				}
			}
		} while ( count( $rows ) === 1000 );
		return true;
	}

	/**
	 * Whether a table exists in the site's database.
	 *
	 * @param string $table Full table name.
	 */
	public function table_exists( string $table ): bool {
		global $wpdb;
		return $table === $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $wpdb->esc_like( $table ) ) );
	}

	/**
	 * Current UTC time with microseconds, as MySQL DATETIME(6) text.
	 */
	public static function now(): string {
		$now = \DateTimeImmutable::createFromFormat( 'U.u', sprintf( '%.6F', microtime( true ) ), new \DateTimeZone( 'UTC' ) );
		return false === $now ? gmdate( 'Y-m-d H:i:s' ) . '.000000' : $now->format( 'Y-m-d H:i:s.u' );
	}
}
