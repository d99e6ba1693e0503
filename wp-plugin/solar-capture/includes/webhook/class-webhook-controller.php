<?php
/**
 * The REST route Cal.com posts to.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Webhook;

use SolarCapture\Plugin\Pipeline\Delivery_Outcome;
use SolarCapture\Plugin\Pipeline\Delivery_Pipeline;
use SolarCapture\Plugin\Pipeline\Delivery_Source;
use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Pipeline\Refusal_Counter;

defined( 'ABSPATH' ) || exit;

/**
 * POST /wp-json/solar-capture/v1/calcom-webhook: size cap (before WordPress decodes the body), secret,
 * signature, then the pipeline.
 */
final class Webhook_Controller {

	public const ROUTE_NAMESPACE        = 'solar-capture/v1';
	public const ROUTE                  = '/calcom-webhook';
	public const DEFAULT_MAX_BODY_BYTES = 1048576;

	/** The engine's signature_header_problem() answers, as reason codes. */
	private const SIGNATURE_PROBLEMS = array(
		'missing'            => Reason::SIGNATURE_MISSING,
		'no_secret_provided' => Reason::NO_SECRET_PROVIDED,
		'malformed'          => Reason::SIGNATURE_MALFORMED,
	);

	public function __construct( private Secrets $secrets, private Delivery_Pipeline $pipeline ) {
	}

	public function add_hooks(): void {
		add_action( 'rest_api_init', array( $this, 'register_routes' ) );
		add_filter( 'rest_pre_dispatch', array( $this, 'refuse_oversized_body' ), 10, 3 );
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
	 * The size cap, before WordPress matches the route's handler: that is where it decodes a JSON body
	 * (has_valid_params()), and a multi-megabyte body decoded costs many times its size in memory.
	 *
	 * @param mixed            $result  A response from an earlier filter, or null.
	 * @param \WP_REST_Server  $server  The REST server.
	 * @param \WP_REST_Request $request The request; its body is read, not decoded.
	 * @return mixed
	 */
	public function refuse_oversized_body( $result, $server, $request ) {
		if ( null !== $result || ! $request instanceof \WP_REST_Request || 'POST' !== $request->get_method()
			|| untrailingslashit( $request->get_route() ) !== '/' . self::ROUTE_NAMESPACE . self::ROUTE ) {
			return $result;
		}
		$size  = strlen( (string) $request->get_body() );
		$limit = $this->max_body_bytes();
		if ( $size <= $limit ) {
			return $result;
		}
		// Before any hashing: an oversized body costs nothing more than its length.
		/* translators: 1: body size in bytes, 2: limit in bytes. */
		$detail = sprintf( __( '%1$d bytes, the limit is %2$d', 'solar-capture' ), $size, $limit );
		$answer = self::answer( $this->pipeline->refuse( Reason::BODY_TOO_LARGE, Delivery_Source::webhook( null ), null, $detail ) );
		// WP_REST_Server::dispatch() hands a pre-dispatch result back as it is: a response, as a handler's would be.
		return is_wp_error( $answer ) ? rest_convert_error_to_response( $answer ) : $answer;
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
		// The size cap ran before this (refuse_oversized_body()).
		$body = (string) $request->get_body();
		if ( array() === $this->secrets->by_slot() ) {
			return self::answer( $this->pipeline->refuse( Reason::NO_SECRET, Delivery_Source::webhook( null ) ) );
		}

		$header = (string) $request->get_header( 'x_cal_signature_256' );
		$slot   = $this->secrets->matching_slot( $body, $header );
		if ( null === $slot ) {
			// The engine decided; it also says why a header could never have verified.
			$problem = \SolarCapture\signature_header_problem( $header );
			$code    = self::SIGNATURE_PROBLEMS[ $problem ] ?? Reason::INVALID_SIGNATURE;
			return self::answer( $this->pipeline->refuse( $code, Delivery_Source::webhook( null ), hash( 'sha256', $body ), '', Refusal_Counter::looks_like_calcom( $body, $header ) ) );
		}

		$this->secrets->record_match( $slot );
		return self::answer( $this->pipeline->process( $body, Delivery_Source::webhook( $slot ) ) );
	}

	/**
	 * The HTTP answer to a webhook sender: 200 once the delivery is stored, otherwise the reason's
	 * status with a solar_capture_<reason> error that names the fix.
	 *
	 * @param Delivery_Outcome $outcome What became of the delivery.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public static function answer( Delivery_Outcome $outcome ) {
		if ( ! $outcome->is_stored() ) {
			$data = array( 'status' => Reason::http_status( $outcome->reason_code ) );
			if ( Delivery_Store::FAILED === $outcome->result ) {
				$data['delivery_id'] = $outcome->delivery_id;
			}
			return new \WP_Error( 'solar_capture_' . $outcome->reason_code, Reason::sentence( $outcome->reason_code, $outcome->detail ), $data );
		}
		$data = array(
			'result'      => $outcome->result,
			'reason'      => $outcome->reason_code,
			'duplicate'   => Delivery_Store::DUPLICATE === $outcome->result,
			'delivery_id' => $outcome->delivery_id,
			'trigger'     => $outcome->trigger,
			'message'     => Reason::sentence( $outcome->reason_code ),
		);
		if ( Delivery_Store::DUPLICATE === $outcome->result ) {
			$data['duplicate_of'] = $outcome->duplicate_of;
		} else {
			$data += array(
				'lead_id' => $outcome->lead_id,
				'created' => $outcome->created,
				'applied' => $outcome->applied,
				// The timeline note of a lead event (applied, older_than_last_event, ...).
				'note'    => null === $outcome->lead_id ? '' : $outcome->reason_code,
			);
		}
		return new \WP_REST_Response( $data, 200 );
	}

	/**
	 * @param mixed $handler A matched REST handler.
	 */
	private function is_own_handler( $handler ): bool {
		return is_array( $handler ) && isset( $handler['callback'] ) && is_array( $handler['callback'] )
			&& ( $handler['callback'][0] ?? null ) === $this && 'handle' === ( $handler['callback'][1] ?? null );
	}
}
