<?php
/**
 * The solar_lead post type and its meta.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

defined( 'ABSPATH' ) || exit;

/**
 * Registers the private lead post type and its meta keys (contract section 3).
 */
final class Lead_Post_Type {

	public const POST_TYPE = 'solar_lead';

	public const STATUSES = array( 'new', 'requested', 'booked', 'rescheduled', 'cancelled', 'rejected', 'completed', 'no_show' );

	public const META_EMAIL               = '_solar_email';
	public const META_PHONE               = '_solar_phone';
	public const META_STATUS              = '_solar_booking_status';
	public const META_BOOKING_UID         = '_solar_booking_uid';
	public const META_BOOKING_START       = '_solar_booking_start';
	public const META_BOOKING_END         = '_solar_booking_end';
	public const META_EVENT_TYPE          = '_solar_event_type';
	public const META_CANCELLATION_REASON = '_solar_cancellation_reason';
	public const META_LAST_EVENT_AT       = '_solar_last_event_at';
	/** The attendee e-mail of the current booking, when it is not the lead's own (somebody booked for the lead). */
	public const META_BOOKING_EMAIL = '_solar_booking_email';
	/** Postcode or address given in the site's form. */
	public const META_POSTCODE = '_solar_postcode';
	/** The form's answers, JSON: question slug => answer. */
	public const META_FORM_ANSWERS = '_solar_form_answers';
	/** Consent given in the form, JSON: the text shown, the time, a keyed hash of the client. */
	public const META_CONSENT = '_solar_consent';
	/** Where the lead first came from (utm_*, gclid, fbclid, referrer, landing page), JSON. */
	public const META_SOURCE = '_solar_source';
	/** Every booking uid the lead has had, one meta row each (rescheduling changes the uid). */
	public const META_BOOKING_UIDS = '_solar_booking_uids';
	/** The sales stage a rep set (Sales_Stages), apart from the booking status. */
	public const META_STAGE = '_solar_stage';
	/** Who set the owner (post_author): "calcom" (the booking's host), "default" (settings) or "manual". */
	public const META_OWNER_SET_BY = '_solar_owner_set_by';

	public function add_hooks(): void {
		add_action( 'init', array( $this, 'register' ) );
		add_filter( 'wp_insert_post_data', array( $this, 'keep_private' ), 10, 2 );
	}

	public function register(): void {
		register_post_type(
			self::POST_TYPE,
			array(
				'labels'              => array(
					'name'               => __( 'Leads', 'solar-capture' ),
					'singular_name'      => __( 'Lead', 'solar-capture' ),
					'menu_name'          => __( 'Solar leads', 'solar-capture' ),
					'all_items'          => __( 'All leads', 'solar-capture' ),
					'add_new_item'       => __( 'Add new lead', 'solar-capture' ),
					'edit_item'          => __( 'Edit lead', 'solar-capture' ),
					'new_item'           => __( 'New lead', 'solar-capture' ),
					'search_items'       => __( 'Search leads', 'solar-capture' ),
					'not_found'          => __( 'No leads yet. They appear here when Cal.com sends a booking.', 'solar-capture' ),
					'not_found_in_trash' => __( 'No leads in the trash.', 'solar-capture' ),
				),
				'description'         => __( 'Sales leads created from Cal.com bookings.', 'solar-capture' ),
				// Leads are personal data: never on the front end, in search, in feeds or over REST.
				'public'              => false,
				'publicly_queryable'  => false,
				'exclude_from_search' => true,
				'show_ui'             => true,
				'show_in_menu'        => true,
				'show_in_nav_menus'   => false,
				'show_in_admin_bar'   => false,
				'show_in_rest'        => false,
				'has_archive'         => false,
				'rewrite'             => false,
				'query_var'           => false,
				'can_export'          => false,
				'delete_with_user'    => false,
				// Capabilities of their own (Lead_Roles), not those of posts.
				'capability_type'     => Lead_Roles::CAPABILITY_TYPE,
				'map_meta_cap'        => true,
				'capabilities'        => array( 'create_posts' => Lead_Roles::CREATE_CAP ),
				'supports'            => array( 'title' ),
				'menu_icon'           => 'dashicons-id-alt',
			)
		);

		$this->register_meta( self::META_EMAIL, 'string', array( $this, 'sanitize_email' ) );
		$this->register_meta( self::META_PHONE, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_STATUS, 'string', array( $this, 'sanitize_status' ) );
		$this->register_meta( self::META_BOOKING_UID, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_BOOKING_START, 'integer', array( $this, 'sanitize_int' ) );
		$this->register_meta( self::META_BOOKING_END, 'integer', array( $this, 'sanitize_int' ) );
		$this->register_meta( self::META_EVENT_TYPE, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_CANCELLATION_REASON, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_LAST_EVENT_AT, 'integer', array( $this, 'sanitize_int' ) );
		$this->register_meta( self::META_BOOKING_EMAIL, 'string', array( $this, 'sanitize_email' ) );
		$this->register_meta( self::META_POSTCODE, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_FORM_ANSWERS, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_CONSENT, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_SOURCE, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_BOOKING_UIDS, 'string', array( $this, 'sanitize_text' ), false );
		$this->register_meta( self::META_STAGE, 'string', array( $this, 'sanitize_text' ) );
		$this->register_meta( self::META_OWNER_SET_BY, 'string', array( $this, 'sanitize_text' ) );
	}

	/**
	 * A lead saved from wp-admin with "Publish" stays private.
	 *
	 * @param array<string, mixed> $data    Slashed post data about to be saved.
	 * @param array<string, mixed> $postarr Submitted data.
	 * @return array<string, mixed>
	 */
	public function keep_private( $data, $postarr ) {
		if ( is_array( $data ) && isset( $data['post_type'], $data['post_status'] ) && self::POST_TYPE === $data['post_type']
			&& in_array( $data['post_status'], array( 'publish', 'future', 'pending' ), true ) ) {
			$data['post_status'] = 'private';
		}
		return $data;
	}

	/**
	 * Lowercased, surrounding whitespace removed. Lowercasing is ASCII-only, like the engine's
	 * comparison of guest e-mails, so it never depends on the locale.
	 *
	 * @param mixed $value Raw value.
	 */
	public function sanitize_email( $value ): string {
		return self::normalize_email( is_scalar( $value ) ? (string) $value : '' );
	}

	/**
	 * @param mixed $value Raw value.
	 */
	public function sanitize_text( $value ): string {
		return is_scalar( $value ) ? trim( (string) $value ) : '';
	}

	/**
	 * @param mixed $value Raw value.
	 */
	public function sanitize_status( $value ): string {
		return is_string( $value ) && in_array( $value, self::STATUSES, true ) ? $value : '';
	}

	/**
	 * @param mixed $value Raw value.
	 * @return int|string Integer, or '' for no value.
	 */
	public function sanitize_int( $value ) {
		return is_numeric( $value ) ? (int) $value : '';
	}

	/**
	 * How e-mails are stored and compared.
	 *
	 * @param string $email Raw e-mail.
	 */
	public static function normalize_email( string $email ): string {
		return strtr( trim( $email ), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz' );
	}

	/**
	 * Translated label of a status.
	 *
	 * @param string $status One of STATUSES.
	 */
	public static function status_label( string $status ): string {
		$labels = array(
			'new'         => __( 'New (form, not booked)', 'solar-capture' ),
			'requested'   => __( 'Requested', 'solar-capture' ),
			'booked'      => __( 'Booked', 'solar-capture' ),
			'rescheduled' => __( 'Rescheduled', 'solar-capture' ),
			'cancelled'   => __( 'Cancelled', 'solar-capture' ),
			'rejected'    => __( 'Rejected', 'solar-capture' ),
			'completed'   => __( 'Completed', 'solar-capture' ),
			'no_show'     => __( 'No-show', 'solar-capture' ),
		);
		return $labels[ $status ] ?? $status;
	}

	/**
	 * @param string   $key      Meta key.
	 * @param string   $type     'string' or 'integer'.
	 * @param callable $sanitize Sanitize callback.
	 * @param bool     $single   One value per lead.
	 */
	private function register_meta( string $key, string $type, callable $sanitize, bool $single = true ): void {
		register_post_meta(
			self::POST_TYPE,
			$key,
			array(
				'type'              => $type,
				'single'            => $single,
				'show_in_rest'      => false,
				'sanitize_callback' => $sanitize,
				// Written by the webhook pipeline only, never from the Custom Fields box or REST.
				'auth_callback'     => '__return_false',
			)
		);
	}
}
