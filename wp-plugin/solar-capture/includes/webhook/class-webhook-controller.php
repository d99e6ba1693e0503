<?php
/**
 * The REST route Cal.com posts to.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Webhook;

use SolarCapture\Plugin\Pipeline\Delivery_Pipeline;
use SolarCapture\Plugin\Pipeline\Delivery_Store;

/**
 * POST /wp-json/solar-capture/v1/calcom-webhook: size cap, secret, signature, then the pipeline.
 */
final class Webhook_Controller {

	public const ROUTE_NAMESPACE        = 'solar-capture/v1';
	public const ROUTE                  = '/calcom-webhook';
	public const DEFAULT_MAX_BODY_BYTES = 1048576;

	public function __construct( private Secrets $secrets, private Delivery_Store $deliveries, private Delivery_Pipeline $pipeline ) {
	}

	public function add_hooks(): void {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
		add_filter( 'rest_request_before_callbacks', array( $this, 'take_back_invalid_json' ), 10, 3 );
	}

	public function register_routes(): void {
		register_rest_route(
			self::ROUTE_NAMESPACE,
			self::ROUTE,
			array(
				'methods'             => 'POST',
				'callback'            => array( $this, 'handle' ),
				// Open to anonymous requests on purpose: Cal.com can't log in. Each request is
				// authenticated in handle() by the HMAC-SHA256 signature of its exact body.
				'permission_callback' => '__return_true',
				'args'                => array(),
			)
		);
	}

	/**
	 * The webhook URL to enter in Cal.com.
	 */
	public function url(): string {
		return rest_url( self::ROUTE_NAMESPACE . self::ROUTE );
	}

	/**
	 * WordPress answers 400 rest_invalid_json for a non-JSON application/json body before any
	 * permission callback runs. For this route that verdict is the plugin's to give (after the size
	 * cap and the signature), so the error is dropped and the request goes on to handle().
	 *
	 * @param mixed            $response Result so far (a WP_Error from the parameter checks, or null).
	 * @param array            $handler  The matched route handler.
	 * @param \WP_REST_Request $request  The request.
	 * @return mixed
	 */
	public function take_back_invalid_json( $response, $handler, $request ) {
		if ( is_wp_error( $response ) && 'rest_invalid_json' === $response->get_error_code() && $this->is_own_handler( $handler ) ) {
			return null;
		}
		return $response;
	}

	/**
	 * Filterable cap on the body size, in bytes.
	 */
	public function max_body_bytes(): int {
		/**
		 * Filters the largest webhook body accepted, in bytes (default 1 MiB). Larger bodies get 413
		 * before anything is hashed or parsed.
		 *
		 * @param int $bytes Maximum body size.
		 */
		$bytes = (int) apply_filters( 'solar_capture_max_body_bytes', self::DEFAULT_MAX_BODY_BYTES );
		return $bytes > 0 ? $bytes : self::DEFAULT_MAX_BODY_BYTES;
	}

	/**
	 * Handles one delivery.
	 *
	 * @param \WP_REST_Request $request The request; its raw body is what was signed.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function handle( \WP_REST_Request $request ) {
		$body  = (string) $request->get_body();
		$size  = strlen( $body );
		$limit = $this->max_body_bytes();

		// Before any hashing: an oversized body costs nothing more than its length.
		if ( $size > $limit ) {
			$this->reject( 'body too large: ' . $size . ' bytes', 413, null );
			return new \WP_Error(
				'solar_capture_body_too_large',
				sprintf(
					/* translators: 1: body size in bytes, 2: limit in bytes. */
					__( 'The body is %1$d bytes, more than the %2$d bytes Solar Capture accepts. If Cal.com really sends bookings this large, raise the limit with the solar_capture_max_body_bytes filter.', 'solar-capture' ),
					$size,
					$limit
				),
				array( 'status' => 413 )
			);
		}

		if ( array() === $this->secrets->by_slot() ) {
			$this->reject( 'no secret configured', 503, null );
			return new \WP_Error(
				'solar_capture_no_secret',
				__( 'No Cal.com webhook secret is configured, so every delivery is refused. Set one under Solar leads > Settings > Integrations in wp-admin (or define SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php) and enter the same value in the Secret field of the webhook in Cal.com.', 'solar-capture' ),
				array( 'status' => 503 )
			);
		}

		$header = $request->get_header( 'x_cal_signature_256' );
		// The engine decides; the header is only looked at again to say why it was refused.
		$slot = $this->secrets->matching_slot( $body, (string) $header );
		if ( null === $slot ) {
			$error = $this->signature_problem( $header ) ?? $this->signature_error( 'invalid' );
			$this->reject( 'signature: ' . $error->get_error_code(), 401, hash( 'sha256', $body ) );
			return $error;
		}

		$this->secrets->record_match( $slot );
		return $this->pipeline->process( $body, $slot );
	}

	/**
	 * Why a refused signature header could never have verified (null: well formed, just wrong).
	 *
	 * @param string|null $header X-Cal-Signature-256 as received.
	 */
	private function signature_problem( ?string $header ): ?\WP_Error {
		$value = trim( (string) $header, " \t" );
		if ( '' === $value ) {
			return $this->signature_error( 'missing' );
		}
		if ( 0 === strcasecmp( $value, 'no-secret-provided' ) ) {
			return $this->signature_error( 'unsigned' );
		}
		if ( 0 === strncasecmp( $value, 'sha256=', 7 ) ) {
			$value = substr( $value, 7 );
		}
		if ( 1 !== preg_match( '/\A[0-9a-fA-F]{64}\z/', $value ) ) {
			return $this->signature_error( 'malformed' );
		}
		return null;
	}

	/**
	 * The 401 answers, each naming the fix.
	 *
	 * @param string $problem missing|unsigned|malformed|invalid.
	 */
	private function signature_error( string $problem ): \WP_Error {
		switch ( $problem ) {
			case 'missing':
				$code    = 'solar_capture_signature_missing';
				$message = __( 'The request has no X-Cal-Signature-256 header. This URL only accepts signed Cal.com webhooks: add it in Cal.com under Settings > Developer > Webhooks, with the secret set under Solar leads > Settings > Integrations.', 'solar-capture' );
				break;
			case 'unsigned':
				$code    = 'solar_capture_no_secret_provided';
				$message = __( 'Cal.com sent "no-secret-provided": the webhook in Cal.com has no secret. Enter the secret set under Solar leads > Settings > Integrations in the Secret field of the webhook in Cal.com.', 'solar-capture' );
				break;
			case 'malformed':
				$code    = 'solar_capture_signature_malformed';
				$message = __( 'The X-Cal-Signature-256 header is not an HMAC-SHA256 in hex (64 hex digits, optionally prefixed "sha256="). Send the request from Cal.com, or sign the exact body with the shared secret.', 'solar-capture' );
				break;
			default:
				$code    = 'solar_capture_invalid_signature';
				$message = __( 'The signature does not match the body under the configured secret. Make sure the Secret field of the webhook in Cal.com holds exactly the secret set under Solar leads > Settings > Integrations (or SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php), and that nothing rewrites the body on the way.', 'solar-capture' );
		}
		return new \WP_Error( $code, $message, array( 'status' => 401 ) );
	}

	/**
	 * Records a refused request (no body kept).
	 *
	 * @param string      $reason      Why.
	 * @param int         $status      HTTP status answered.
	 * @param string|null $body_sha256 Hash of the body, when it was computed anyway.
	 */
	private function reject( string $reason, int $status, ?string $body_sha256 ): void {
		$this->deliveries->record(
			array(
				'result'      => Delivery_Store::REJECTED,
				'reason'      => $reason,
				'http_status' => $status,
				'body_sha256' => $body_sha256,
			)
		);
	}

	/**
	 * @param mixed $handler A matched REST handler.
	 */
	private function is_own_handler( $handler ): bool {
		return is_array( $handler ) && isset( $handler['callback'] ) && is_array( $handler['callback'] )
			&& ( $handler['callback'][0] ?? null ) === $this && 'handle' === ( $handler['callback'][1] ?? null );
	}
}
