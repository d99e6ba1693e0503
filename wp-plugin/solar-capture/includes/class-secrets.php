<?php
/**
 * The Cal.com webhook secrets: a current one and, during a rotation, the previous one.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

/**
 * Where the secrets come from, which one matched, and when each last did.
 */
final class Secrets {

	public const OPTION            = 'solar_capture_secret';
	public const PREVIOUS_OPTION   = 'solar_capture_previous_secret';
	public const CONSTANT          = 'SOLAR_CAPTURE_CALCOM_SECRET';
	public const PREVIOUS_CONSTANT = 'SOLAR_CAPTURE_CALCOM_PREVIOUS_SECRET';

	public const SLOT_CURRENT  = 0;
	public const SLOT_PREVIOUS = 1;

	/** Options holding the Unix time each slot last verified a delivery. */
	public const LAST_MATCH_OPTIONS = array(
		self::SLOT_CURRENT  => 'solar_capture_secret_last_matched',
		self::SLOT_PREVIOUS => 'solar_capture_previous_secret_last_matched',
	);

	public const MAX_LENGTH = 512;

	public function add_hooks(): void {
		// On init, not admin_init: the sanitize callbacks must also run for update_option() from code.
		add_action( 'init', array( $this, 'register_settings' ) );
	}

	public function register_settings(): void {
		foreach ( array( self::OPTION, self::PREVIOUS_OPTION ) as $option ) {
			register_setting(
				Settings_Page::GROUP,
				$option,
				array(
					'type'              => 'string',
					'default'           => '',
					'show_in_rest'      => false,
					'sanitize_callback' => array( $this, 'sanitize' ),
				)
			);
		}
	}

	/**
	 * Secrets are opaque bytes for the HMAC: only the whitespace a copy and paste adds is removed.
	 *
	 * @param mixed $value Submitted value.
	 */
	public function sanitize( $value ): string {
		$value = is_scalar( $value ) ? trim( (string) $value, " \t\r\n\0\x0B" ) : '';
		return substr( $value, 0, self::MAX_LENGTH );
	}

	/**
	 * The secret deliveries are signed with now. The constant in wp-config.php wins over the option.
	 */
	public function current(): string {
		$constant = $this->constant_value( self::CONSTANT );
		return '' !== $constant ? $constant : $this->option_value( self::OPTION );
	}

	/**
	 * The secret still accepted while Cal.com switches to the current one ('' when none).
	 */
	public function previous(): string {
		$constant = $this->constant_value( self::PREVIOUS_CONSTANT );
		return '' !== $constant ? $constant : $this->option_value( self::PREVIOUS_OPTION );
	}

	/**
	 * Whether the current secret comes from wp-config.php (and can't be changed in wp-admin).
	 */
	public function current_is_constant(): bool {
		return '' !== $this->constant_value( self::CONSTANT );
	}

	/**
	 * The configured secrets by slot, empty ones left out.
	 *
	 * @return array<int, string>
	 */
	public function by_slot(): array {
		return array_filter(
			array(
				self::SLOT_CURRENT  => $this->current(),
				self::SLOT_PREVIOUS => $this->previous(),
			),
			static fn ( string $secret ): bool => '' !== $secret
		);
	}

	/**
	 * The slot whose secret verifies $signature for $body, or null.
	 *
	 * @param string $body      Raw request body.
	 * @param string $signature X-Cal-Signature-256 header.
	 */
	public function matching_slot( string $body, string $signature ): ?int {
		$slots = $this->by_slot();
		if ( array() === $slots ) {
			return null;
		}
		$index = \SolarCapture\matching_secret( $body, $signature, array_values( $slots ) );
		return null === $index ? null : array_keys( $slots )[ $index ];
	}

	/**
	 * Notes that $slot just verified a delivery (shown in the settings during a rotation).
	 *
	 * @param int $slot SLOT_CURRENT or SLOT_PREVIOUS.
	 */
	public function record_match( int $slot ): void {
		if ( isset( self::LAST_MATCH_OPTIONS[ $slot ] ) ) {
			update_option( self::LAST_MATCH_OPTIONS[ $slot ], time(), false );
		}
	}

	/**
	 * Unix time $slot last verified a delivery, or null.
	 *
	 * @param int $slot SLOT_CURRENT or SLOT_PREVIOUS.
	 */
	public function last_match( int $slot ): ?int {
		$time = isset( self::LAST_MATCH_OPTIONS[ $slot ] ) ? get_option( self::LAST_MATCH_OPTIONS[ $slot ] ) : false;
		return is_numeric( $time ) && (int) $time > 0 ? (int) $time : null;
	}

	/**
	 * Starts a rotation: the current secret becomes the previous one and a new random one is current.
	 *
	 * @return string|null The new secret, or null when the current one is set in wp-config.php.
	 */
	public function rotate(): ?string {
		if ( $this->current_is_constant() ) {
			return null;
		}
		$new = wp_generate_password( 40, false, false );
		if ( '' !== $this->current() ) {
			update_option( self::PREVIOUS_OPTION, $this->current() );
			// The old secret's history moves with it; the new one has verified nothing yet.
			update_option( self::LAST_MATCH_OPTIONS[ self::SLOT_PREVIOUS ], (int) get_option( self::LAST_MATCH_OPTIONS[ self::SLOT_CURRENT ], 0 ), false );
		}
		update_option( self::OPTION, $new );
		delete_option( self::LAST_MATCH_OPTIONS[ self::SLOT_CURRENT ] );
		return $new;
	}

	private function constant_value( string $name ): string {
		if ( ! defined( $name ) ) {
			return '';
		}
		$value = constant( $name );
		return is_string( $value ) ? $this->sanitize( $value ) : '';
	}

	private function option_value( string $name ): string {
		$value = get_option( $name, '' );
		return is_string( $value ) ? $this->sanitize( $value ) : '';
	}
}
