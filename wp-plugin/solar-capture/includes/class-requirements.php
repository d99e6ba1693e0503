<?php
/**
 * What the plugin needs before it loads anything else.
 *
 * Written in syntax that PHP 5.6 can still parse: on a host below the supported version this class must
 * be able to say so in wp-admin instead of taking the site down with a parse error.
 *
 * @package SolarCapture
 */

namespace SolarCapture\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * Checks PHP, WordPress and the engine, and explains in wp-admin what is missing.
 */
final class Requirements {

	const MIN_PHP = '8.1';
	const MIN_WP  = '6.1';

	/**
	 * Whether everything the plugin needs is present.
	 *
	 * @return bool
	 */
	public static function met() {
		return array() === self::failed_checks();
	}

	/**
	 * Names of the checks that fail. Builds no message: translations must not load before `init`.
	 *
	 * @return string[]
	 */
	public static function failed_checks() {
		$failed = array();
		if ( version_compare( PHP_VERSION, self::MIN_PHP, '<' ) ) {
			$failed[] = 'php';
		}
		if ( version_compare( self::wp_version(), self::MIN_WP, '<' ) ) {
			$failed[] = 'wordpress';
		}
		if ( ! extension_loaded( 'solar_capture' ) && ! is_readable( self::engine_file() ) ) {
			$failed[] = 'engine';
		}
		if ( ! function_exists( 'hash_hmac' ) || ! in_array( 'sha256', hash_hmac_algos(), true ) ) {
			$failed[] = 'hash';
		}
		return $failed;
	}

	/**
	 * One sentence per missing requirement, each naming the fix.
	 *
	 * @return string[]
	 */
	public static function problems() {
		$problems = array();
		foreach ( self::failed_checks() as $check ) {
			switch ( $check ) {
				case 'php':
					$problems[] = sprintf(
						/* translators: 1: required PHP version, 2: running PHP version. */
						__( 'Solar Capture needs PHP %1$s or newer; this site runs PHP %2$s. Ask your host to upgrade PHP.', 'solar-capture' ),
						self::MIN_PHP,
						PHP_VERSION
					);
					break;
				case 'wordpress':
					$problems[] = sprintf(
						/* translators: 1: required WordPress version, 2: running WordPress version. */
						__( 'Solar Capture needs WordPress %1$s or newer; this site runs %2$s. Update WordPress under Dashboard > Updates.', 'solar-capture' ),
						self::MIN_WP,
						self::wp_version()
					);
					break;
				case 'engine':
					$problems[] = __( 'Solar Capture cannot find its bundled engine (engine/functions.php) and the solar_capture PHP extension is not loaded. Reinstall the plugin from its zip file.', 'solar-capture' );
					break;
				case 'hash':
					$problems[] = __( 'Solar Capture needs PHP\'s hash extension with SHA-256. Ask your host to enable it.', 'solar-capture' );
					break;
			}
		}
		return $problems;
	}

	/**
	 * The running WordPress version.
	 *
	 * @return string
	 */
	private static function wp_version() {
		return isset( $GLOBALS['wp_version'] ) ? (string) $GLOBALS['wp_version'] : '0';
	}

	/**
	 * Path of the pure-PHP engine bundled with the plugin.
	 *
	 * @return string
	 */
	public static function engine_file() {
		return dirname( __DIR__ ) . '/engine/functions.php';
	}

	/**
	 * Shows the problems to whoever can fix them, on every admin screen.
	 *
	 * @return void
	 */
	public static function add_notice() {
		add_action( 'admin_notices', array( __CLASS__, 'render_notice' ) );
		add_action( 'network_admin_notices', array( __CLASS__, 'render_notice' ) );
	}

	/**
	 * Prints the notice.
	 *
	 * @return void
	 */
	public static function render_notice() {
		$problems = self::problems();
		if ( array() === $problems || ! current_user_can( 'activate_plugins' ) ) {
			return;
		}
		echo '<div class="notice notice-error"><p><strong>' . esc_html__( 'Solar Capture is not running.', 'solar-capture' ) . '</strong></p><ul>';
		foreach ( $problems as $problem ) {
			echo '<li>' . esc_html( $problem ) . '</li>';
		}
		echo '</ul></div>';
	}
}
