<?php
/**
 * Which implementation of the SolarCapture\ functions runs: the native extension or the bundled PHP.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

defined( 'ABSPATH' ) || exit;

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
	 * What the running engine says about itself (\SolarCapture\engine_info(): the same function in both
	 * engines, so nothing is read back from phpinfo() output).
	 *
	 * @return array{engine: string, version: string, sha256_hardware: ?bool}
	 */
	public function info(): array {
		static $info = null;
		if ( null === $info ) {
			try {
				$info = \SolarCapture\engine_info();
			} catch ( \Throwable $e ) {
				$info = array(
					'engine'          => extension_loaded( 'solar_capture' ) ? 'native' : 'php',
					'version'         => '?',
					'sha256_hardware' => null,
				);
			}
		}
		return $info;
	}

	/**
	 * Whether the native extension runs.
	 */
	public function is_native(): bool {
		return 'native' === $this->info()['engine'];
	}

	/**
	 * Version of the running engine.
	 */
	public function version(): string {
		return (string) $this->info()['version'];
	}

	/**
	 * Short machine-readable label stored with each delivery, e.g. "native 0.1.0" or "php 0.1.0".
	 */
	public function label(): string {
		return $this->info()['engine'] . ' ' . $this->version();
	}

	/**
	 * Whether SHA-256 runs on hardware instructions (SHA-NI), for the admin; null when the engine can't tell.
	 */
	public function sha_hardware(): ?string {
		$hardware = $this->info()['sha256_hardware'];
		if ( null === $hardware ) {
			return null;
		}
		return $hardware ? __( 'yes (SHA-NI / ARMv8 SHA2)', 'solar-capture' ) : __( 'no (software)', 'solar-capture' );
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
