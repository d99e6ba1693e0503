<?php
/**
 * POST /wp-json/solar-capture/v1/leads: the site's enquiry form, and other form plugins.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Capture;

use SolarCapture\Plugin\Webhook\Webhook_Controller;

defined( 'ABSPATH' ) || exit;

/**
 * JSON or form-encoded; 201 {lead_id, lead_ref, booking_url}, 400 naming the field, 429 when one client
 * sends too many (contract section 4).
 */
final class Leads_Controller {

	public const ROUTE = '/leads';

	public function __construct( private Lead_Capture $capture ) {
	}

	public function add_hooks(): void {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
	}

	public function register_routes(): void {
		register_rest_route(
			Webhook_Controller::ROUTE_NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => 'POST',
				'callback'            => array( $this, 'handle' ),
				// Open on purpose: visitors of the site send their enquiry without an account. Abuse is held
				// off by the honeypot, the size limits and the per-client rate limit in Lead_Capture.
				'permission_callback' => '__return_true',
			)
		);
	}

	/**
	 * @param \WP_REST_Request $request JSON or form-encoded fields.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$params = $request->get_json_params();
		if ( ! is_array( $params ) ) {
			$params = $request->get_body_params();
		}
		$params = is_array( $params ) ? $params : array();
		if ( ! isset( $params['source'] ) && isset( $_COOKIE[ Lead_Form::SOURCE_COOKIE ] ) ) {
			$params['source'] = wp_unslash( $_COOKIE[ Lead_Form::SOURCE_COOKIE ] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- Lead_Capture::source() keeps known keys, sanitised.
		}
		$result = $this->capture->submit( $params, (string) ( $_SERVER['REMOTE_ADDR'] ?? '' ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- hashed for the rate limit, never stored or shown.
		return is_wp_error( $result ) ? $result : new \WP_REST_Response( $result, 201 );
	}
}
