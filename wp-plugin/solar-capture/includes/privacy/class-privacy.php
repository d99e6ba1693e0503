<?php
/**
 * WordPress's privacy tools: personal data export and erasure for leads and their deliveries.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Privacy;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Index;
use SolarCapture\Plugin\Leads\Timeline;
use SolarCapture\Plugin\Pipeline\Delivery_Store;

defined( 'ABSPATH' ) || exit;

/**
 * Tools > Export Personal Data and Tools > Erase Personal Data find a person by e-mail, exactly: their
 * leads (with timelines) and every stored delivery linked to those leads or naming the e-mail as booker
 * or guest.
 */
final class Privacy {

	public const EXPORTER_LEADS      = 'solar-capture-leads';
	public const EXPORTER_DELIVERIES = 'solar-capture-deliveries';
	public const ERASER              = 'solar-capture';

	/** Leads or deliveries handled per call (WordPress calls again with the next page until done). */
	public const PER_PAGE = 20;

	public function __construct( private Lead_Index $index, private Timeline $timeline, private Delivery_Store $deliveries ) {
	}

	public function add_hooks(): void {
		add_filter( 'wp_privacy_personal_data_exporters', array( $this, 'register_exporters' ) );
		add_filter( 'wp_privacy_personal_data_erasers', array( $this, 'register_erasers' ) );
		add_action( 'admin_init', array( $this, 'add_policy_content' ) );
	}

	/**
	 * @param array<string, mixed> $exporters Registered exporters.
	 * @return array<string, mixed>
	 */
	public function register_exporters( $exporters ) {
		$exporters                              = is_array( $exporters ) ? $exporters : array();
		$exporters[ self::EXPORTER_LEADS ]      = array(
			'exporter_friendly_name' => __( 'Solar Capture leads', 'solar-capture' ),
			'callback'               => array( $this, 'export_leads' ),
		);
		$exporters[ self::EXPORTER_DELIVERIES ] = array(
			'exporter_friendly_name' => __( 'Solar Capture deliveries', 'solar-capture' ),
			'callback'               => array( $this, 'export_deliveries' ),
		);
		return $exporters;
	}

	/**
	 * @param array<string, mixed> $erasers Registered erasers.
	 * @return array<string, mixed>
	 */
	public function register_erasers( $erasers ) {
		$erasers                 = is_array( $erasers ) ? $erasers : array();
		$erasers[ self::ERASER ] = array(
			'eraser_friendly_name' => __( 'Solar Capture leads and deliveries', 'solar-capture' ),
			'callback'             => array( $this, 'erase' ),
		);
		return $erasers;
	}

	public function add_policy_content(): void {
		if ( ! function_exists( 'wp_add_privacy_policy_content' ) ) {
			return;
		}
		wp_add_privacy_policy_content(
			__( 'Solar Capture', 'solar-capture' ),
			'<p>' . esc_html__( 'When you book a call with us through Cal.com, Cal.com sends us the booking: your name, e-mail, phone number if given, the time and type of the appointment, your answers in the booking form, and later changes (rescheduling, cancellation with its reason). We keep this as a sales lead on this website. The raw booking messages are kept for a limited number of days to prove what was received, then deleted.', 'solar-capture' ) . '</p>'
		);
	}

	/**
	 * Ids of the person's leads (any status, the trash included).
	 *
	 * @param string $email E-mail, any case.
	 * @return int[]
	 */
	public function lead_ids( string $email ): array {
		return $this->index->ids_by_email( $email );
	}

	/**
	 * Exporter: the person's leads and their timelines.
	 *
	 * @param string $email E-mail of the request.
	 * @param int    $page  1-based page.
	 * @return array{data: list<array<string, mixed>>, done: bool}
	 */
	public function export_leads( $email, $page = 1 ): array {
		$ids   = $this->lead_ids( (string) $email );
		$slice = array_slice( $ids, ( max( 1, (int) $page ) - 1 ) * self::PER_PAGE, self::PER_PAGE );
		$data  = array();
		foreach ( $slice as $id ) {
			$post   = get_post( $id );
			$fields = array(
				__( 'Name', 'solar-capture' )                => $post instanceof \WP_Post ? $post->post_title : '',
				__( 'E-mail', 'solar-capture' )              => (string) get_post_meta( $id, Lead::META_EMAIL, true ),
				__( 'Phone', 'solar-capture' )               => (string) get_post_meta( $id, Lead::META_PHONE, true ),
				__( 'Booking status', 'solar-capture' )      => Lead::status_label( (string) get_post_meta( $id, Lead::META_STATUS, true ) ),
				__( 'Appointment', 'solar-capture' )         => self::time( get_post_meta( $id, Lead::META_BOOKING_START, true ) ),
				__( 'Appointment ends', 'solar-capture' )    => self::time( get_post_meta( $id, Lead::META_BOOKING_END, true ) ),
				__( 'Event type', 'solar-capture' )          => (string) get_post_meta( $id, Lead::META_EVENT_TYPE, true ),
				__( 'Cancellation reason', 'solar-capture' ) => (string) get_post_meta( $id, Lead::META_CANCELLATION_REASON, true ),
				__( 'Booked by', 'solar-capture' )           => (string) get_post_meta( $id, Lead::META_BOOKING_EMAIL, true ),
				__( 'Postcode or address', 'solar-capture' ) => (string) get_post_meta( $id, Lead::META_POSTCODE, true ),
				__( 'Enquiry form answers', 'solar-capture' ) => (string) get_post_meta( $id, Lead::META_FORM_ANSWERS, true ),
				__( 'Consent', 'solar-capture' )             => (string) get_post_meta( $id, Lead::META_CONSENT, true ),
				__( 'First came from', 'solar-capture' )     => (string) get_post_meta( $id, Lead::META_SOURCE, true ),
				__( 'Booking uids', 'solar-capture' )        => implode( ', ', array_map( 'strval', get_post_meta( $id, Lead::META_BOOKING_UIDS, false ) ) ),
				__( 'Created', 'solar-capture' )             => $post instanceof \WP_Post ? $post->post_date_gmt . ' UTC' : '',
			);
			$data[] = array(
				'group_id'          => 'solar-capture-leads',
				'group_label'       => __( 'Solar leads', 'solar-capture' ),
				'group_description' => __( 'Sales leads made from your Cal.com bookings.', 'solar-capture' ),
				'item_id'           => 'solar-lead-' . $id,
				'data'              => self::pairs( $fields ),
			);
			foreach ( $this->timeline->for_lead( $id ) as $entry ) {
				$data[] = array(
					'group_id'          => 'solar-capture-timeline',
					'group_label'       => __( 'Solar lead timeline', 'solar-capture' ),
					'group_description' => __( 'Every booking event received for your leads.', 'solar-capture' ),
					'item_id'           => 'solar-lead-timeline-' . (int) $entry->id,
					'data'              => self::pairs(
						array(
							__( 'Lead', 'solar-capture' )        => '#' . $id,
							__( 'Event', 'solar-capture' )       => (string) $entry->trigger_event,
							__( 'Event time', 'solar-capture' )  => self::time( intdiv( (int) $entry->created_at_ms, 1000 ) ),
							__( 'Appointment', 'solar-capture' ) => self::time( $entry->start_at ),
							__( 'Booking uid', 'solar-capture' ) => (string) $entry->booking_uid,
							__( 'Reason', 'solar-capture' )      => (string) $entry->detail,
							__( 'Booking answers', 'solar-capture' ) => (string) ( $entry->answers ?? '' ),
						)
					),
				);
			}
		}
		return array(
			'data' => $data,
			'done' => count( $slice ) < self::PER_PAGE,
		);
	}

	/**
	 * Exporter: stored deliveries linked to the person's leads or naming their e-mail. What a delivery
	 * says about the person only: a booker gets their own details and answers, a guest that they were
	 * invited; nobody gets the other people's e-mails, phone numbers or answers.
	 *
	 * @param string $email E-mail of the request.
	 * @param int    $page  1-based page.
	 * @return array{data: list<array<string, mixed>>, done: bool}
	 */
	public function export_deliveries( $email, $page = 1 ): array {
		$email = (string) $email;
		$ids   = $this->deliveries->ids_for_person( $this->lead_ids( $email ), $email, self::PER_PAGE, ( max( 1, (int) $page ) - 1 ) * self::PER_PAGE );
		$data  = array();
		foreach ( $ids as $id ) {
			$row = $this->deliveries->find( $id );
			if ( null === $row ) {
				continue;
			}
			$role   = $this->deliveries->role_of( $id, $email ) ?? Delivery_Store::ROLE_BOOKER; // Linked through their lead.
			$fields = array(
				__( 'Received', 'solar-capture' )    => (string) $row->received_at . ' UTC',
				__( 'Trigger', 'solar-capture' )     => (string) $row->trigger_event,
				__( 'Result', 'solar-capture' )      => (string) $row->result,
				__( 'Booking uid', 'solar-capture' ) => (string) $row->booking_uid,
				__( 'Your role', 'solar-capture' )   => Delivery_Store::ROLE_GUEST === $role ? __( 'guest', 'solar-capture' ) : __( 'booker', 'solar-capture' ),
			);
			$data[] = array(
				'group_id'          => 'solar-capture-deliveries',
				'group_label'       => __( 'Cal.com deliveries', 'solar-capture' ),
				'group_description' => __( 'Booking messages Cal.com sent about you: what they say about you.', 'solar-capture' ),
				'item_id'           => 'solar-capture-delivery-' . $id,
				'data'              => self::pairs( $fields + self::about_person( null === $row->body ? null : (string) $row->body, $role ) ),
			);
		}
		return array(
			'data' => $data,
			'done' => count( $ids ) < self::PER_PAGE,
		);
	}

	/**
	 * What a stored body says about the person of $role.
	 *
	 * @param string|null $body Stored body, or null when it was not kept.
	 * @param string      $role Delivery_Store::ROLE_BOOKER or ROLE_GUEST.
	 * @return array<string, string>
	 */
	private static function about_person( ?string $body, string $role ): array {
		try {
			$event = null === $body ? null : \SolarCapture\normalize_payload( $body );
		} catch ( \Throwable $e ) {
			$event = null;
		}
		if ( null === $event ) {
			return array();
		}
		$fields = array(
			__( 'Event type', 'solar-capture' )  => (string) ( $event['event_type'] ?? '' ),
			__( 'Appointment', 'solar-capture' ) => self::time( $event['start'] ?? null ),
		);
		if ( Delivery_Store::ROLE_BOOKER !== $role ) {
			return $fields;
		}
		$attendee = is_array( $event['attendee'] ?? null ) ? $event['attendee'] : array();
		$answers  = array();
		foreach ( is_array( $event['responses'] ?? null ) ? $event['responses'] : array() as $name => $answer ) {
			// The guests' e-mails are theirs, not the booker's.
			if ( 'guests' !== $name && ( is_scalar( $answer ) || is_array( $answer ) ) ) {
				$answers[] = $name . ': ' . ( is_array( $answer ) ? implode( ', ', array_map( 'strval', $answer ) ) : ( is_bool( $answer ) ? ( $answer ? 'yes' : 'no' ) : (string) $answer ) );
			}
		}
		return $fields + array(
			__( 'Name', 'solar-capture' )                => (string) ( $attendee['name'] ?? '' ),
			__( 'E-mail', 'solar-capture' )              => (string) ( $attendee['email'] ?? '' ),
			__( 'Phone', 'solar-capture' )               => (string) ( $attendee['phone'] ?? '' ),
			__( 'Time zone', 'solar-capture' )           => (string) ( $attendee['time_zone'] ?? '' ),
			__( 'Location', 'solar-capture' )            => (string) ( $event['location'] ?? '' ),
			__( 'Cancellation reason', 'solar-capture' ) => (string) ( $event['cancellation_reason'] ?? '' ),
			__( 'Reschedule reason', 'solar-capture' )   => (string) ( $event['reschedule_reason'] ?? '' ),
			__( 'Booking answers', 'solar-capture' )     => implode( "\n", $answers ),
		);
	}

	/**
	 * Eraser: first the deliveries (bodies gone; refused and unmatched rows deleted), then the leads
	 * with their meta and timelines. Each call handles one batch; WordPress calls again until done.
	 *
	 * @param string $email E-mail of the request.
	 * @param int    $page  1-based page (unused: erased items no longer match, so each call takes the first batch).
	 * @return array{items_removed: bool, items_retained: bool, messages: string[], done: bool}
	 */
	public function erase( $email, $page = 1 ): array {
		$email = (string) $email;
		$leads = $this->lead_ids( $email );
		$ids   = $this->deliveries->ids_for_person( $leads, $email, self::PER_PAGE );
		if ( array() !== $ids ) {
			$this->deliveries->erase( $ids );
			return array(
				'items_removed'  => true,
				'items_retained' => false,
				'messages'       => array(),
				'done'           => false,
			);
		}
		$removed  = false;
		$retained = false;
		foreach ( array_slice( $leads, 0, self::PER_PAGE ) as $id ) {
			// Forced: leads are personal data, the trash would keep them. Timeline rows go with the post.
			$deleted  = wp_delete_post( $id, true );
			$removed  = $removed || $deleted instanceof \WP_Post;
			$retained = $retained || ! $deleted instanceof \WP_Post;
		}
		return array(
			'items_removed'  => $removed,
			'items_retained' => $retained,
			'messages'       => $retained ? array( __( 'Some Solar Capture leads could not be deleted; try again.', 'solar-capture' ) ) : array(),
			// A failed deletion stops here instead of being retried forever.
			'done'           => $retained || count( $leads ) <= self::PER_PAGE,
		);
	}

	/**
	 * @param array<string, string> $fields Label => value.
	 * @return list<array{name: string, value: string}> The non-empty ones.
	 */
	private static function pairs( array $fields ): array {
		$pairs = array();
		foreach ( $fields as $name => $value ) {
			if ( '' !== $value ) {
				$pairs[] = array(
					'name'  => (string) $name,
					'value' => $value,
				);
			}
		}
		return $pairs;
	}

	/**
	 * @param mixed $timestamp Unix seconds.
	 */
	private static function time( $timestamp ): string {
		return is_numeric( $timestamp ) ? gmdate( 'Y-m-d H:i:s', (int) $timestamp ) . ' UTC' : '';
	}
}
