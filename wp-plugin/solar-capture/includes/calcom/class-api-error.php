<?php
/**
 * A Cal.com API call that did not succeed.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Calcom;

defined( 'ABSPATH' ) || exit;

/**
 * One type with a kind per answer that needs its own handling: 400, 401, 403, 404, 409, 429, a 5xx, no
 * answer at all, or an answer that is not Cal.com's JSON. The message names the fix and never holds the
 * API key or a webhook secret (request bodies are never quoted).
 */
final class Api_Error extends \RuntimeException {

	public const BAD_REQUEST  = 'bad_request';
	public const UNAUTHORIZED = 'unauthorized';
	public const FORBIDDEN    = 'forbidden';
	public const NOT_FOUND    = 'not_found';
	public const CONFLICT     = 'conflict';
	public const RATE_LIMITED = 'rate_limited';
	public const SERVER       = 'server';
	public const NETWORK      = 'network';
	public const BAD_ANSWER   = 'bad_answer';
	public const NO_KEY       = 'no_key';

	private const KINDS = array(
		400 => self::BAD_REQUEST,
		401 => self::UNAUTHORIZED,
		403 => self::FORBIDDEN,
		404 => self::NOT_FOUND,
		409 => self::CONFLICT,
		429 => self::RATE_LIMITED,
	);

	/**
	 * @param string   $kind          One of the constants.
	 * @param string   $message       What happened and what to do.
	 * @param int      $status        HTTP status (0: no answer).
	 * @param string   $calcom_code   Cal.com's error.code, e.g. NotFoundException ('' when none).
	 * @param int|null $retry_after   Seconds until the rate limit resets (429), when Cal.com said.
	 * @param int|null $remaining     Requests left in the window, when Cal.com said.
	 */
	public function __construct(
		public readonly string $kind,
		string $message,
		public readonly int $status = 0,
		public readonly string $calcom_code = '',
		public readonly ?int $retry_after = null,
		public readonly ?int $remaining = null
	) {
		parent::__construct( $message, $status );
	}

	/**
	 * The error of an HTTP answer that is not a 2xx.
	 *
	 * @param int                   $status  HTTP status.
	 * @param string                $method  Request method.
	 * @param string                $path    Request path (no query: it can hold e-mail addresses).
	 * @param array<string, mixed>  $body    Decoded body (Cal.com's error envelope, or anything).
	 * @param array<string, string> $headers Lower-case header names.
	 */
	public static function from_answer( int $status, string $method, string $path, array $body, array $headers ): self {
		$kind   = self::KINDS[ $status ] ?? ( $status >= 500 ? self::SERVER : self::BAD_REQUEST );
		$error  = is_array( $body['error'] ?? null ) ? $body['error'] : array();
		$code   = is_string( $error['code'] ?? null ) ? $error['code'] : '';
		$said   = is_string( $error['message'] ?? null ) ? $error['message'] : ( is_string( $body['message'] ?? null ) ? $body['message'] : '' );
		$reset  = self::header_int( $headers, 'x-ratelimit-reset-default' ) ?? self::header_int( $headers, 'retry-after' );
		$left   = self::header_int( $headers, 'x-ratelimit-remaining-default' );
		$detail = sprintf( '%s %s answered HTTP %d%s', $method, $path, $status, '' === $said ? '' : ': ' . self::cut( $said ) );
		$fixes  = array(
			self::UNAUTHORIZED => __( 'Cal.com does not accept the API key (unknown, revoked or expired). Create a new key in Cal.com under Settings > Developer > API keys and paste it again.', 'solar-capture' ),
			self::FORBIDDEN    => __( 'The API key may not change this webhook or event type: it belongs to another Cal.com user. Use a key of the account that owns it.', 'solar-capture' ),
			self::NOT_FOUND    => __( 'Cal.com has no such item: it was deleted in Cal.com, or the API base URL points at another Cal.com.', 'solar-capture' ),
			self::CONFLICT     => __( 'Cal.com already has this item (another request made it meanwhile).', 'solar-capture' ),
			/* translators: %s: seconds. */
			self::RATE_LIMITED => sprintf( __( 'Cal.com\'s rate limit for this API key is used up; it resets in %s seconds. The next run carries on where this one stopped.', 'solar-capture' ), null === $reset ? '60' : (string) $reset ),
			self::SERVER       => __( 'Cal.com had an internal error. Nothing was changed here; try again in a few minutes (reconciliation retries by itself every hour).', 'solar-capture' ),
			self::BAD_REQUEST  => __( 'Cal.com refused the request as invalid. If the message names the subscriber URL, the site address is one Cal.com may not call (see the Integrations screen).', 'solar-capture' ),
		);
		return new self( $kind, $fixes[ $kind ] . ' (' . $detail . ')', $status, $code, $reset, $left );
	}

	/**
	 * No answer at all (DNS, refused connection, timeout, TLS).
	 *
	 * @param string $method  Request method.
	 * @param string $url     Base URL and path called.
	 * @param string $message WordPress's error message.
	 */
	public static function network( string $method, string $url, string $message ): self {
		return new self(
			self::NETWORK,
			sprintf(
				/* translators: 1: method, 2: URL, 3: error message. */
				__( 'Cal.com could not be reached: %1$s %2$s failed (%3$s). Check the API base URL (Settings > Integrations) and that this server can make outgoing HTTPS requests.', 'solar-capture' ),
				$method,
				$url,
				self::cut( $message )
			)
		);
	}

	/**
	 * An answer that is not Cal.com's JSON envelope (a web page, a proxy).
	 *
	 * @param string $method Request method.
	 * @param string $path   Request path.
	 * @param int    $status HTTP status.
	 */
	public static function bad_answer( string $method, string $path, int $status ): self {
		return new self(
			self::BAD_ANSWER,
			sprintf(
				/* translators: 1: method, 2: path, 3: HTTP status. */
				__( '%1$s %2$s answered HTTP %3$d without Cal.com\'s JSON: the API base URL may point at a web page or a proxy, not at Cal.com\'s API (hosted: https://api.cal.com).', 'solar-capture' ),
				$method,
				$path,
				$status
			),
			$status
		);
	}

	public static function no_key(): self {
		return new self( self::NO_KEY, __( 'No Cal.com API key is set. Create one in Cal.com under Settings > Developer > API keys and paste it under Solar leads > Settings > Integrations.', 'solar-capture' ) );
	}

	/**
	 * Whether trying again later may succeed (rate limit, Cal.com's own error, no answer).
	 */
	public function is_temporary(): bool {
		return in_array( $this->kind, array( self::RATE_LIMITED, self::SERVER, self::NETWORK ), true );
	}

	/**
	 * @param array<string, string> $headers Lower-case names.
	 * @param string                $name    Lower-case name.
	 */
	private static function header_int( array $headers, string $name ): ?int {
		$value = $headers[ $name ] ?? null;
		return is_string( $value ) && is_numeric( trim( $value ) ) ? (int) ceil( (float) trim( $value ) ) : null;
	}

	private static function cut( string $text ): string {
		$text = wp_strip_all_tags( $text );
		return mb_strlen( $text ) > 300 ? mb_substr( $text, 0, 300 ) . '…' : $text;
	}
}
