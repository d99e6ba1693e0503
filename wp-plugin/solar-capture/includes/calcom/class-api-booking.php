<?php
/**
 * A booking read from Cal.com's API, as the webhook that would have announced its state.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Calcom;

defined( 'ABSPATH' ) || exit;

/**
 * Maps an API v2 booking (BookingOutput_2024_08_13 and its recurring and seated forms) onto Cal.com's
 * webhook body, so reconciliation feeds the one pipeline (and the one normaliser) every webhook goes
 * through. The event's createdAt is the booking's updatedAt (else createdAt): the moment of the state
 * the API shows, so the usual ordering rule decides whether it is older than what the lead has.
 *
 * Which webhook a state stands for:
 * - cancelled with rescheduledToUid: replaced by a reschedule, not a cancellation (the new booking is
 *   what counts);
 * - cancelled: BOOKING_CANCELLED; rejected: BOOKING_REJECTED;
 * - pending: BOOKING_REQUESTED (with rescheduledFromUid: a reschedule awaiting confirmation);
 * - accepted with rescheduledFromUid: BOOKING_RESCHEDULED; accepted: BOOKING_CREATED;
 * - anything else (awaiting_host, a status Cal.com adds later): nothing to apply.
 */
final class Api_Booking {

	/**
	 * How far a booking has got: a state is already reflected when the lead's timeline holds an event of
	 * the same booking at the same stage or a later one (a cancelled booking never becomes accepted
	 * again: a reschedule makes a new booking).
	 */
	private const STAGES = array(
		'BOOKING_REQUESTED'   => 1,
		'BOOKING_CREATED'     => 2,
		'BOOKING_RESCHEDULED' => 2,
		'BOOKING_PAID'        => 2,
		'BOOKING_CANCELLED'   => 3,
		'BOOKING_REJECTED'    => 3,
	);

	/**
	 * The webhook trigger the booking's state stands for, or null when there is nothing to apply.
	 *
	 * @param array<string, mixed> $booking API booking.
	 */
	public static function trigger( array $booking ): ?string {
		$status = strtolower( self::text( $booking['status'] ?? null ) ?? '' );
		switch ( $status ) {
			case 'cancelled':
				return null === self::replaced_by( $booking ) ? 'BOOKING_CANCELLED' : null;
			case 'rejected':
				return 'BOOKING_REJECTED';
			case 'pending':
				return 'BOOKING_REQUESTED';
			case 'accepted':
				return null === self::text( $booking['rescheduledFromUid'] ?? null ) ? 'BOOKING_CREATED' : 'BOOKING_RESCHEDULED';
			default:
				return null;
		}
	}

	/**
	 * The uid of the booking that replaced this one in a reschedule, or null.
	 *
	 * @param array<string, mixed> $booking API booking.
	 */
	public static function replaced_by( array $booking ): ?string {
		return 'cancelled' === strtolower( self::text( $booking['status'] ?? null ) ?? '' ) ? self::text( $booking['rescheduledToUid'] ?? null ) : null;
	}

	/**
	 * Whether the triggers a lead's timeline holds for this booking already reflect $trigger.
	 *
	 * @param string   $trigger  From trigger().
	 * @param string[] $recorded Triggers on the timeline for the same booking uid.
	 */
	public static function is_reflected( string $trigger, array $recorded ): bool {
		$stage = self::STAGES[ $trigger ] ?? PHP_INT_MAX;
		foreach ( $recorded as $seen ) {
			if ( ( self::STAGES[ $seen ] ?? 0 ) >= $stage ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * When the booking last changed (updatedAt, else createdAt), as given.
	 *
	 * @param array<string, mixed> $booking API booking.
	 */
	public static function changed_at( array $booking ): ?string {
		return self::text( $booking['updatedAt'] ?? null ) ?? self::text( $booking['createdAt'] ?? null );
	}

	/**
	 * The webhook body of the booking's state (JSON), or null when trigger() is null or the booking has
	 * no uid or no time.
	 *
	 * @param array<string, mixed> $booking API booking.
	 */
	public static function webhook_body( array $booking ): ?string {
		$trigger = self::trigger( $booking );
		$uid     = self::text( $booking['uid'] ?? null );
		$at      = self::changed_at( $booking );
		if ( null === $trigger || null === $uid || null === $at ) {
			return null;
		}
		$event_type = is_array( $booking['eventType'] ?? null ) ? $booking['eventType'] : array();
		$host       = is_array( $booking['hosts'][0] ?? null ) ? $booking['hosts'][0] : array();
		$attendees  = self::attendees( $booking );
		// Seated bookings carry the answers per attendee: the first attendee's stand for the booking.
		$answers = is_array( $booking['bookingFieldsResponses'] ?? null ) ? $booking['bookingFieldsResponses'] : ( is_array( $booking['attendees'][0]['bookingFieldsResponses'] ?? null ) ? $booking['attendees'][0]['bookingFieldsResponses'] : array() );
		$reason  = self::text( $booking['cancellationReason'] ?? null );

		$payload = array_filter(
			array(
				'uid'                => $uid,
				'bookingId'          => is_int( $booking['id'] ?? null ) ? $booking['id'] : null,
				'title'              => self::text( $booking['title'] ?? null ),
				'startTime'          => self::text( $booking['start'] ?? null ),
				'endTime'            => self::text( $booking['end'] ?? null ),
				'status'             => strtoupper( (string) self::text( $booking['status'] ?? null ) ),
				'type'               => self::text( $event_type['slug'] ?? null ),
				'eventTypeId'        => is_int( $event_type['id'] ?? null ) ? $event_type['id'] : ( is_int( $booking['eventTypeId'] ?? null ) ? $booking['eventTypeId'] : null ),
				'organizer'          => array() === $host ? null : array_filter(
					array(
						'name'     => self::text( $host['name'] ?? null ),
						'email'    => self::text( $host['email'] ?? null ),
						'timeZone' => self::text( $host['timeZone'] ?? null ),
					),
					static fn ( $value ): bool => null !== $value
				),
				'attendees'          => $attendees,
				'location'           => self::text( $booking['location'] ?? null ),
				'metadata'           => self::scalars( $booking['metadata'] ?? null ),
				'responses'          => self::scalars( $answers, true ),
				'cancellationReason' => 'BOOKING_CANCELLED' === $trigger ? $reason : null,
				'rejectionReason'    => 'BOOKING_REJECTED' === $trigger ? ( self::text( $booking['rejectionReason'] ?? null ) ?? $reason ) : null,
				'rescheduleUid'      => self::text( $booking['rescheduledFromUid'] ?? null ),
				'reschedulingReason' => self::text( $booking['reschedulingReason'] ?? null ),
			),
			static fn ( $value ): bool => null !== $value && '' !== $value
		);

		return (string) wp_json_encode(
			array(
				'triggerEvent' => $trigger,
				'createdAt'    => $at,
				'payload'      => $payload,
			),
			JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
		);
	}

	/**
	 * Attendees in the webhook's shape (language as {locale}), then guests the list lacks.
	 *
	 * @param array<string, mixed> $booking API booking.
	 * @return array<int, array<string, mixed>>
	 */
	private static function attendees( array $booking ): array {
		$out  = array();
		$seen = array();
		foreach ( is_array( $booking['attendees'] ?? null ) ? $booking['attendees'] : array() as $attendee ) {
			if ( ! is_array( $attendee ) ) {
				continue;
			}
			$email  = self::text( $attendee['email'] ?? null );
			$locale = self::text( $attendee['language'] ?? null ) ?? self::text( $attendee['language']['locale'] ?? null );
			$out[]  = array_filter(
				array(
					'name'        => self::text( $attendee['name'] ?? null ),
					'email'       => $email,
					'timeZone'    => self::text( $attendee['timeZone'] ?? null ),
					'phoneNumber' => self::text( $attendee['phoneNumber'] ?? null ),
					'language'    => null === $locale ? null : array( 'locale' => $locale ),
				),
				static fn ( $value ): bool => null !== $value
			);
			if ( null !== $email ) {
				$seen[ strtolower( $email ) ] = true;
			}
		}
		foreach ( is_array( $booking['guests'] ?? null ) ? $booking['guests'] : array() as $guest ) {
			$guest = self::text( $guest );
			if ( null !== $guest && ! isset( $seen[ strtolower( $guest ) ] ) ) {
				$out[]                        = array( 'email' => $guest );
				$seen[ strtolower( $guest ) ] = true;
			}
		}
		return $out;
	}

	/**
	 * An object's entries the normaliser reads: scalars, and (answers only) lists of strings and
	 * {firstName, lastName} names. Anything else is dropped rather than failing the whole booking.
	 *
	 * @param mixed $value   An object from the API.
	 * @param bool  $answers Whether it is bookingFieldsResponses.
	 * @return object|null A JSON object whatever its keys; null when empty.
	 */
	private static function scalars( $value, bool $answers = false ): ?object {
		if ( ! is_array( $value ) || array_is_list( $value ) ) {
			return null;
		}
		$out = array();
		foreach ( $value as $key => $entry ) {
			if ( is_scalar( $entry ) || ( $answers && is_array( $entry ) && ( array_is_list( $entry ) ? array() === array_filter( $entry, static fn ( $item ): bool => ! is_string( $item ) ) : true ) ) ) {
				$out[ (string) $key ] = $entry;
			}
		}
		return array() === $out ? null : (object) $out;
	}

	/**
	 * A non-empty string, else null.
	 *
	 * @param mixed $value Anything.
	 */
	private static function text( $value ): ?string {
		return is_string( $value ) && '' !== $value ? $value : null;
	}
}
