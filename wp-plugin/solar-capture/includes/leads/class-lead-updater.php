<?php
/**
 * What a normalised Cal.com event does to a lead (contract section 3).
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Pipeline\Delivery_Store;

defined( 'ABSPATH' ) || exit;

/**
 * Trigger effects, matching and the ordering guard. Runs inside the delivery transaction, under the
 * matching lock; throws Storage_Exception on any failed write so the caller rolls everything back.
 */
final class Lead_Updater {

	/** The event concerns a lead. */
	public const KIND_LEAD = 'lead';
	/** Cal.com's "Ping test" button. */
	public const KIND_PING = 'ping';
	/** No lead effect at all (forms, out of office, recordings, triggers not known). */
	public const KIND_IGNORED = 'ignored';

	/** The status each trigger sets. */
	public const STATUS_EFFECTS = array(
		'BOOKING_CREATED'         => 'booked',
		'BOOKING_REQUESTED'       => 'requested',
		'BOOKING_CONFIRMED'       => 'booked',
		'BOOKING_PAID'            => 'booked',
		'BOOKING_RESCHEDULED'     => 'rescheduled',
		'BOOKING_CANCELLED'       => 'cancelled',
		'BOOKING_REJECTED'        => 'rejected',
		'MEETING_ENDED'           => 'completed',
		'BOOKING_NO_SHOW_UPDATED' => 'no_show',
	);

	/**
	 * Triggers that carry the booking itself: they may match by e-mail, create a lead, and set its
	 * contact details, uid, times and event type. NO_SHOW_UPDATED is left out on purpose: its first
	 * attendee may be a guest.
	 */
	public const BOOKING_DETAIL_TRIGGERS = array(
		'BOOKING_CREATED',
		'BOOKING_REQUESTED',
		'BOOKING_CONFIRMED',
		'BOOKING_PAID',
		'BOOKING_RESCHEDULED',
		'BOOKING_CANCELLED',
		'BOOKING_REJECTED',
	);

	/** Booking-related triggers kept on a matched lead's timeline that change no status. */
	public const TIMELINE_ONLY_TRIGGERS = array(
		'MEETING_STARTED',
		'BOOKING_PAYMENT_INITIATED',
		'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
		'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
		'BOOKING_REASSIGNED',
		'BOOKING_LOCATION_UPDATED',
	);

	public function __construct( private Lead_Store $leads, private Lead_Index $index, private Timeline $timeline ) {
	}

	/**
	 * How the pipeline treats a trigger.
	 *
	 * @param string $trigger triggerEvent, verbatim.
	 * @return string One of the KIND_ constants.
	 */
	public static function kind( string $trigger ): string {
		if ( 'PING' === $trigger ) {
			return self::KIND_PING;
		}
		if ( isset( self::STATUS_EFFECTS[ $trigger ] ) || in_array( $trigger, self::TIMELINE_ONLY_TRIGGERS, true ) ) {
			return self::KIND_LEAD;
		}
		return self::KIND_IGNORED;
	}

	/**
	 * Applies a KIND_LEAD event.
	 *
	 * @param array<string, mixed> $event       Normalised event (contract section 2).
	 * @param int                  $delivery_id The claiming delivery row.
	 * @return array{result: string, lead_id: ?int, created: bool, applied: bool, note: string, matched_by: ?string}
	 * @throws Storage_Exception When a write fails.
	 */
	public function apply( array $event, int $delivery_id ): array {
		$change = $this->index->deferring( fn (): array => $this->apply_to_lead( $event, $delivery_id ) );
		if ( null !== $change['lead_id'] ) {
			// The index follows in the same transaction: once, after every write of this event.
			$this->index->sync( array( $change['lead_id'] ) );
		}
		return $change;
	}

	/**
	 * apply() without the index.
	 *
	 * @param array<string, mixed> $event       Normalised event.
	 * @param int                  $delivery_id The claiming delivery row.
	 * @return array{result: string, lead_id: ?int, created: bool, applied: bool, note: string, matched_by: ?string, ignored_lead_id: ?int}
	 */
	private function apply_to_lead( array $event, int $delivery_id ): array {
		$trigger     = (string) $event['trigger'];
		$is_booking  = str_starts_with( $trigger, 'BOOKING_' );
		$has_details = in_array( $trigger, self::BOOKING_DETAIL_TRIGGERS, true );
		$attendee    = is_array( $event['attendee'] ?? null ) ? $event['attendee'] : array();
		$email       = Lead::normalize_email( (string) ( $attendee['email'] ?? '' ) );
		$uids        = array_values( array_filter( array( $event['booking_uid'] ?? null, $event['rescheduled_from_uid'] ?? null ), 'is_string' ) );

		list( $lead_id, $matched_by, $ignored ) = $this->match( $event, $uids, $has_details ? $email : '', $email );

		$created = false;
		if ( null === $lead_id ) {
			// Only a booking with an attendee e-mail makes a lead; anything else waits as "unmatched".
			if ( ! $has_details || '' === $email ) {
				return array(
					'result'          => Delivery_Store::UNMATCHED,
					'lead_id'         => null,
					'created'         => false,
					'applied'         => false,
					'note'            => '',
					'matched_by'      => null,
					'ignored_lead_id' => $ignored,
				);
			}
			$lead_id = $this->leads->create( $this->lead_title( $attendee, $email ) );
			$created = true;
			// The atomic step: of two deliveries creating a lead for one booking, the second loses here.
			$this->index->claim( $lead_id, $uids, $email );
		} else {
			// Deliveries for this lead wait for each other; deliveries for other leads don't.
			$this->index->lock_lead( $lead_id );
		}

		$this->leads->add_booking_uids( $lead_id, $uids );

		$status = self::STATUS_EFFECTS[ $trigger ] ?? null;
		$last   = $this->leads->fresh_meta( $lead_id, Lead::META_LAST_EVENT_AT );
		if ( null === $status ) {
			$note = Timeline::NOTE_NO_STATUS_EFFECT;
		} elseif ( 'BOOKING_REQUESTED' === $trigger && null !== ( $event['rescheduled_from_uid'] ?? null ) && ! $created ) {
			// A reschedule waiting for the organiser's confirmation: the booking as it stands is unchanged.
			$note = Timeline::NOTE_PENDING_RESCHEDULE;
		} elseif ( $is_booking && is_numeric( $last ) && (int) $event['created_at_ms'] < (int) $last ) {
			// MEETING_* never get here: their createdAt is the booking's creation time, not the event's.
			$note = Timeline::NOTE_OLDER;
		} else {
			$note = Timeline::NOTE_APPLIED;
		}
		$applied = Timeline::NOTE_APPLIED === $note;

		if ( $applied ) {
			$this->apply_status( $lead_id, $event, (string) $status, $is_booking, $has_details, $attendee, $email, $created );
		}

		$this->leads->flush_meta( $lead_id );
		$this->timeline->add( $lead_id, $delivery_id, $event, $applied, $note );

		return array(
			'result'          => Delivery_Store::ACCEPTED,
			'lead_id'         => $lead_id,
			'created'         => $created,
			'applied'         => $applied,
			'note'            => $note,
			'matched_by'      => $created ? 'new' : $matched_by,
			'ignored_lead_id' => $ignored,
		);
	}

	/**
	 * First hit wins (contract section 3): a trusted metadata lead_id; a lead that has held the booking uid
	 * or the uid it was rescheduled from; the attendee e-mail (booking triggers only).
	 *
	 * A lead id is trusted with its signed reference (metadata.lead_ref), or when that lead's e-mail is the
	 * attendee's: anybody can put ?metadata[lead_id]=4 into a booking link, and Cal.com signs it along.
	 * An id that is not trusted is ignored (the delivery says so) and matching goes on.
	 *
	 * @param array<string, mixed> $event          Normalised event.
	 * @param string[]             $uids           booking_uid and rescheduled_from_uid, when present.
	 * @param string               $email          Normalised e-mail, or '' when e-mail matching doesn't apply.
	 * @param string               $attendee_email Normalised attendee e-mail, whatever the trigger.
	 * @return array{0: ?int, 1: ?string, 2: ?int} Lead id, the rule that found it, and a lead id ignored.
	 */
	private function match( array $event, array $uids, string $email, string $attendee_email ): array {
		$ignored = null;
		if ( is_int( $event['lead_id'] ?? null ) ) {
			$id = $this->leads->find_by_id( $event['lead_id'] );
			if ( null !== $id && Lead_Reference::verifies( $id, $event['metadata']['lead_ref'] ?? null ) ) {
				return array( $id, 'lead_ref', null );
			}
			if ( null !== $id && '' !== $attendee_email && $this->leads->fresh_meta( $id, Lead::META_EMAIL ) === $attendee_email ) {
				return array( $id, 'lead_id', null );
			}
			$ignored = $event['lead_id'];
		}
		$id = $this->leads->find_by_uids( $uids );
		if ( null !== $id ) {
			return array( $id, 'uid', $ignored );
		}
		if ( '' !== $email ) {
			$id = $this->leads->find_by_email( $email );
			if ( null !== $id ) {
				return array( $id, 'email', $ignored );
			}
		}
		return array( null, null, $ignored );
	}

	/**
	 * Writes the status and, for booking triggers, what the booking now is.
	 *
	 * @param int                  $lead_id     Lead id.
	 * @param array<string, mixed> $event       Normalised event.
	 * @param string               $status      New status.
	 * @param bool                 $is_booking  BOOKING_* trigger (takes part in the ordering guard).
	 * @param bool                 $has_details Trigger carries the booking's details.
	 * @param array<string, mixed> $attendee    First attendee.
	 * @param string               $email       Normalised attendee e-mail.
	 * @param bool                 $created     Whether this event created the lead.
	 */
	private function apply_status( int $lead_id, array $event, string $status, bool $is_booking, bool $has_details, array $attendee, string $email, bool $created ): void {
		$this->leads->set_meta( $lead_id, Lead::META_STATUS, $status );
		if ( $is_booking ) {
			$this->leads->set_meta( $lead_id, Lead::META_LAST_EVENT_AT, (int) $event['created_at_ms'] );
		}
		if ( ! $has_details ) {
			return;
		}

		if ( is_string( $event['booking_uid'] ) ) {
			$this->leads->set_meta( $lead_id, Lead::META_BOOKING_UID, $event['booking_uid'] );
		}
		if ( is_int( $event['start'] ) ) {
			$this->leads->set_meta( $lead_id, Lead::META_BOOKING_START, $event['start'] );
		}
		if ( is_int( $event['end'] ) ) {
			$this->leads->set_meta( $lead_id, Lead::META_BOOKING_END, $event['end'] );
		}
		if ( is_string( $event['event_type'] ) && '' !== $event['event_type'] ) {
			$this->leads->set_meta( $lead_id, Lead::META_EVENT_TYPE, $event['event_type'] );
		}
		$this->leads->set_meta(
			$lead_id,
			Lead::META_CANCELLATION_REASON,
			'BOOKING_CANCELLED' === $event['trigger'] && is_string( $event['cancellation_reason'] ) && '' !== $event['cancellation_reason']
				? $event['cancellation_reason']
				: null
		);

		// A booking never replaces the name or e-mail of a lead it was matched to: whoever booked through
		// a lead's link may be somebody else. A different attendee e-mail is kept as the booking's.
		$lead_email = $created ? '' : (string) $this->leads->fresh_meta( $lead_id, Lead::META_EMAIL );
		if ( '' !== $email && '' === $lead_email ) {
			$this->leads->set_meta( $lead_id, Lead::META_EMAIL, $email );
			$lead_email = $email;
		}
		$this->leads->set_meta( $lead_id, Lead::META_BOOKING_EMAIL, '' !== $email && $email !== $lead_email ? $email : null );
		if ( is_string( $attendee['phone'] ?? null ) && '' !== $attendee['phone'] ) {
			$this->leads->set_meta( $lead_id, Lead::META_PHONE, $attendee['phone'] );
		}
		if ( is_string( $attendee['name'] ?? null ) && '' !== trim( $attendee['name'] ) && ( $created || '' === $this->leads->title( $lead_id ) ) ) {
			$this->leads->set_title( $lead_id, trim( $attendee['name'] ) );
		}
	}

	/**
	 * The lead's name, falling back to the e-mail.
	 *
	 * @param array<string, mixed> $attendee First attendee.
	 * @param string               $email    Normalised e-mail.
	 */
	private function lead_title( array $attendee, string $email ): string {
		$name = is_string( $attendee['name'] ?? null ) ? trim( $attendee['name'] ) : '';
		return '' !== $name ? $name : $email;
	}
}
