<?php
/**
 * The deliveries table: one row per webhook request, whatever became of it.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

/**
 * Reads and writes {prefix}solar_capture_deliveries.
 *
 * Only the row that processed an event holds its event_key. The UNIQUE index on that column is the
 * duplicate check: claiming is an INSERT, so two concurrent deliveries of one event can't both win.
 */
final class Deliveries {

	public const ACCEPTED  = 'accepted';
	public const DUPLICATE = 'duplicate';
	public const IGNORED   = 'ignored';
	public const UNMATCHED = 'unmatched';
	public const REJECTED  = 'rejected';
	public const FAILED    = 'failed';

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
		'reason'        => '%s',
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
		global $wpdb;
		$fields = $this->prepare( $fields );
		$result = $wpdb->update(
			$this->table(),
			$fields,
			array( 'id' => $id ),
			$this->formats( $fields ),
			array( '%d' )
		);
		if ( false === $result ) {
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
	 * The newest rows, without bodies.
	 *
	 * @param int      $limit   How many.
	 * @param string[] $results Only these results (all when empty).
	 * @return object[]
	 */
	public function recent( int $limit = 25, array $results = array() ): array {
		global $wpdb;
		$where = '';
		if ( array() !== $results ) {
			$results = array_values( array_intersect( $results, self::RESULTS ) );
			$where   = $wpdb->prepare( 'WHERE result IN (' . implode( ',', array_fill( 0, count( $results ), '%s' ) ) . ')', $results ); // phpcs:ignore WordPress.DB.PreparedSQLPlaceholders
		}
		$rows = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT id, received_at, result, reason, http_status, trigger_event, booking_uid, event_key, duplicate_of, body_sha256, body IS NOT NULL AS has_body, secret_slot, lead_id, engine FROM {$this->table()} {$where} ORDER BY id DESC LIMIT %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				max( 1, $limit )
			)
		);
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * The newest row with a given trigger and result (e.g. the last PING), without body.
	 *
	 * @param string      $result  A result.
	 * @param string|null $trigger Trigger, or null for any.
	 * @param string|null $reason  Reason prefix, or null for any.
	 */
	public function latest( string $result, ?string $trigger = null, ?string $reason = null ): ?object {
		global $wpdb;
		$sql  = "SELECT id, received_at, result, reason, trigger_event, http_status FROM {$this->table()} WHERE result = %s";
		$args = array( $result );
		if ( null !== $trigger ) {
			$sql   .= ' AND trigger_event = %s';
			$args[] = $trigger;
		}
		if ( null !== $reason ) {
			$sql   .= ' AND reason LIKE %s';
			$args[] = $wpdb->esc_like( $reason ) . '%';
		}
		$row = $wpdb->get_row( $wpdb->prepare( $sql . ' ORDER BY id DESC LIMIT 1', $args ) ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared
		return is_object( $row ) ? $row : null;
	}

	/**
	 * Deletes old rows that carry no data worth keeping: rejected, duplicate and ignored deliveries.
	 * Accepted, unmatched and failed rows (the ones with bodies) are kept.
	 *
	 * @param int $days Age in days.
	 * @return int Rows deleted.
	 */
	public function prune( int $days ): int {
		global $wpdb;
		$cutoff  = gmdate( 'Y-m-d H:i:s', time() - max( 1, $days ) * DAY_IN_SECONDS );
		$deleted = $wpdb->query(
			$wpdb->prepare(
				"DELETE FROM {$this->table()} WHERE result IN (%s, %s, %s) AND received_at < %s LIMIT 10000", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				self::REJECTED,
				self::DUPLICATE,
				self::IGNORED,
				$cutoff
			)
		);
		return is_int( $deleted ) ? $deleted : 0;
	}

	/**
	 * @param array<string, mixed> $row Columns.
	 * @return int|false
	 */
	private function insert( array $row ) {
		global $wpdb;
		$row = $this->prepare(
			array_merge(
				array(
					'received_at' => Schema::now(),
					'engine'      => $this->engine->label(),
				),
				$row
			)
		);
		return $wpdb->insert( $this->table(), $row, $this->formats( $row ) );
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

	/**
	 * @param array<string, mixed> $row Columns.
	 * @return string[]
	 */
	private function formats( array $row ): array {
		// wpdb pairs formats with columns by position.
		return array_map( static fn ( string $column ): string => self::FORMATS[ $column ], array_keys( $row ) );
	}

	private function last_errno(): int {
		global $wpdb;
		$dbh = $wpdb->dbh;
		return $dbh instanceof \mysqli ? mysqli_errno( $dbh ) : 0;
	}
}
