<?php
/**
 * Every event a lead has seen, applied or not.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

use SolarCapture\Plugin\Database\Rows;
use SolarCapture\Plugin\Database\Schema;
use SolarCapture\Plugin\Database\Storage_Exception;
use SolarCapture\Plugin\Pipeline\Reason;

defined( 'ABSPATH' ) || exit;

/**
 * Reads and writes {prefix}solar_capture_timeline.
 *
 * A table rather than post meta: an entry is one typed row (times as integers, a delivery id, an
 * applied flag) appended with one INSERT in the delivery's transaction, read back ordered by event time
 * through an index, and joined to deliveries without unserialising anything. Meta rows would need a
 * serialized array per entry and sorting in PHP, and would load into every lead's meta cache.
 */
final class Timeline {

	/** The event set the lead's status. */
	public const NOTE_APPLIED = Reason::APPLIED;
	/** A BOOKING_* event older than the newest one applied: kept, status unchanged. */
	public const NOTE_OLDER = Reason::OLDER_THAN_LAST_EVENT;
	/** BOOKING_REQUESTED for a reschedule that awaits confirmation: status unchanged. */
	public const NOTE_PENDING_RESCHEDULE = Reason::PENDING_RESCHEDULE;
	/** A trigger that is recorded on the lead but has no status of its own (MEETING_STARTED, ...). */
	public const NOTE_NO_STATUS_EFFECT = Reason::NO_STATUS_EFFECT;
	/** The visitor sent the site's enquiry form. */
	public const NOTE_FORM_SUBMITTED = 'form_submitted';

	public function __construct( private Schema $schema ) {
	}

	public function add_hooks(): void {
		add_action( 'delete_post', array( $this, 'delete_for_lead' ), 10, 2 );
	}

	public function table(): string {
		return $this->schema->timeline_table();
	}

	/**
	 * Appends one entry.
	 *
	 * @param int                  $lead_id     Lead post id.
	 * @param int|null             $delivery_id Delivery row id.
	 * @param array<string, mixed> $event       Normalised event.
	 * @param bool                 $applied     Whether it changed the status.
	 * @param string               $note        One of the NOTE_ constants.
	 * @throws Storage_Exception When the insert fails.
	 */
	public function add( int $lead_id, ?int $delivery_id, array $event, bool $applied, string $note ): int {
		global $wpdb;
		$detail = $event['cancellation_reason'] ?? $event['rejection_reason'] ?? $event['reschedule_reason'] ?? null;
		$row    = array(
			'lead_id'              => $lead_id,
			'delivery_id'          => $delivery_id,
			'trigger_event'        => mb_substr( (string) $event['trigger'], 0, 100, 'UTF-8' ),
			'created_at_ms'        => (int) $event['created_at_ms'],
			'booking_uid'          => self::cut( $event['booking_uid'] ?? null, 191 ),
			'rescheduled_from_uid' => self::cut( $event['rescheduled_from_uid'] ?? null, 191 ),
			'start_at'             => $event['start'] ?? null,
			'end_at'               => $event['end'] ?? null,
			'applied'              => $applied ? 1 : 0,
			'note'                 => $note,
			'detail'               => self::cut( is_string( $detail ) ? $detail : null, 255 ),
			// The booking form's answers as this event carried them (Cal.com's `responses`), JSON.
			'answers'              => Booking_Answers::record( is_array( $event['responses'] ?? null ) ? $event['responses'] : array(), is_array( $event['response_labels'] ?? null ) ? $event['response_labels'] : array() ),
			// How the event arrived (Delivery_Source kind): "api" is a booking found by reconciliation.
			'source'               => is_string( $event['source'] ?? null ) ? $event['source'] : '',
			'recorded_at'          => Schema::now(),
		);
		if ( ! Rows::insert( $this->table(), $row, array_combine( array_keys( $row ), array( '%d', '%d', '%s', '%d', '%s', '%s', '%d', '%d', '%d', '%s', '%s', '%s', '%s', '%s' ) ) ) ) {
			throw new Storage_Exception( 'adding the timeline entry failed' );
		}
		return (int) $wpdb->insert_id;
	}

	/**
	 * Appends an entry of the sales team's (a note, a stage or owner change), now, by $author.
	 *
	 * @param int         $lead_id Lead post id.
	 * @param string      $trigger What happened (Sales_Team::TRIGGER_*).
	 * @param string      $detail  One line about it.
	 * @param string|null $body    A note's text.
	 * @param int         $author  Who did it (0: Solar Capture itself).
	 * @throws Storage_Exception When the insert fails.
	 */
	public function add_entry( int $lead_id, string $trigger, string $detail, ?string $body, int $author ): int {
		global $wpdb;
		$row = array(
			'lead_id'       => $lead_id,
			'trigger_event' => $trigger,
			'created_at_ms' => (int) floor( microtime( true ) * 1000 ),
			'applied'       => 0,
			'note'          => '',
			'detail'        => self::cut( '' === $detail ? null : $detail, 255 ),
			'body'          => $body,
			'author'        => $author > 0 ? $author : null,
			'recorded_at'   => Schema::now(),
		);
		if ( ! Rows::insert( $this->table(), $row, array_combine( array_keys( $row ), array( '%d', '%s', '%d', '%d', '%s', '%s', '%s', '%d', '%s' ) ) ) ) {
			throw new Storage_Exception( 'adding the timeline entry failed' );
		}
		return (int) $wpdb->insert_id;
	}

	/**
	 * A lead's entries, oldest event first.
	 *
	 * @param int $lead_id Lead post id.
	 * @return object[]
	 */
	public function for_lead( int $lead_id ): array {
		global $wpdb;
		$rows = $wpdb->get_results(
			$wpdb->prepare( "SELECT * FROM {$this->table()} WHERE lead_id = %d ORDER BY created_at_ms ASC, id ASC", $lead_id ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
		return is_array( $rows ) ? $rows : array();
	}

	/**
	 * The triggers recorded for a booking uid on any lead's timeline (reconciliation's "already
	 * applied?" check; the timeline is kept as long as the lead, unlike deliveries).
	 *
	 * @param string $booking_uid Booking uid.
	 * @return string[]
	 */
	public function triggers_for_booking( string $booking_uid ): array {
		global $wpdb;
		$triggers = $wpdb->get_col(
			$wpdb->prepare( "SELECT DISTINCT trigger_event FROM {$this->table()} WHERE booking_uid = %s", mb_substr( $booking_uid, 0, 191, 'UTF-8' ) ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		);
		return is_array( $triggers ) ? array_map( 'strval', $triggers ) : array();
	}

	/**
	 * Deletes a lead's entries with the lead (what post meta would get for free).
	 *
	 * @param int           $post_id Post being deleted.
	 * @param \WP_Post|null $post    The post.
	 */
	public function delete_for_lead( $post_id, $post = null ): void {
		global $wpdb;
		if ( ! $post instanceof \WP_Post || Lead_Post_Type::POST_TYPE !== $post->post_type ) {
			return;
		}
		$wpdb->delete( $this->table(), array( 'lead_id' => (int) $post_id ), array( '%d' ) );
	}

	private static function cut( ?string $value, int $length ): ?string {
		return null === $value ? null : mb_substr( $value, 0, $length, 'UTF-8' );
	}
}
