<?php
/**
 * The sales team's side of a lead: its owner, its sales stage and the reps' notes.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Pipeline\Delivery_Outcome;

defined( 'ABSPATH' ) || exit;

/**
 * Owner: the lead's post_author. A booking makes it the WordPress user whose e-mail is the booking's
 * host (Cal.com's organizer, the assigned host of a round-robin event), or the user a settings line maps
 * that host to; a form lead with no booking yet gets the default owner. An owner a rep chose by hand is
 * kept. Stage: where the sale stands (configurable; apart from the booking status). Every change of owner
 * or stage and every note is a timeline entry with its author and time.
 */
final class Sales_Team {

	public const DEFAULT_OWNER_OPTION = 'solar_capture_default_owner';
	public const HOST_MAP_OPTION      = 'solar_capture_host_map';
	public const STAGES_OPTION        = 'solar_capture_stages';

	/** Timeline triggers of the team's own entries. */
	public const TRIGGER_NOTE  = 'NOTE';
	public const TRIGGER_STAGE = 'STAGE_CHANGED';
	public const TRIGGER_OWNER = 'OWNER_CHANGED';

	public const SET_BY_CALCOM  = 'calcom';
	public const SET_BY_DEFAULT = 'default';
	public const SET_BY_HAND    = 'manual';

	/** Longest note kept, in characters. */
	public const NOTE_MAX = 5000;

	public function __construct( private Lead_Index $index, private Timeline $timeline ) {
	}

	public function add_hooks(): void {
		// After the delivery's transaction committed (the pipeline fires it then); before notifications.
		add_action( 'solar_capture_lead_updated', array( $this, 'owner_from_booking' ), 5, 4 );
		add_action( 'solar_capture_lead_captured', array( $this, 'owner_by_default' ), 5, 2 );
	}

	/**
	 * The stages, slug => label, in order.
	 *
	 * @return array<string, string>
	 */
	public static function stages(): array {
		$saved = get_option( self::STAGES_OPTION );
		if ( is_array( $saved ) && array() !== $saved ) {
			return array_map( 'strval', $saved );
		}
		return array(
			'new'           => __( 'New', 'solar-capture' ),
			'contacted'     => __( 'Contacted', 'solar-capture' ),
			'survey_booked' => __( 'Survey booked', 'solar-capture' ),
			'quoted'        => __( 'Quoted', 'solar-capture' ),
			'won'           => __( 'Won', 'solar-capture' ),
			'lost'          => __( 'Lost', 'solar-capture' ),
		);
	}

	/**
	 * Settings: one stage label per line (the slug is made from it, so renaming keeps nothing).
	 *
	 * @param mixed $value Submitted text, or an array already sanitized.
	 * @return array<string, string>
	 */
	public static function sanitize_stages( $value ): array {
		if ( is_array( $value ) ) {
			return array_map( 'strval', $value );
		}
		$stages = array();
		foreach ( preg_split( '/\R/', is_string( $value ) ? $value : '' ) ?: array() as $line ) {
			$label = sanitize_text_field( $line );
			$slug  = substr( sanitize_key( str_replace( array( ' ', '-' ), '_', remove_accents( $label ) ) ), 0, 32 );
			if ( '' !== $slug && ! isset( $stages[ $slug ] ) ) {
				$stages[ $slug ] = $label;
			}
		}
		return $stages;
	}

	/**
	 * Settings: "host e-mail = user" lines (the user by e-mail or login).
	 *
	 * @param mixed $value Submitted text.
	 */
	public static function sanitize_host_map( $value ): string {
		$lines = array();
		foreach ( preg_split( '/\R/', is_string( $value ) ? $value : '' ) ?: array() as $line ) {
			$parts = array_map( 'trim', explode( '=', $line, 2 ) );
			if ( 2 === count( $parts ) && is_email( $parts[0] ) && '' !== $parts[1] ) {
				$lines[] = strtolower( $parts[0] ) . ' = ' . sanitize_text_field( $parts[1] );
			}
		}
		return implode( "\n", $lines );
	}

	/**
	 * The user who owns the bookings of a Cal.com host, or null.
	 *
	 * @param string $host_email The organizer's e-mail.
	 */
	public static function user_for_host( string $host_email ): ?\WP_User {
		$host_email = strtolower( trim( $host_email ) );
		if ( '' === $host_email ) {
			return null;
		}
		foreach ( preg_split( '/\R/', (string) get_option( self::HOST_MAP_OPTION, '' ) ) ?: array() as $line ) {
			$parts = array_map( 'trim', explode( '=', $line, 2 ) );
			if ( 2 === count( $parts ) && strtolower( $parts[0] ) === $host_email ) {
				$user = get_user_by( is_email( $parts[1] ) ? 'email' : 'login', $parts[1] );
				return $user instanceof \WP_User ? $user : null;
			}
		}
		$user = get_user_by( 'email', $host_email );
		return $user instanceof \WP_User ? $user : null;
	}

	/**
	 * Hook: a booking event reached a lead; its host becomes the owner, unless a rep chose one by hand.
	 *
	 * @param int                  $lead_id     The lead.
	 * @param array<string, mixed> $event       Normalised event.
	 * @param int                  $delivery_id Delivery row.
	 * @param Delivery_Outcome     $outcome     What became of it.
	 */
	public function owner_from_booking( $lead_id, $event, $delivery_id = 0, $outcome = null ): void {
		$host = is_array( $event ) && is_array( $event['organizer'] ?? null ) ? (string) ( $event['organizer']['email'] ?? '' ) : '';
		$user = self::user_for_host( $host );
		$post = get_post( (int) $lead_id );
		if ( null === $user || ! $post instanceof \WP_Post || (int) $post->post_author === $user->ID ) {
			return;
		}
		if ( (int) $post->post_author > 0 && self::SET_BY_HAND === get_post_meta( $post->ID, Lead::META_OWNER_SET_BY, true ) ) {
			return;
		}
		$this->set_owner( $post->ID, $user->ID, self::SET_BY_CALCOM, 0 );
	}

	/**
	 * Hook: the site's form made a lead; without an owner it gets the default one.
	 *
	 * @param int  $lead_id The lead.
	 * @param bool $created Whether the form created it (not matched an existing one).
	 */
	public function owner_by_default( $lead_id, $created = true ): void {
		$default = (int) get_option( self::DEFAULT_OWNER_OPTION, 0 );
		$post    = get_post( (int) $lead_id );
		if ( $default > 0 && $post instanceof \WP_Post && 0 === (int) $post->post_author && get_userdata( $default ) instanceof \WP_User ) {
			$this->set_owner( $post->ID, $default, self::SET_BY_DEFAULT, 0 );
		}
	}

	/**
	 * Makes $user_id the lead's owner and says so on its timeline.
	 *
	 * @param int    $lead_id The lead.
	 * @param int    $user_id The new owner (0 for none).
	 * @param string $set_by  SET_BY_*.
	 * @param int    $by      Who did it (0: Solar Capture itself).
	 * @return bool Whether the owner changed.
	 */
	public function set_owner( int $lead_id, int $user_id, string $set_by, int $by ): bool {
		global $wpdb;
		$post = get_post( $lead_id );
		if ( ! $post instanceof \WP_Post || Lead::POST_TYPE !== $post->post_type || (int) $post->post_author === $user_id ) {
			return false;
		}
		$before = (int) $post->post_author;
		// Straight to the row: wp_update_post() would also rewrite the lead's dates and run save hooks.
		$wpdb->update( $wpdb->posts, array( 'post_author' => $user_id ), array( 'ID' => $lead_id ), array( '%d' ), array( '%d' ) );
		clean_post_cache( $lead_id );
		update_post_meta( $lead_id, Lead::META_OWNER_SET_BY, $set_by );
		$this->index->sync( array( $lead_id ) );
		$this->timeline->add_entry(
			$lead_id,
			self::TRIGGER_OWNER,
			/* translators: 1: previous owner, 2: new owner. */
			sprintf( __( 'Owner: %1$s → %2$s', 'solar-capture' ), self::user_name( $before ), self::user_name( $user_id ) ),
			null,
			$by
		);
		return true;
	}

	/**
	 * Sets the lead's sales stage and says so on its timeline.
	 *
	 * @param int    $lead_id The lead.
	 * @param string $stage   A slug of stages() ('' for none).
	 * @param int    $by      Who did it.
	 * @return bool Whether the stage changed.
	 */
	public function set_stage( int $lead_id, string $stage, int $by ): bool {
		$stages = self::stages();
		$before = (string) get_post_meta( $lead_id, Lead::META_STAGE, true );
		if ( $stage === $before || ( '' !== $stage && ! isset( $stages[ $stage ] ) ) ) {
			return false;
		}
		update_post_meta( $lead_id, Lead::META_STAGE, $stage );
		$this->timeline->add_entry(
			$lead_id,
			self::TRIGGER_STAGE,
			/* translators: 1: previous stage, 2: new stage. */
			sprintf( __( 'Stage: %1$s → %2$s', 'solar-capture' ), self::stage_label( $before ), self::stage_label( $stage ) ),
			null,
			$by
		);
		return true;
	}

	/**
	 * Adds a rep's note to the lead's timeline.
	 *
	 * @param int    $lead_id The lead.
	 * @param string $note    Plain text.
	 * @param int    $by      Its author.
	 */
	public function add_note( int $lead_id, string $note, int $by ): bool {
		$note = trim( mb_substr( $note, 0, self::NOTE_MAX, 'UTF-8' ) );
		if ( '' === $note ) {
			return false;
		}
		$this->timeline->add_entry( $lead_id, self::TRIGGER_NOTE, '', $note, $by );
		return true;
	}

	/**
	 * A stage's label ('' => "none"; a stage no longer configured shows its slug).
	 *
	 * @param string $stage Slug.
	 */
	public static function stage_label( string $stage ): string {
		return '' === $stage ? __( 'none', 'solar-capture' ) : ( self::stages()[ $stage ] ?? $stage );
	}

	/**
	 * @param int $user_id A user (0: nobody).
	 */
	public static function user_name( int $user_id ): string {
		$user = $user_id > 0 ? get_userdata( $user_id ) : false;
		return $user instanceof \WP_User ? $user->display_name : __( 'nobody', 'solar-capture' );
	}
}
