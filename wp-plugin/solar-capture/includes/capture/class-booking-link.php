<?php
/**
 * The Cal.com booking link that carries a lead's signed reference.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Capture;

use SolarCapture\Plugin\Leads\Lead_Reference;

defined( 'ABSPATH' ) || exit;

/**
 * `<booking link>?name=…&email=…&metadata[lead_id]=…&metadata[lead_ref]=…`: Cal.com's booking page copies
 * every metadata[key] parameter into the booking's metadata, which comes back signed in the webhook, and
 * prefills name and e-mail (../shared/calcom/api-v2/README.md, "Booking link and embed").
 */
final class Booking_Link {

	/** The event type to book: "user/event-slug" on Cal.com, or a full booking URL (self-hosted Cal.com). */
	public const OPTION = 'solar_capture_booking_link';
	/** Where "user/event-slug" links live (self-hosted Cal.com: its own origin). */
	public const ORIGIN_OPTION  = 'solar_capture_booking_origin';
	public const DEFAULT_ORIGIN = 'https://cal.com';

	/**
	 * The booking page of the configured event type, without parameters ('' when none is configured).
	 */
	public static function base(): string {
		$link = trim( (string) get_option( self::OPTION, '' ) );
		if ( '' === $link ) {
			return '';
		}
		if ( 1 === preg_match( '~\Ahttps?://~i', $link ) ) {
			return esc_url_raw( $link );
		}
		$origin = untrailingslashit( trim( (string) get_option( self::ORIGIN_OPTION, self::DEFAULT_ORIGIN ) ) );
		$origin = '' === $origin ? self::DEFAULT_ORIGIN : $origin;
		return esc_url_raw( $origin . '/' . ltrim( $link, '/' ) );
	}

	/**
	 * The booking link for a lead ('' when no event type is configured).
	 *
	 * @param int    $lead_id Lead id.
	 * @param string $name    Name to prefill.
	 * @param string $email   E-mail to prefill.
	 */
	public static function for_lead( int $lead_id, string $name, string $email ): string {
		$base = self::base();
		if ( '' === $base ) {
			return '';
		}
		$query = http_build_query(
			array_filter(
				array(
					'name'               => $name,
					'email'              => $email,
					'metadata[lead_id]'  => (string) $lead_id,
					'metadata[lead_ref]' => Lead_Reference::of( $lead_id ),
				),
				static fn ( string $value ): bool => '' !== $value
			),
			'',
			'&',
			PHP_QUERY_RFC3986
		);
		return $base . ( str_contains( $base, '?' ) ? '&' : '?' ) . $query;
	}
}
