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
		return esc_url_raw( self::origin() . '/' . ltrim( $link, '/' ) );
	}

	/**
	 * Where the site's Cal.com pages live (booking, reschedule, cancel): the configured origin, without a
	 * trailing slash.
	 */
	public static function origin(): string {
		$origin = untrailingslashit( trim( (string) get_option( self::ORIGIN_OPTION, self::DEFAULT_ORIGIN ) ) );
		return '' === $origin ? self::DEFAULT_ORIGIN : $origin;
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

	/** How the booking step offers the booking: Cal.com's inline embed (falls back to the link) or the link. */
	public const MODE_OPTION = 'solar_capture_booking_mode';

	/**
	 * Whether the booking step embeds Cal.com's booking page (the default) rather than only linking to it.
	 */
	public static function embeds(): bool {
		return 'link' !== get_option( self::MODE_OPTION, 'embed' );
	}

	/**
	 * What Cal.com's embed needs for the configured event type: its origin, the calLink ("user/event")
	 * and the script's address (null when no event type is configured).
	 *
	 * @return array{origin: string, calLink: string, script: string}|null
	 */
	public static function embed(): ?array {
		$base = self::base();
		if ( '' === $base ) {
			return null;
		}
		$parts  = wp_parse_url( $base );
		$origin = ( $parts['scheme'] ?? 'https' ) . '://' . ( $parts['host'] ?? 'cal.com' ) . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
		$script = 'https://cal.com' === $origin ? 'https://app.cal.com/embed/embed.js' : $origin . '/embed/embed.js';
		return array(
			'origin'  => $origin,
			'calLink' => trim( (string) ( $parts['path'] ?? '' ), '/' ),
			/**
			 * Filters the address of Cal.com's embed script (tests serve @calcom/embed-core locally).
			 *
			 * @param string $script The embed script's URL.
			 * @param string $origin The Cal.com origin of the booking page.
			 */
			'script'  => (string) apply_filters( 'solar_capture_embed_script_url', $script, $origin ),
		);
	}
}
