<?php
/**
 * Which implementation of the SolarCapture\ functions runs: the native extension or the bundled PHP.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

/**
 * Loads the engine and describes it to the admin.
 */
final class Engine {

	/**
	 * Makes SolarCapture\verify_signature() & co. available. The extension declares them itself;
	 * engine/functions.php declares the pure-PHP versions only when the extension is absent.
	 */
	public static function load(): void {
		if ( ! function_exists( 'SolarCapture\normalize_payload' ) ) {
			require_once Requirements::engine_file();
		}
	}

	public function add_hooks(): void {
		add_filter( 'debug_information', array( $this, 'add_site_health_info' ) );
	}

	/**
	 * Whether the native extension is loaded.
	 */
	public function is_native(): bool {
		return extension_loaded( 'solar_capture' );
	}

	/**
	 * Version of the running engine.
	 */
	public function version(): string {
		try {
			return (string) \SolarCapture\version();
		} catch ( \Throwable $e ) {
			return '?';
		}
	}

	/**
	 * Short machine-readable label stored with each delivery, e.g. "native 0.1.0" or "php 0.1.0".
	 */
	public function label(): string {
		return ( $this->is_native() ? 'native ' : 'php ' ) . $this->version();
	}

	/**
	 * What the extension reports about itself: the rows `php --ri solar_capture` prints, by name
	 * (e.g. "version" => "0.1.0", "SHA-256 hardware instructions" => "yes (SHA-NI / ARMv8 SHA2)").
	 * Empty when the extension is not loaded.
	 *
	 * @return array<string, string>
	 */
	public function extension_info(): array {
		if ( ! $this->is_native() ) {
			return array();
		}
		try {
			$extension = new \ReflectionExtension( 'solar_capture' );
			ob_start();
			try {
				$extension->info();
			} finally {
				$printed = (string) ob_get_clean();
			}
		} catch ( \Throwable $e ) {
			return array();
		}
		return self::parse_info( $printed );
	}

	/**
	 * Reads the name/value rows of an extension's info output: "name => value" lines on the command
	 * line, <tr><td>name</td><td>value</td></tr> rows under a web server.
	 *
	 * @param string $printed What ReflectionExtension::info() printed.
	 * @return array<string, string>
	 */
	public static function parse_info( string $printed ): array {
		$rows = array();
		if ( false !== stripos( $printed, '<td' ) ) {
			preg_match_all( '~<tr[^>]*>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>\s*</tr>~is', $printed, $matches, PREG_SET_ORDER );
			foreach ( $matches as $match ) {
				$rows[ trim( html_entity_decode( wp_strip_all_tags( $match[1] ) ) ) ] = trim( html_entity_decode( wp_strip_all_tags( $match[2] ) ) );
			}
			return $rows;
		}
		foreach ( preg_split( '/\R/', $printed ) as $line ) {
			$parts = explode( ' => ', $line, 2 );
			if ( 2 === count( $parts ) ) {
				$rows[ trim( $parts[0] ) ] = trim( $parts[1] );
			}
		}
		return $rows;
	}

	/**
	 * Whether SHA-256 runs on hardware instructions (SHA-NI), as the extension reports it; null when the
	 * extension is not loaded or doesn't say.
	 */
	public function sha_hardware(): ?string {
		foreach ( $this->extension_info() as $name => $value ) {
			if ( false !== stripos( $name, 'SHA-256' ) ) {
				return $value;
			}
		}
		return null;
	}

	/**
	 * Sentence for the admin.
	 */
	public function describe(): string {
		if ( $this->is_native() ) {
			return sprintf(
				/* translators: %s: version of the PHP extension. */
				__( 'Native PHP extension solar_capture %s (fast path).', 'solar-capture' ),
				$this->version()
			);
		}
		return sprintf(
			/* translators: %s: version of the bundled engine. */
			__( 'Bundled pure-PHP engine %s (the solar_capture extension is not loaded; results are identical, only slower).', 'solar-capture' ),
			$this->version()
		);
	}

	/**
	 * Adds the engine to Tools > Site Health > Info.
	 *
	 * @param array<string, mixed> $info Site Health sections.
	 * @return array<string, mixed>
	 */
	public function add_site_health_info( $info ) {
		if ( ! is_array( $info ) ) {
			return $info;
		}
		$info['solar-capture'] = array(
			'label'  => __( 'Solar Capture', 'solar-capture' ),
			'fields' => array(
				'engine' => array(
					'label' => __( 'Engine', 'solar-capture' ),
					'value' => $this->describe(),
					'debug' => $this->label(),
				),
			),
		);
		return $info;
	}
}
