<?php
/**
 * The Cal.com API key and base URL, and what the plugin remembers of the connection.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Calcom;

defined( 'ABSPATH' ) || exit;

/**
 * Contract section 5: the key in option solar_capture_calcom_api_key (never autoloaded: it is read only
 * by the API client) unless SOLAR_CAPTURE_CALCOM_API_KEY is defined, the base URL in
 * solar_capture_calcom_api_base unless SOLAR_CAPTURE_CALCOM_API_BASE is defined. A constant always wins.
 */
final class Api_Settings {

	public const KEY_OPTION        = 'solar_capture_calcom_api_key';
	public const KEY_CONSTANT      = 'SOLAR_CAPTURE_CALCOM_API_KEY';
	public const BASE_OPTION       = 'solar_capture_calcom_api_base';
	public const BASE_CONSTANT     = 'SOLAR_CAPTURE_CALCOM_API_BASE';
	public const CONNECTION_OPTION = 'solar_capture_calcom_connection';
	public const DEFAULT_BASE      = 'https://api.cal.com';
	/** Cal.com's hosted API: it refuses http, local and private subscriber URLs. */
	public const HOSTED_HOST = 'api.cal.com';

	public function key(): string {
		if ( $this->key_is_constant() ) {
			return self::clean_key( constant( self::KEY_CONSTANT ) );
		}
		return self::clean_key( get_option( self::KEY_OPTION, '' ) );
	}

	public function key_is_constant(): bool {
		return defined( self::KEY_CONSTANT ) && '' !== self::clean_key( constant( self::KEY_CONSTANT ) );
	}

	/**
	 * Saves a pasted key (not autoloaded). '' deletes it.
	 *
	 * @param string $key The key as pasted.
	 */
	public function set_key( string $key ): void {
		$key = self::clean_key( $key );
		if ( '' === $key ) {
			delete_option( self::KEY_OPTION );
			return;
		}
		if ( false === get_option( self::KEY_OPTION ) ) {
			add_option( self::KEY_OPTION, $key, '', false );
			return;
		}
		update_option( self::KEY_OPTION, $key, false );
	}

	/**
	 * The API base without a trailing slash: the constant, else the option, else https://api.cal.com.
	 */
	public function base(): string {
		$value = $this->base_is_constant() ? constant( self::BASE_CONSTANT ) : get_option( self::BASE_OPTION, '' );
		$base  = self::clean_base( $value );
		return '' === $base ? self::DEFAULT_BASE : $base;
	}

	public function base_is_constant(): bool {
		return defined( self::BASE_CONSTANT ) && '' !== self::clean_base( constant( self::BASE_CONSTANT ) );
	}

	/**
	 * Saves the base URL of a self-hosted Cal.com's API; '' (or the default) goes back to api.cal.com.
	 *
	 * @param string $base As typed.
	 * @return bool False when it is not an http(s) URL (nothing saved).
	 */
	public function set_base( string $base ): bool {
		$clean = self::clean_base( $base );
		if ( '' === $clean || self::DEFAULT_BASE === $clean ) {
			delete_option( self::BASE_OPTION );
			return '' === trim( $base ) || '' !== $clean;
		}
		update_option( self::BASE_OPTION, $clean, false );
		return true;
	}

	/**
	 * Whether the API is Cal.com's hosted service (its subscriber URL rules apply).
	 */
	public function is_hosted(): bool {
		return self::HOSTED_HOST === strtolower( (string) wp_parse_url( $this->base(), PHP_URL_HOST ) );
	}

	/**
	 * What the plugin keeps of the connection: webhook id, subscriber URL, triggers, Cal.com user,
	 * event types, when. Empty when not connected.
	 *
	 * @return array<string, mixed>
	 */
	public function connection(): array {
		$value = get_option( self::CONNECTION_OPTION, array() );
		return is_array( $value ) ? $value : array();
	}

	/**
	 * @param array<string, mixed> $connection What connect() learnt; array() forgets it.
	 */
	public function set_connection( array $connection ): void {
		if ( array() === $connection ) {
			delete_option( self::CONNECTION_OPTION );
			return;
		}
		update_option( self::CONNECTION_OPTION, $connection, false );
	}

	/**
	 * How the key is shown: its kind (test or live) and last four characters, never more.
	 *
	 * @param string $key An API key.
	 */
	public static function mask( string $key ): string {
		if ( '' === $key ) {
			return '';
		}
		$prefix = str_starts_with( $key, 'cal_live_' ) ? 'cal_live_' : ( str_starts_with( $key, 'cal_' ) ? 'cal_' : '' );
		$tail   = strlen( $key ) >= 16 ? substr( $key, -4 ) : '';
		return $prefix . str_repeat( '•', 8 ) . $tail;
	}

	/**
	 * A key is one token of printable ASCII: spaces, quotes and "Bearer " pasted with it are dropped.
	 *
	 * @param mixed $value As stored or pasted.
	 */
	public static function clean_key( $value ): string {
		if ( ! is_string( $value ) ) {
			return '';
		}
		$value = trim( preg_replace( '/^\s*(?:Authorization:\s*)?Bearer\s+/i', '', $value ) ?? '', " \t\n\r\0\x0B\"'" );
		return 1 === preg_match( '/^[\x21-\x7e]{1,255}$/', $value ) ? $value : '';
	}

	/**
	 * An http(s) URL without query, fragment or trailing slash, or ''.
	 *
	 * @param mixed $value As stored or typed.
	 */
	public static function clean_base( $value ): string {
		if ( ! is_string( $value ) ) {
			return '';
		}
		$value = trim( $value );
		$parts = wp_parse_url( $value );
		if ( ! is_array( $parts ) || ! in_array( strtolower( $parts['scheme'] ?? '' ), array( 'http', 'https' ), true ) || '' === ( $parts['host'] ?? '' ) || isset( $parts['query'] ) || isset( $parts['fragment'] ) || isset( $parts['user'] ) ) {
			return '';
		}
		return rtrim( strtolower( $parts['scheme'] ) . '://' . $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' ) . ( $parts['path'] ?? '' ), '/' );
	}
}
