<?php
/**
 * Signed lead references: what makes a lead id in a booking's metadata trustworthy.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

defined( 'ABSPATH' ) || exit;

/**
 * Cal.com copies any metadata[...] from the booking link into the signed webhook, so anybody can book
 * with ?metadata[lead_id]=4. A lead id is trusted only with its reference (contract section 3): the first
 * 32 hex digits of HMAC-SHA256(key = option solar_capture_lead_key, "solar-capture-lead:" . lead_id).
 */
final class Lead_Reference {

	public const KEY_OPTION = 'solar_capture_lead_key';

	/** Length of a generated key: 48 letters and digits, about 285 bits. */
	private const KEY_LENGTH = 48;

	/**
	 * The site's key, made once (activation, or the first use on a site upgraded from before references).
	 */
	public static function key(): string {
		$key = get_option( self::KEY_OPTION, '' );
		if ( is_string( $key ) && strlen( $key ) >= 32 ) {
			return $key;
		}
		$key = wp_generate_password( self::KEY_LENGTH, false, false );
		// Not autoloaded: only bookings and the lead form need it.
		if ( add_option( self::KEY_OPTION, $key, '', false ) ) {
			return $key;
		}
		// Another request made one first (add_option() found the row): that one stays, or references it
		// handed out would stop verifying. A stored value too short to be a key is replaced.
		wp_cache_delete( self::KEY_OPTION, 'options' );
		$stored = get_option( self::KEY_OPTION, '' );
		if ( is_string( $stored ) && strlen( $stored ) >= 32 ) {
			return $stored;
		}
		update_option( self::KEY_OPTION, $key, false );
		return $key;
	}

	/**
	 * The reference of a lead.
	 *
	 * @param int $lead_id Lead id.
	 */
	public static function of( int $lead_id ): string {
		return substr( hash_hmac( 'sha256', 'solar-capture-lead:' . $lead_id, self::key() ), 0, 32 );
	}

	/**
	 * Whether $reference is the reference of $lead_id (constant time).
	 *
	 * @param int   $lead_id   Lead id.
	 * @param mixed $reference metadata.lead_ref as received.
	 */
	public static function verifies( int $lead_id, $reference ): bool {
		return is_string( $reference ) && 32 === strlen( $reference ) && hash_equals( self::of( $lead_id ), strtolower( $reference ) );
	}
}
