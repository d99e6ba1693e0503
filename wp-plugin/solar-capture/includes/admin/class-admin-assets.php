<?php
/**
 * The admin script and styles, on Solar Capture's screens only.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;

defined( 'ABSPATH' ) || exit;

/**
 * Enqueues assets/admin.js and assets/admin.css where they are used.
 */
final class Admin_Assets {

	public function add_hooks(): void {
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
	}

	public function enqueue(): void {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( null === $screen || Lead::POST_TYPE !== $screen->post_type ) {
			return;
		}
		$url = plugins_url( 'assets/', SOLAR_CAPTURE_FILE );
		wp_enqueue_style( 'solar-capture-admin', $url . 'admin.css', array(), SOLAR_CAPTURE_VERSION );
		wp_enqueue_script( 'solar-capture-admin', $url . 'admin.js', array(), SOLAR_CAPTURE_VERSION, true );
	}
}
