<?php
/**
 * Cal.com API v2, the calls the plugin makes.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Calcom;

defined( 'ABSPATH' ) || exit;

/**
 * Every request goes through request(): Bearer key, the cal-api-version its endpoint family needs
 * (without it Cal.com silently answers with its oldest handlers and another shape), a timeout, no
 * redirects, and an Api_Error for anything but Cal.com's success envelope. Nothing is logged here.
 */
final class Api_Client {

	/** `cal-api-version` of the bookings endpoints. */
	public const BOOKINGS_VERSION = '2024-08-13';
	/** `cal-api-version` of the event-types endpoints. */
	public const EVENT_TYPES_VERSION = '2024-06-14';
	/** Largest page Cal.com serves for webhooks and bookings. */
	public const MAX_TAKE = 250;
	public const TIMEOUT  = 15;

	public function __construct( private Api_Settings $settings ) {
	}

	/**
	 * GET /v2/me: checks the key; gives the user's id, username and e-mail.
	 *
	 * @return array<string, mixed>
	 * @throws Api_Error When Cal.com refuses or can't be reached.
	 */
	public function me(): array {
		return self::object( $this->request( 'GET', '/v2/me' )['data'] );
	}

	/**
	 * One page of the user's webhooks (GET /v2/webhooks).
	 *
	 * @param int $skip Offset.
	 * @return array<int, array<string, mixed>>
	 * @throws Api_Error When Cal.com refuses or can't be reached.
	 */
	public function webhooks( int $skip = 0 ): array {
		$data = $this->request(
			'GET',
			'/v2/webhooks',
			array(
				'take' => self::MAX_TAKE,
				'skip' => $skip,
			)
		)['data'];
		return is_array( $data ) ? array_values( array_filter( $data, 'is_array' ) ) : array();
	}

	/**
	 * POST /v2/webhooks.
	 *
	 * @param array<string, mixed> $webhook CreateWebhookInputDto: active, subscriberUrl, triggers, secret.
	 * @return array<string, mixed> The webhook as Cal.com stored it.
	 * @throws Api_Error When Cal.com refuses (409: one with this subscriber URL exists) or can't be reached.
	 */
	public function create_webhook( array $webhook ): array {
		return self::object( $this->request( 'POST', '/v2/webhooks', array(), $webhook )['data'] );
	}

	/**
	 * PATCH /v2/webhooks/{id}.
	 *
	 * @param string               $id      Webhook id (a UUID string).
	 * @param array<string, mixed> $changes UpdateWebhookInputDto fields.
	 * @return array<string, mixed>
	 * @throws Api_Error When Cal.com refuses or can't be reached.
	 */
	public function update_webhook( string $id, array $changes ): array {
		return self::object( $this->request( 'PATCH', '/v2/webhooks/' . rawurlencode( $id ), array(), $changes )['data'] );
	}

	/**
	 * DELETE /v2/webhooks/{id}.
	 *
	 * @param string $id Webhook id.
	 * @throws Api_Error When Cal.com refuses (404: already gone) or can't be reached.
	 */
	public function delete_webhook( string $id ): void {
		$this->request( 'DELETE', '/v2/webhooks/' . rawurlencode( $id ) );
	}

	/**
	 * A user's event types, hidden ones included (GET /v2/event-types?username=).
	 *
	 * @param string $username Cal.com username (from me()).
	 * @return array<int, array<string, mixed>>
	 * @throws Api_Error When Cal.com refuses or can't be reached.
	 */
	public function event_types( string $username ): array {
		$data = $this->request( 'GET', '/v2/event-types', array( 'username' => $username ), null, self::EVENT_TYPES_VERSION )['data'];
		return is_array( $data ) ? array_values( array_filter( $data, 'is_array' ) ) : array();
	}

	/**
	 * One page of GET /v2/bookings.
	 *
	 * @param array<string, scalar> $filters Query: afterUpdatedAt, afterCreatedAt, sortUpdatedAt, sortCreated, take, skip, ...
	 * @return array{bookings: array<int, array<string, mixed>>, has_next: bool, total: int|null}
	 * @throws Api_Error When Cal.com refuses or can't be reached.
	 */
	public function bookings( array $filters ): array {
		$answer = $this->request( 'GET', '/v2/bookings', $filters, null, self::BOOKINGS_VERSION );
		$data   = is_array( $answer['data'] ) ? array_values( array_filter( $answer['data'], 'is_array' ) ) : array();
		$pages  = is_array( $answer['pagination'] ?? null ) ? $answer['pagination'] : array();
		$take   = (int) ( $filters['take'] ?? 100 );
		return array(
			'bookings' => $data,
			// Without a pagination block, a full page means there may be more.
			'has_next' => isset( $pages['hasNextPage'] ) ? true === $pages['hasNextPage'] : count( $data ) >= $take,
			'total'    => isset( $pages['totalItems'] ) && is_int( $pages['totalItems'] ) ? $pages['totalItems'] : null,
		);
	}

	/**
	 * GET /v2/bookings/{uid}: one booking (the first of a recurring series' array).
	 *
	 * @param string $uid Booking uid.
	 * @return array<string, mixed>
	 * @throws Api_Error When Cal.com refuses (404: no such booking) or can't be reached.
	 */
	public function booking( string $uid ): array {
		$data = $this->request( 'GET', '/v2/bookings/' . rawurlencode( $uid ), array(), null, self::BOOKINGS_VERSION )['data'];
		if ( is_array( $data ) && array_is_list( $data ) ) {
			$data = $data[0] ?? array();
		}
		return self::object( $data );
	}

	/**
	 * Sends one request and returns Cal.com's success envelope, decoded.
	 *
	 * @param string                    $method  HTTP method.
	 * @param string                    $path    Path below the base, e.g. /v2/me.
	 * @param array<string, scalar>     $query   Query arguments.
	 * @param array<string, mixed>|null $body    JSON body.
	 * @param string|null               $version cal-api-version, for the endpoints that need one.
	 * @return array<string, mixed> With 'data' (and 'pagination' for booking lists).
	 * @throws Api_Error For anything but a 2xx success envelope.
	 */
	public function request( string $method, string $path, array $query = array(), ?array $body = null, ?string $version = null ): array {
		$key = $this->settings->key();
		if ( '' === $key ) {
			throw Api_Error::no_key();
		}
		$url     = $this->settings->base() . $path . ( array() === $query ? '' : '?' . http_build_query( $query, '', '&', PHP_QUERY_RFC3986 ) );
		$headers = array(
			'Authorization' => 'Bearer ' . $key,
			'Accept'        => 'application/json',
		);
		if ( null !== $version ) {
			$headers['cal-api-version'] = $version;
		}
		$args = array(
			'method'      => $method,
			'timeout'     => self::TIMEOUT,
			'redirection' => 0,
			'user-agent'  => 'SolarCapture/' . ( defined( 'SOLAR_CAPTURE_VERSION' ) ? SOLAR_CAPTURE_VERSION : '0' ) . '; WordPress/' . get_bloginfo( 'version' ),
			'headers'     => $headers,
		);
		if ( null !== $body ) {
			$args['headers']['Content-Type'] = 'application/json';
			$args['body']                    = (string) wp_json_encode( $body );
		}
		$response = wp_remote_request( $url, $args );
		if ( is_wp_error( $response ) ) {
			throw Api_Error::network( $method, $this->settings->base() . $path, $response->get_error_message() );
		}
		$status  = (int) wp_remote_retrieve_response_code( $response );
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		$decoded = is_array( $decoded ) ? $decoded : array();
		if ( $status >= 400 && $status < 500 && 429 !== $status && 'error' !== ( $decoded['status'] ?? null ) ) {
			// A 404 page or a login form: the base URL is not Cal.com's API.
			throw Api_Error::bad_answer( $method, $path, $status );
		}
		if ( $status < 200 || $status > 299 ) {
			$lower = array();
			foreach ( wp_remote_retrieve_headers( $response ) as $name => $value ) {
				$lower[ strtolower( (string) $name ) ] = is_array( $value ) ? (string) end( $value ) : (string) $value;
			}
			throw Api_Error::from_answer( $status, $method, $path, $decoded, $lower );
		}
		if ( 'success' !== ( $decoded['status'] ?? null ) || ! array_key_exists( 'data', $decoded ) ) {
			throw Api_Error::bad_answer( $method, $path, $status );
		}
		return $decoded;
	}

	/**
	 * @param mixed $data A decoded `data`.
	 * @return array<string, mixed>
	 */
	private static function object( $data ): array {
		return is_array( $data ) ? $data : array();
	}
}
