<?php
/**
 * The Cal.com webhook secrets: a current one and, during a rotation, the previous one.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Webhook;

defined( 'ABSPATH' ) || exit;

/**
 * Where the secrets come from, which one matched, and when each last did.
 */
final class Secrets {

	/** options.php group of the secrets: only Settings_Page::save_secret() writes them, never a form of options.php. */
	public const SETTINGS_GROUP = 'solar_capture_secrets';

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

	/** Shorter secrets work but are flagged: Cal.com's own guidance and ours ask for 32 or more. */
	public const MIN_LENGTH = 32;

	/** Length of generated secrets (letters and digits: about 285 bits). */
	public const GENERATED_LENGTH = 48;

	/** Seconds within which a secret's last match is not written again. */
	private const MATCH_RESOLUTION = 60;

	/** Characters of a saved secret that the admin screens show, to tell secrets apart. */
	private const VISIBLE_TAIL = 4;

	public function add_hooks(): void {
		// On init, not admin_init: the sanitize callbacks must also run for update_option() from code.
		add_action( 'init', array( $this, 'register_settings' ) );
		// Whatever changes a secret, the new one has verified nothing yet.
		add_action( 'update_option_' . self::OPTION, array( $this, 'forget_last_match' ), 10, 2 );
		add_action( 'update_option_' . self::PREVIOUS_OPTION, array( $this, 'forget_last_match' ), 10, 3 );
	}

	/**
	 * Clears the last-match time of a secret that changed.
	 *
	 * @param mixed  $old_value Previous value.
	 * @param mixed  $value     New value.
	 * @param string $option    Option name (only passed for the previous secret).
	 */
	public function forget_last_match( $old_value, $value, $option = self::OPTION ): void {
		if ( $old_value === $value ) {
			return;
		}
		$slot = self::PREVIOUS_OPTION === $option ? self::SLOT_PREVIOUS : self::SLOT_CURRENT;
		delete_option( self::LAST_MATCH_OPTIONS[ $slot ] );
	}

	/**
	 * Saves a secret, not autoloaded.
	 *
	 * @param string $option OPTION or PREVIOUS_OPTION.
	 * @param string $value  The secret.
	 */
	private static function save( string $option, string $value ): void {
		update_option( $option, $value, false );
		// WordPress 6.1 keeps the old value in its cached autoloaded options when an update switches
		// autoloading off, and get_option() would go on answering it.
		wp_cache_delete( 'alloptions', 'options' );
	}

	/**
	 * Secrets are read by the webhook route only: they are not loaded into every request's memory (and
	 * into every object-cache copy of the autoloaded options). Sites that saved them before get them
	 * switched off with the schema upgrade; the value is untouched.
	 */
	public static function stop_autoloading(): void {
		global $wpdb;
		$wpdb->query( $wpdb->prepare( "UPDATE {$wpdb->options} SET autoload = 'no' WHERE option_name IN (%s, %s)", self::OPTION, self::PREVIOUS_OPTION ) );
		wp_cache_delete( 'alloptions', 'options' );
		wp_cache_delete( self::OPTION, 'options' );
		wp_cache_delete( self::PREVIOUS_OPTION, 'options' );
	}

	public function register_settings(): void {
		foreach ( array( self::OPTION, self::PREVIOUS_OPTION ) as $option ) {
			// A group of their own: options.php sets every option of the submitted group, and the secrets
			// are saved by Settings_Page's own handler, never by the options.php form of the Data tab.
			register_setting(
				self::SETTINGS_GROUP,
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
		// To the minute: the screen says "5 mins ago", and a busy site need not write an option per delivery.
		if ( isset( self::LAST_MATCH_OPTIONS[ $slot ] ) && ( $this->last_match( $slot ) ?? 0 ) < time() - self::MATCH_RESOLUTION ) {
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
	 * Whether the previous secret comes from wp-config.php.
	 */
	public function previous_is_constant(): bool {
		return '' !== $this->constant_value( self::PREVIOUS_CONSTANT );
	}

	/**
	 * A new random secret of GENERATED_LENGTH letters and digits.
	 */
	public static function generate(): string {
		return wp_generate_password( self::GENERATED_LENGTH, false, false );
	}

	/**
	 * Saves a new current secret. With $keep_previous, the secret it replaces stays accepted as the
	 * previous one (with its last-match time) until remove_previous(): that is a rotation.
	 *
	 * @param string $secret        The new secret (sanitized here).
	 * @param bool   $keep_previous Keep the replaced secret as the previous one.
	 * @return bool False when the current secret is set in wp-config.php or $secret is empty.
	 */
	public function set_current( string $secret, bool $keep_previous ): bool {
		$secret = $this->sanitize( $secret );
		if ( $this->current_is_constant() || '' === $secret ) {
			return false;
		}
		$old = $this->option_value( self::OPTION );
		if ( $secret === $old ) {
			return true;
		}
		if ( $keep_previous && '' !== $old ) {
			$last = (int) get_option( self::LAST_MATCH_OPTIONS[ self::SLOT_CURRENT ], 0 );
			self::save( self::PREVIOUS_OPTION, $old );
			// The old secret's history moves with it (after the update, which clears the slot's history).
			if ( $last > 0 ) {
				update_option( self::LAST_MATCH_OPTIONS[ self::SLOT_PREVIOUS ], $last, false );
			}
		}
		self::save( self::OPTION, $secret );
		delete_option( self::LAST_MATCH_OPTIONS[ self::SLOT_CURRENT ] );
		return true;
	}

	/**
	 * Puts back the secrets saved before a rotation that was not completed (connecting Cal.com failed
	 * after the new secret was saved): Cal.com still signs with the old one.
	 *
	 * @param string $current  The current secret before.
	 * @param string $previous The previous secret before ('' for none).
	 */
	public function restore( string $current, string $previous ): void {
		if ( $this->current_is_constant() ) {
			return;
		}
		foreach ( array( self::OPTION => $current, self::PREVIOUS_OPTION => $this->previous_is_constant() ? null : $previous ) as $option => $value ) {
			if ( '' === $value ) {
				delete_option( $option );
			} elseif ( null !== $value ) {
				self::save( $option, $value );
			}
		}
	}

	/**
	 * Ends a rotation: the previous secret stops being accepted.
	 *
	 * @return bool False when it is set in wp-config.php.
	 */
	public function remove_previous(): bool {
		if ( $this->previous_is_constant() ) {
			return false;
		}
		delete_option( self::PREVIOUS_OPTION );
		delete_option( self::LAST_MATCH_OPTIONS[ self::SLOT_PREVIOUS ] );
		return true;
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
		$new = self::generate();
		$this->set_current( $new, true );
		return $new;
	}

	/**
	 * How a saved secret is shown: never in full, only its length and last characters.
	 *
	 * @param string $secret A secret.
	 */
	public static function mask( string $secret ): string {
		$length = strlen( $secret );
		if ( 0 === $length ) {
			return '';
		}
		// Short secrets show nothing of themselves: four of eight characters would give half away.
		$tail = $length >= 2 * self::VISIBLE_TAIL * 2 ? substr( $secret, -self::VISIBLE_TAIL ) : '';
		return str_repeat( '•', 12 ) . $tail;
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
