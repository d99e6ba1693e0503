<?php
/**
 * Asks the site's own webhook endpoint, over HTTP, what Cal.com would get from it.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Webhook;

use SolarCapture\Plugin\Pipeline\Delivery_Store;

defined( 'ABSPATH' ) || exit;

/**
 * Loopback checks for the Integrations screen: redirects, a blocked REST API, http where https works,
 * and a signed test delivery.
 */
final class Endpoint_Check {

	/** Transient holding the last check (checks cost up to two HTTP requests). */
	public const CACHE = 'solar_capture_endpoint_check';

	private const CACHE_SECONDS  = 10 * MINUTE_IN_SECONDS;
	private const CHECK_TIMEOUT  = 5;
	private const HTTPS_TIMEOUT  = 3;
	private const TEST_TIMEOUT   = 10;
	private const ANSWER_EXCERPT = 300;

	public function __construct( private Webhook_Controller $controller, private Secrets $secrets ) {
	}

	/**
	 * What would make deliveries from Cal.com fail, from the cache unless $fresh.
	 *
	 * @param bool $fresh Ask the endpoint again.
	 * @return list<array{type: string, message: string}> One entry per problem; empty when none was found.
	 */
	public function problems( bool $fresh = false ): array {
		$url    = $this->controller->url();
		$cached = get_transient( self::CACHE );
		if ( ! $fresh && is_array( $cached ) && ( $cached['url'] ?? null ) === $url && is_array( $cached['problems'] ?? null ) ) {
			return $cached['problems'];
		}
		$problems = $this->check( $url );
		set_transient(
			self::CACHE,
			array(
				'url'      => $url,
				'problems' => $problems,
				'time'     => time(),
			),
			self::CACHE_SECONDS
		);
		return $problems;
	}

	/**
	 * When the cached check ran (Unix seconds), or null.
	 */
	public function checked_at(): ?int {
		$cached = get_transient( self::CACHE );
		return is_array( $cached ) && is_int( $cached['time'] ?? null ) ? $cached['time'] : null;
	}

	/**
	 * Runs the checks now.
	 *
	 * @param string $url The webhook endpoint URL.
	 * @return list<array{type: string, message: string}>
	 */
	public function check( string $url ): array {
		$problems = array();

		// A GET: a POST would be a delivery (and logged as one). WordPress answers a GET on this
		// POST-only route with its own JSON 404 "rest_no_route", which proves the REST API answered.
		$response = wp_remote_get( $url, $this->request_args( self::CHECK_TIMEOUT ) );
		if ( is_wp_error( $response ) ) {
			$problems[] = array(
				'type'    => 'unreachable',
				'message' => sprintf(
					/* translators: %s: error message of the HTTP request. */
					__( 'The site could not reach its own endpoint: %s. If the site is reachable from the internet this may only mean that the server cannot call itself; use "Send test delivery" and Cal.com\'s "Ping test" to be sure.', 'solar-capture' ),
					$response->get_error_message()
				),
			);
		} else {
			$problem = $this->judge_answer( (int) wp_remote_retrieve_response_code( $response ), (string) wp_remote_retrieve_header( $response, 'location' ), (string) wp_remote_retrieve_body( $response ) );
			if ( null !== $problem ) {
				$problems[] = $problem;
			}
		}

		$scheme = wp_parse_url( $url, PHP_URL_SCHEME );
		if ( 'http' === $scheme ) {
			if ( is_ssl() ) {
				$problems[] = array(
					'type'    => 'http',
					'message' => __( 'You are using wp-admin over https, but the site address is http, so the endpoint URL is http. Cal.com sends personal data: change the WordPress Address and Site Address under Settings > General to https, then copy the endpoint URL again.', 'solar-capture' ),
				);
			} elseif ( ! is_wp_error( wp_remote_get( set_url_scheme( $url, 'https' ), $this->request_args( self::HTTPS_TIMEOUT, true ) ) ) ) {
				$problems[] = array(
					'type'    => 'http',
					'message' => __( 'The site answers over https with a valid certificate, but its address is http, so this endpoint URL is http and bookings would travel unencrypted. Change the WordPress Address and Site Address under Settings > General to https, then copy the endpoint URL again.', 'solar-capture' ),
				);
			}
		}
		return $problems;
	}

	/**
	 * The problem a GET answer from the endpoint reveals, or null when it came from WordPress's REST API.
	 *
	 * @param int    $status   HTTP status.
	 * @param string $location Location header.
	 * @param string $body     Answer body.
	 * @return array{type: string, message: string}|null
	 */
	public function judge_answer( int $status, string $location, string $body ): ?array {
		if ( $status >= 300 && $status < 400 ) {
			return array(
				'type'    => 'redirect',
				'message' => sprintf(
					/* translators: 1: HTTP status, 2: redirect target. */
					__( 'The endpoint answers with a redirect (HTTP %1$d to %2$s). Cal.com does not follow redirects, so every delivery would fail. Enter the final URL in Cal.com, or remove the redirect (often http to https, www to non-www, or a trailing-slash rule), then check again.', 'solar-capture' ),
					$status,
					'' !== $location ? $location : __( 'no Location header', 'solar-capture' )
				),
			);
		}
		$data = json_decode( $body, true );
		$code = is_array( $data ) && is_string( $data['code'] ?? null ) ? $data['code'] : null;
		if ( 404 === $status && 'rest_no_route' === $code ) {
			return null;
		}
		if ( null === $code && is_array( $data ) && $status >= 200 && $status < 300 ) {
			return null;
		}
		if ( null !== $code && str_starts_with( $code, 'solar_capture_' ) ) {
			return null;
		}
		if ( ! is_array( $data ) ) {
			$what = sprintf(
				/* translators: 1: HTTP status, 2: start of the answer. */
				__( 'HTTP %1$d, not JSON: "%2$s"', 'solar-capture' ),
				$status,
				self::excerpt( $body )
			);
		} else {
			$what = sprintf(
				/* translators: 1: HTTP status, 2: error code, 3: error message. */
				__( 'HTTP %1$d, %2$s: %3$s', 'solar-capture' ),
				$status,
				(string) $code,
				is_string( $data['message'] ?? null ) ? $data['message'] : ''
			);
		}
		return array(
			'type'    => 'blocked',
			'message' => sprintf(
				/* translators: %s: what the endpoint answered. */
				__( 'The REST API looks blocked for anonymous requests: the endpoint answered %s. Cal.com can\'t log in, so allow anonymous requests to /wp-json/solar-capture/v1/ in your security plugin, firewall or host settings, then check again.', 'solar-capture' ),
				$what
			),
		);
	}

	/**
	 * Posts a signed PING, like Cal.com's "Ping test", to the site's own endpoint, following no redirect.
	 *
	 * @return array{ok: bool, message: string, status: ?int, delivery_id: ?int}
	 */
	public function send_test_delivery(): array {
		$secrets = $this->secrets->by_slot();
		if ( array() === $secrets ) {
			return $this->test_result( false, __( 'No secret is set, so the endpoint refuses every delivery (503). Generate and save a secret first.', 'solar-capture' ) );
		}
		$body     = self::ping_body( (int) floor( microtime( true ) * 1000 ) );
		$url      = $this->controller->url();
		$args     = $this->request_args( self::TEST_TIMEOUT );
		$started  = microtime( true );
		$response = wp_remote_post(
			$url,
			array_merge(
				$args,
				array(
					'headers' => array(
						'Content-Type'          => 'application/json',
						'X-Cal-Signature-256'   => hash_hmac( 'sha256', $body, (string) reset( $secrets ) ),
						'X-Cal-Webhook-Version' => '2021-10-20',
					),
					'body'    => $body,
				)
			)
		);
		$seconds  = microtime( true ) - $started;

		if ( is_wp_error( $response ) ) {
			$message = $response->get_error_message();
			if ( false !== stripos( $message, 'timed out' ) || false !== stripos( $message, 'timeout' ) ) {
				return $this->test_result(
					false,
					sprintf(
						/* translators: 1: seconds, 2: URL, 3: error message. */
						__( 'The test delivery timed out after %1$d seconds: %2$s did not answer (%3$s). Cal.com would give up too. Check that the site can be reached at this address and that nothing holds requests to /wp-json/ back.', 'solar-capture' ),
						self::TEST_TIMEOUT,
						$url,
						$message
					)
				);
			}
			return $this->test_result(
				false,
				sprintf(
					/* translators: 1: URL, 2: error message. */
					__( 'The test delivery could not be sent to %1$s: %2$s', 'solar-capture' ),
					$url,
					$message
				)
			);
		}

		$status = (int) wp_remote_retrieve_response_code( $response );
		$answer = (string) wp_remote_retrieve_body( $response );
		$data   = json_decode( $answer, true );
		if ( $status >= 300 && $status < 400 ) {
			return $this->test_result(
				false,
				sprintf(
					/* translators: 1: HTTP status, 2: redirect target. */
					__( 'The endpoint answered HTTP %1$d, a redirect to %2$s. Cal.com does not follow redirects: enter the final URL in Cal.com or remove the redirect.', 'solar-capture' ),
					$status,
					(string) wp_remote_retrieve_header( $response, 'location' )
				),
				$status
			);
		}
		if ( 200 === $status && is_array( $data ) && in_array( $data['result'] ?? null, array( Delivery_Store::ACCEPTED, Delivery_Store::DUPLICATE ), true ) ) {
			$id = isset( $data['delivery_id'] ) && is_numeric( $data['delivery_id'] ) ? (int) $data['delivery_id'] : null;
			return $this->test_result(
				true,
				sprintf(
					/* translators: 1: delivery number, 2: milliseconds. */
					__( 'Test delivery received: the endpoint answered HTTP 200 and verified the signature (delivery #%1$d, %2$d ms). Deliveries from Cal.com signed with the same secret will work.', 'solar-capture' ),
					(int) $id,
					(int) round( $seconds * 1000 )
				),
				$status,
				$id
			);
		}
		if ( is_array( $data ) && is_string( $data['code'] ?? null ) ) {
			$detail = $data['code'] . ': ' . ( is_string( $data['message'] ?? null ) ? $data['message'] : '' );
		} else {
			$detail = '"' . self::excerpt( $answer ) . '"';
		}
		return $this->test_result(
			false,
			sprintf(
				/* translators: 1: HTTP status, 2: error code and message, or the start of the answer. */
				__( 'The test delivery failed with HTTP %1$d: %2$s', 'solar-capture' ),
				$status,
				$detail
			),
			$status
		);
	}

	/**
	 * A body like the one Cal.com's "Ping test" sends, created now.
	 *
	 * @param int $now_ms Unix milliseconds.
	 */
	public static function ping_body( int $now_ms ): string {
		$time = gmdate( 'Y-m-d\TH:i:s', intdiv( $now_ms, 1000 ) ) . sprintf( '.%03dZ', $now_ms % 1000 );
		return (string) wp_json_encode(
			array(
				'triggerEvent' => 'PING',
				'createdAt'    => $time,
				'payload'      => array(
					'type'      => 'Test',
					'title'     => 'Test trigger event from Solar Capture',
					'startTime' => $time,
					'endTime'   => $time,
					'attendees' => array(
						array(
							'email'    => 'jdoe@example.com',
							'name'     => 'John Doe',
							'timeZone' => 'Europe/London',
							'language' => array( 'locale' => 'en' ),
						),
					),
					'organizer' => array(
						'name'     => 'Solar Capture',
						'email'    => 'no-reply@example.com',
						'timeZone' => 'Europe/London',
						'language' => array( 'locale' => 'en' ),
					),
				),
			),
			JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
		);
	}

	/**
	 * @param int  $timeout      Seconds.
	 * @param bool $verify_https Whether a certificate must be valid (true when https itself is tested).
	 * @return array<string, mixed>
	 */
	private function request_args( int $timeout, bool $verify_https = false ): array {
		return array(
			'redirection' => 0,
			'timeout'     => $timeout,
			// Core's loopback requests (Site Health) skip certificate checks the same way.
			'sslverify'   => $verify_https ? true : apply_filters( 'https_local_ssl_verify', false ),
			'user-agent'  => 'Solar Capture/' . SOLAR_CAPTURE_VERSION . ' endpoint check; ' . home_url( '/' ),
		);
	}

	/**
	 * The outcome of "Send test delivery", as the settings screen shows it.
	 *
	 * @param bool     $ok          Whether the endpoint verified and stored the ping.
	 * @param string   $message     What happened, with the fix when it failed.
	 * @param int|null $status      HTTP status answered.
	 * @param int|null $delivery_id Delivery row of the ping.
	 * @return array{ok: bool, message: string, status: ?int, delivery_id: ?int}
	 */
	private function test_result( bool $ok, string $message, ?int $status = null, ?int $delivery_id = null ): array {
		return array(
			'ok'          => $ok,
			'message'     => $message,
			'status'      => $status,
			'delivery_id' => $delivery_id,
		);
	}

	private static function excerpt( string $text ): string {
		$text = trim( (string) preg_replace( '/\s+/', ' ', wp_strip_all_tags( $text ) ) );
		return mb_strlen( $text ) > self::ANSWER_EXCERPT ? mb_substr( $text, 0, self::ANSWER_EXCERPT ) . '…' : $text;
	}
}
