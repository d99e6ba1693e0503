<?php
/**
 * The deliveries table: one row per webhook request, whatever became of it.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

use SolarCapture\Plugin\Database\Rows;
use SolarCapture\Plugin\Database\Schema;
use SolarCapture\Plugin\Database\Storage_Exception;
use SolarCapture\Plugin\Engine;
use SolarCapture\Plugin\Leads\Lead_Post_Type;

defined( 'ABSPATH' ) || exit;

/**
 * Reads and writes {prefix}solar_capture_deliveries.
 *
 * Only the row that processed an event holds its event_key. The UNIQUE index on that column is the
 * duplicate check: claiming is an INSERT, so two concurrent deliveries of one event can't both win.
 */
final class Delivery_Store {

	public const ACCEPTED  = 'accepted';
	public const DUPLICATE = 'duplicate';
	public const IGNORED   = 'ignored';
	public const UNMATCHED = 'unmatched';
	public const REJECTED  = 'rejected';
	public const FAILED    = 'failed';

	/** Roles of a person a delivery names (the delivery e-mails table). */
	public const ROLE_BOOKER = 'booker';
	public const ROLE_GUEST  = 'guest';

	public const RESULTS = array( self::ACCEPTED, self::DUPLICATE, self::IGNORED, self::UNMATCHED, self::REJECTED, self::FAILED );

	/** MySQL's ER_DUP_ENTRY. */
	private const ER_DUP_ENTRY = 1062;

	/** Column lengths, in characters, of the text columns that take values from outside. */
	private const LENGTHS = array(
		'reason'        => 255,
		'trigger_event' => 100,
		'booking_uid'   => 191,
	);

	private const FORMATS = array(
		'received_at'   => '%s',
		'result'        => '%s',
		'reason_code'   => '%s',
		'reason'        => '%s',
		'source'        => '%s',
		'http_status'   => '%d',
		'trigger_event' => '%s',
		'booking_uid'   => '%s',
		'event_key'     => '%s',
		'duplicate_of'  => '%d',
		'body_sha256'   => '%s',
		'body'          => '%s',
		'secret_slot'   => '%d',
		'lead_id'       => '%d',
		'engine'        => '%s',
	);

	public function __construct( private Schema $schema, private Engine $engine ) {
	}

	public function table(): string {
		return $this->schema->deliveries_table();
	}

	/**
	 * Inserts the row that claims $row['event_key'].
	 *
	 * @param array<string, mixed> $row Columns; event_key is required.
	 * @return int The new row's id, or 0 when another row already holds the event_key (a duplicate).
	 * @throws Storage_Exception When the insert fails for any other reason.
	 */
	public function claim( array $row ): int {
		global $wpdb;
		$suppressed = $wpdb->suppress_errors( true ); // A duplicate is an expected outcome, not an error to log.
		$inserted   = $this->insert( $row );
		$errno      = $this->last_errno();
		$wpdb->suppress_errors( $suppressed );

		if ( false !== $inserted ) {
			return (int) $wpdb->insert_id;
		}
		if ( self::ER_DUP_ENTRY === $errno || str_starts_with( (string) $wpdb->last_error, 'Duplicate entry' ) ) {
			return 0;
		}
		throw new Storage_Exception( 'claiming the delivery failed' );
	}

	/**
	 * Inserts a row outside any claim (rejected, duplicate and failed deliveries). Best effort: the
	 * answer to the sender doesn't depend on it.
	 *
	 * @param array<string, mixed> $row Columns.
	 * @return int|null The new row's id, or null when it could not be stored.
	 */
	public function record( array $row ): ?int {
		global $wpdb;
		$row['event_key'] = null;
		return false === $this->insert( $row ) ? null : (int) $wpdb->insert_id;
	}

	/**
	 * Sets the final state of a claimed row.
	 *
	 * @param int                  $id     Row id.
	 * @param array<string, mixed> $fields Columns to change.
	 * @throws Storage_Exception When the update fails.
	 */
	public function update( int $id, array $fields ): void {
		$fields = $this->prepare( $fields );
		if ( ! Rows::update( $this->table(), $id, $fields, self::FORMATS ) ) {
			throw new Storage_Exception( 'updating the delivery failed' );
		}
	}

	/**
	 * update() for bookkeeping that must not fail the request.
	 *
	 * @param int                  $id     Row id.
	 * @param array<string, mixed> $fields Columns to change.
	 */
	public function update_quietly( int $id, array $fields ): bool {
		try {
			$this->update( $id, $fields );
			return true;
		} catch ( Storage_Exception $e ) {
			return false;
		}
	}

	/**
	 * Id of the row holding $event_key, read from the latest committed data.
	 *
	 * @param string $event_key Lowercase hex SHA-256.
	 */
	public function id_for_event_key( string $event_key ): ?int {
		global $wpdb;
		$id = $wpdb->get_var(
			$wpdb->prepare( "SELECT id FROM {$this->table()} WHERE event_key = %s LOCK IN SHARE MODE", $event_key ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
		return null === $id ? null : (int) $id;
	}

	/**
	 * One row, body included.
	 *
	 * @param int $id Row id.
	 */
	public function find( int $id ): ?object {
		global $wpdb;
		$row = $wpdb->get_row( $wpdb->prepare( "SELECT * FROM {$this->table()} WHERE id = %d", $id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_object( $row ) ? $row : null;
	}

	/**
	 * The newest row with a given result, and trigger or reason code when given (e.g. the last PING), without body.
	 *
	 * @param string      $result      A result.
	 * @param string|null $trigger     Trigger, or null for any.
	 * @param string|null $reason_code Reason code, or null for any.
	 */
	public function latest( string $result, ?string $trigger = null, ?string $reason_code = null ): ?object {
		global $wpdb;
		$sql  = "SELECT id, received_at, result, reason_code, reason, trigger_event, http_status, source FROM {$this->table()} WHERE result = %s";
		$args = array( $result );
		if ( null !== $trigger ) {
			$sql    .= ' AND trigger_event = %s';
			$args[] = $trigger;
		}
		if ( null !== $reason_code ) {
			$sql    .= ' AND reason_code = %s';
			$args[] = $reason_code;
		}
		$row = $wpdb->get_row( $wpdb->prepare( $sql . ' ORDER BY id DESC LIMIT 1', $args ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		return is_object( $row ) ? $row : null;
	}

	/**
	 * Rows for the delivery log, newest first, without bodies.
	 *
	 * @param array{result?: string, lead_id?: int, limit?: int, offset?: int} $args Filters and paging.
	 * @return object[]
	 */
	public function query( array $args = array() ): array {
		global $wpdb;
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT id, received_at, result, reason_code, reason, source, http_status, trigger_event, booking_uid, event_key, duplicate_of, body_sha256, body IS NOT NULL AS has_body, secret_slot, lead_id, engine FROM {$this->table()} {$this->where( $args )} ORDER BY id DESC LIMIT %d OFFSET %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- where() is prepared.
				max( 1, (int) ( $args['limit'] ?? 25 ) ),
				max( 0, (int) ( $args['offset'] ?? 0 ) )
			)
		);
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * How many rows query() would page through.
	 *
	 * @param array{result?: string, lead_id?: int} $args Filters.
	 */
	public function count( array $args = array() ): int {
		global $wpdb;
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$this->table()} {$this->where( $args )}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- where() is prepared.
	}

	/**
	 * Row counts per result, every result present (0 when none).
	 *
	 * @return array<string, int>
	 */
	public function counts_by_result(): array {
		global $wpdb;
		$counts = array_fill_keys( self::RESULTS, 0 );
		$rows   = $wpdb->get_results( "SELECT result, COUNT(*) AS n FROM {$this->table()} GROUP BY result" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			if ( isset( $counts[ $row->result ] ) ) {
				$counts[ $row->result ] = (int) $row->n;
			}
		}
		return $counts;
	}

	/**
	 * The newest row of any result, without body.
	 */
	public function newest(): ?object {
		$rows = $this->query( array( 'limit' => 1 ) );
		return $rows[0] ?? null;
	}

	/**
	 * Whether a delivery whose signature verified arrived after a UTC time.
	 *
	 * @param string $utc "Y-m-d H:i:s[.u]".
	 */
	public function verified_after( string $utc ): bool {
		global $wpdb;
		return null !== $wpdb->get_var( $wpdb->prepare( "SELECT id FROM {$this->table()} WHERE received_at > %s AND secret_slot IS NOT NULL LIMIT 1", $utc ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * Whether a row can be processed again at all: a failed or unmatched delivery that kept its body.
	 *
	 * @param object $row A row from query() or find().
	 */
	public static function is_reprocessable( object $row ): bool {
		$has_body = isset( $row->has_body ) ? (bool) (int) $row->has_body : null !== ( $row->body ?? null );
		return $has_body && in_array( $row->result, array( self::FAILED, self::UNMATCHED ), true );
	}

	/**
	 * Whether the log offers "Process again": a reprocessable row not processed again yet (a second
	 * time would only end as a duplicate).
	 *
	 * @param object $row A row from query() or find().
	 */
	public static function can_process_again( object $row ): bool {
		return self::is_reprocessable( $row ) && ! in_array( $row->reason_code ?? '', array( Reason::PROCESSED_AGAIN, Reason::ALREADY_PROCESSED ), true );
	}

	/**
	 * Ids of the rows that hold a person's data: those linked to their leads, and those that name their
	 * e-mail exactly, as booker or guest (unmatched or failed deliveries have no lead yet).
	 *
	 * @param int[]  $lead_ids The person's leads.
	 * @param string $email    Their e-mail.
	 * @param int    $limit    At most this many (oldest first).
	 * @param int    $offset   Skip this many.
	 * @return int[]
	 */
	public function ids_for_person( array $lead_ids, string $email, int $limit = 100, int $offset = 0 ): array {
		global $wpdb;
		$conditions = array();
		$lead_ids   = array_values( array_filter( array_map( 'intval', $lead_ids ) ) );
		if ( array() !== $lead_ids ) {
			$conditions[] = 'lead_id IN (' . implode( ',', $lead_ids ) . ')';
		}
		$email = Lead_Post_Type::normalize_email( $email );
		if ( '' !== $email ) {
			$conditions[] = $wpdb->prepare( "id IN (SELECT delivery_id FROM {$this->schema->delivery_emails_table()} WHERE email = %s)", $email ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		}
		if ( array() === $conditions ) {
			return array();
		}
		$ids = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT id FROM {$this->table()} WHERE " . implode( ' OR ', $conditions ) . ' ORDER BY id ASC LIMIT %d OFFSET %d', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- integers and a prepared clause.
				max( 1, $limit ),
				max( 0, $offset )
			)
		);
		return array_map( 'intval', is_array( $ids ) ? $ids : array() );
	}

	/**
	 * The role a delivery gives an e-mail: ROLE_BOOKER, ROLE_GUEST, or null when it doesn't name it.
	 *
	 * @param int    $id    Row id.
	 * @param string $email E-mail, any case.
	 */
	public function role_of( int $id, string $email ): ?string {
		global $wpdb;
		$role = $wpdb->get_var( $wpdb->prepare( "SELECT role FROM {$this->schema->delivery_emails_table()} WHERE email = %s AND delivery_id = %d", Lead_Post_Type::normalize_email( $email ), $id ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_string( $role ) ? $role : null;
	}

	/**
	 * Removes a person's data from deliveries. Accepted rows stay without body, lead and booking uid
	 * (their event_key, a hash, still recognises a late repeat of the same event); every other row is
	 * deleted; nothing links them to an e-mail any more.
	 *
	 * @param int[] $ids Row ids from ids_for_person().
	 * @return int Rows changed or deleted.
	 */
	public function erase( array $ids ): int {
		global $wpdb;
		$ids = array_values( array_filter( array_map( 'intval', $ids ) ) );
		if ( array() === $ids ) {
			return 0;
		}
		$in      = implode( ',', $ids );
		$cleared = $wpdb->query( $wpdb->prepare( "UPDATE {$this->table()} SET body = NULL, lead_id = NULL, booking_uid = NULL WHERE id IN ({$in}) AND result = %s", self::ACCEPTED ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
		$deleted = $wpdb->query( $wpdb->prepare( "DELETE FROM {$this->table()} WHERE id IN ({$in}) AND result <> %s", self::ACCEPTED ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
		$wpdb->query( "DELETE FROM {$this->schema->delivery_emails_table()} WHERE delivery_id IN ({$in})" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
		return ( is_int( $cleared ) ? $cleared : 0 ) + ( is_int( $deleted ) ? $deleted : 0 );
	}

	/**
	 * Applies the retention period to rows older than $days: stored bodies (personal data) are removed
	 * from accepted rows, which stay so that their event_key still recognises a late repeat; every other
	 * row (refused, duplicate, ignored, unmatched, failed) is deleted.
	 *
	 * @param int $days Age in days.
	 * @return int Rows deleted or emptied.
	 */
	public function prune( int $days ): int {
		global $wpdb;
		$cutoff = gmdate( 'Y-m-d H:i:s', time() - max( 1, $days ) * DAY_IN_SECONDS );
		$total  = 0;
		// In batches, so one run never holds a long lock on a big table; a daily run catches up.
		for ( $batch = 0; $batch < 20; $batch++ ) {
			$deleted = $wpdb->query(
				$wpdb->prepare(
					"DELETE FROM {$this->table()} WHERE result <> %s AND received_at < %s LIMIT 5000", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
					self::ACCEPTED,
					$cutoff
				)
			);
			$emptied = $wpdb->query(
				$wpdb->prepare(
					"UPDATE {$this->table()} SET body = NULL WHERE result = %s AND body IS NOT NULL AND received_at < %s LIMIT 5000", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
					self::ACCEPTED,
					$cutoff
				)
			);
			$done    = ( is_int( $deleted ) ? $deleted : 0 ) + ( is_int( $emptied ) ? $emptied : 0 );
			$total   += $done;
			if ( $done < 5000 ) {
				break;
			}
		}
		// Links of deleted rows (accepted rows keep theirs: their booking uid still names the person).
		$emails = $this->schema->delivery_emails_table();
		$wpdb->query( "DELETE e FROM {$emails} e LEFT JOIN {$this->table()} d ON d.id = e.delivery_id WHERE d.id IS NULL" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return $total;
	}

	/**
	 * WHERE clause for query() and count(), prepared.
	 *
	 * @param array<string, mixed> $args result, lead_id.
	 */
	private function where( array $args ): string {
		global $wpdb;
		$clauses = array();
		if ( isset( $args['result'] ) && in_array( $args['result'], self::RESULTS, true ) ) {
			$clauses[] = $wpdb->prepare( 'result = %s', $args['result'] );
		}
		if ( isset( $args['lead_id'] ) && (int) $args['lead_id'] > 0 ) {
			$clauses[] = $wpdb->prepare( 'lead_id = %d', (int) $args['lead_id'] );
		}
		return array() === $clauses ? '' : 'WHERE ' . implode( ' AND ', $clauses );
	}

	/**
	 * @param array<string, mixed> $row Columns.
	 */
	private function insert( array $row ): bool {
		global $wpdb;
		$emails = is_array( $row['emails'] ?? null ) ? $row['emails'] : array();
		$row    = $this->prepare(
			array_merge(
				array(
					'received_at' => Schema::now(),
					'engine'      => $this->engine->label(),
				),
				$row
			)
		);
		if ( ! Rows::insert( $this->table(), $row, self::FORMATS ) ) {
			return false;
		}
		$id              = (int) $wpdb->insert_id;
		$linked          = $this->link_emails( $id, $emails );
		$wpdb->insert_id = $id; // The links' INSERT (no AUTO_INCREMENT) set it to 0; callers read the row's.
		return $linked;
	}

	/**
	 * The people a normalised event names, by lowercased e-mail: its booker and its guests.
	 *
	 * @param array<string, mixed> $event Normalised event.
	 * @return array<string, string> E-mail => ROLE_BOOKER or ROLE_GUEST.
	 */
	public static function people( array $event ): array {
		$people = array();
		foreach ( is_array( $event['guests'] ?? null ) ? $event['guests'] : array() as $guest ) {
			$people[ Lead_Post_Type::normalize_email( (string) $guest ) ] = self::ROLE_GUEST;
		}
		$people[ Lead_Post_Type::normalize_email( (string) ( $event['attendee']['email'] ?? '' ) ) ] = self::ROLE_BOOKER;
		unset( $people[''] );
		return $people;
	}

	/**
	 * Records which people a stored delivery names, so that the privacy tools find it by exact e-mail.
	 *
	 * @param int                   $id     Delivery row id.
	 * @param array<string, string> $people From people().
	 */
	private function link_emails( int $id, array $people ): bool {
		global $wpdb;
		if ( array() === $people || $id <= 0 ) {
			return true;
		}
		$values = array();
		foreach ( $people as $email => $role ) {
			$values[] = $wpdb->prepare( '(%s, %d, %s)', mb_substr( (string) $email, 0, 191, 'UTF-8' ), $id, $role );
		}
		return false !== $wpdb->query( "INSERT IGNORE INTO {$this->schema->delivery_emails_table()} (email, delivery_id, role) VALUES " . implode( ', ', $values ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- prepared values.
	}

	/**
	 * Links the stored deliveries of sites upgraded from before schema 5 to the people they name, in
	 * batches (only rows that kept a body can tell; the retention period bounds how many there are).
	 *
	 * @return int Rows linked.
	 */
	public function link_stored_emails(): int {
		global $wpdb;
		$linked = 0;
		$after  = 0;
		do {
			$rows = $wpdb->get_results( $wpdb->prepare( "SELECT id, body FROM {$this->table()} WHERE id > %d AND body IS NOT NULL ORDER BY id ASC LIMIT 200", $after ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$rows = is_array( $rows ) ? $rows : array();
			foreach ( $rows as $row ) {
				$after = (int) $row->id;
				try {
					$event = \SolarCapture\normalize_payload( (string) $row->body );
				} catch ( \Throwable $e ) {
					continue; // A body the engine can't read names nobody it could tell.
				}
				$linked += $this->link_emails( $after, self::people( $event ) ) ? 1 : 0;
			}
		} while ( 200 === count( $rows ) );
		return $linked;
	}

	/**
	 * Keeps known columns and cuts text to the column length (wpdb refuses longer values outright).
	 *
	 * @param array<string, mixed> $row Columns.
	 * @return array<string, mixed>
	 */
	private function prepare( array $row ): array {
		$row = array_intersect_key( $row, self::FORMATS );
		foreach ( self::LENGTHS as $column => $length ) {
			if ( isset( $row[ $column ] ) && is_string( $row[ $column ] ) ) {
				$row[ $column ] = mb_substr( $row[ $column ], 0, $length, 'UTF-8' );
			}
		}
		return $row;
	}

	private function last_errno(): int {
		global $wpdb;
		$dbh = $wpdb->dbh;
		return $dbh instanceof \mysqli ? mysqli_errno( $dbh ) : 0;
	}
}
