<?php
/**
 * One-click set-up in Cal.com through its API: the webhook, its secret, the event types.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Calcom;

use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Webhook\Webhook_Controller;

defined( 'ABSPATH' ) || exit;

/**
 * Connect: check the key (GET /v2/me), find our webhook by its subscriber URL across pages, PATCH it or
 * POST a new one with a fresh secret and the triggers, keep that secret (the one it replaces stays
 * accepted while Cal.com switches), read the event types, send a test delivery. Re-running it when
 * everything is in place changes nothing; a 409 race lists again and patches. Disconnect deletes the
 * webhook.
 */
final class Connection {

	/** What the plugin asks Cal.com to send: every trigger that changes or annotates a lead. */
	public const TRIGGERS = array(
		'BOOKING_CREATED',
		'BOOKING_RESCHEDULED',
		'BOOKING_CANCELLED',
		'BOOKING_REQUESTED',
		'BOOKING_REJECTED',
		'BOOKING_PAID',
		'BOOKING_NO_SHOW_UPDATED',
		'MEETING_ENDED',
	);
	/** Payload version Cal.com's webhooks send (the only one). */
	public const PAYLOAD_VERSION = '2021-10-20';

	public function __construct(
		private Api_Settings $settings,
		private Api_Client $client,
		private Secrets $secrets,
		private Webhook_Controller $controller,
		private Endpoint_Check $endpoint_check
	) {
	}

	public function is_connected(): bool {
		return '' !== $this->settings->key() && array() !== $this->settings->connection();
	}

	/**
	 * Connects (or checks and repairs the connection).
	 *
	 * @param string|null $key  A key pasted now (null: the saved one). Saved only once Cal.com accepts it.
	 * @param bool        $test Send a signed test delivery to the endpoint afterwards.
	 * @return array{ok: bool, message: string, steps: string[], webhook_id: ?string, changed: bool, test: ?array<string, mixed>}
	 */
	public function connect( ?string $key = null, bool $test = true ): array {
		$steps = array();
		if ( null !== $key ) {
			if ( $this->settings->key_is_constant() ) {
				return self::result( false, __( 'The API key is set by SOLAR_CAPTURE_CALCOM_API_KEY in wp-config.php, which wins over a pasted key. Change it there, or remove the constant.', 'solar-capture' ), $steps );
			}
			if ( '' === Api_Settings::clean_key( $key ) ) {
				return self::result( false, __( 'That is not an API key: paste the key Cal.com showed when you created it (it starts with cal_ or cal_live_).', 'solar-capture' ), $steps );
			}
		}
		$old_key = $this->settings->key();
		if ( null !== $key ) {
			$this->settings->set_key( $key );
		}
		try {
			$me = $this->client->me();
		} catch ( Api_Error $e ) {
			if ( null !== $key ) {
				$this->settings->set_key( $old_key ); // A refused key is not kept.
			}
			return self::result( false, $e->getMessage(), $steps );
		}
		$user    = array(
			'id'       => is_int( $me['id'] ?? null ) ? $me['id'] : 0,
			'username' => is_string( $me['username'] ?? null ) ? $me['username'] : '',
			'email'    => is_string( $me['email'] ?? null ) ? $me['email'] : '',
		);
		$steps[] = sprintf(
			/* translators: 1: Cal.com username, 2: e-mail. */
			__( 'API key accepted: Cal.com user %1$s (%2$s).', 'solar-capture' ),
			$user['username'],
			$user['email']
		);

		$stored     = $this->settings->connection();
		$connection = array(
			'user'          => $user,
			'base'          => $this->settings->base(),
			'checked_at'    => time(),
			'connected_at'  => (int) ( $stored['connected_at'] ?? time() ),
			'event_types'   => array(),
			'webhook_id'    => $stored['webhook_id'] ?? null,
			'subscriber'    => $this->controller->url(),
			'triggers'      => self::TRIGGERS,
			'webhook_error' => null,
		);

		try {
			$connection['event_types'] = $this->read_event_types( $user['username'] );
			/* translators: %d: number of event types. */
			$steps[] = sprintf( _n( '%d event type read for the lead form.', '%d event types read for the lead form.', count( $connection['event_types'] ), 'solar-capture' ), count( $connection['event_types'] ) );
		} catch ( Api_Error $e ) {
			$steps[] = $e->getMessage();
		}

		$url     = $this->controller->url();
		$refusal = $this->settings->is_hosted() ? self::hosted_refusal( $url ) : null;
		if ( null !== $refusal ) {
			$connection['webhook_error'] = $refusal;
			$connection['webhook_id']    = null;
			$this->settings->set_connection( $connection );
			$steps[] = $refusal;
			return self::result( false, __( 'The API key is saved and missed bookings will be reconciled every hour, but the webhook could not be set up:', 'solar-capture' ) . ' ' . $refusal, $steps );
		}

		try {
			list( $webhook, $changed, $said ) = $this->ensure_webhook( $url, (string) ( $connection['webhook_id'] ?? '' ) );
		} catch ( Api_Error $e ) {
			$connection['webhook_error'] = $e->getMessage();
			$this->settings->set_connection( $connection );
			$steps[] = $e->getMessage();
			return self::result( false, $e->getMessage(), $steps );
		}
		$steps                    = array_merge( $steps, $said );
		$connection['webhook_id'] = (string) $webhook['id'];
		$connection['subscriber'] = $url;
		$this->settings->set_connection( $connection );

		$tested = null;
		if ( $test ) {
			$tested  = $this->endpoint_check->send_test_delivery();
			$steps[] = (string) $tested['message'];
		}
		$ok = null === $tested || true === $tested['ok'];
		return self::result(
			$ok,
			$ok ? __( 'Connected: Cal.com sends every booking event to this site, signed with a secret only the two of them know.', 'solar-capture' ) : __( 'The webhook is set up in Cal.com, but the test delivery failed:', 'solar-capture' ) . ' ' . $tested['message'],
			$steps,
			(string) $webhook['id'],
			$changed,
			$tested
		);
	}

	/**
	 * Deletes our webhook in Cal.com and forgets the key and the connection (a constant key stays).
	 *
	 * @return array{ok: bool, message: string}
	 */
	public function disconnect(): array {
		$id = (string) ( $this->settings->connection()['webhook_id'] ?? '' );
		if ( '' !== $id && '' !== $this->settings->key() ) {
			try {
				$this->client->delete_webhook( $id );
			} catch ( Api_Error $e ) {
				if ( Api_Error::NOT_FOUND !== $e->kind ) {
					return array(
						'ok'      => false,
						'message' => $e->getMessage(),
					);
				}
			}
		}
		$this->settings->set_connection( array() );
		if ( ! $this->settings->key_is_constant() ) {
			$this->settings->set_key( '' );
		}
		return array(
			'ok'      => true,
			'message' => __( 'Disconnected: the webhook was deleted in Cal.com and the API key removed here. Leads and their history stay. The shared secret stays too, for a webhook you set up by hand.', 'solar-capture' ),
		);
	}

	/**
	 * Why Cal.com's hosted service will refuse $url as a subscriber URL, or null when it should take it.
	 * Its rule (API source): https only, and no localhost, loopback, private, link-local, CGNAT or
	 * metadata address. A self-hosted Cal.com takes any URL.
	 *
	 * @param string $url The endpoint URL.
	 */
	public static function hosted_refusal( string $url ): ?string {
		$scheme = strtolower( (string) wp_parse_url( $url, PHP_URL_SCHEME ) );
		$host   = strtolower( trim( (string) wp_parse_url( $url, PHP_URL_HOST ), '[]' ) );
		$local  = 'localhost' === $host || str_ends_with( $host, '.localhost' )
			|| ( false !== filter_var( $host, FILTER_VALIDATE_IP ) && false === filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_NO_PRIV_RANGE | FILTER_FLAG_NO_RES_RANGE ) )
			|| self::in_cgnat( $host ) || '169.254.169.254' === $host || 'metadata.google.internal' === $host;
		if ( $local ) {
			return sprintf(
				/* translators: %s: host name or address. */
				__( 'Cal.com (cal.com) only calls public addresses, and this site\'s address %s is a local or private one. Use the site\'s public https address, or a self-hosted Cal.com that can reach it (set its API base URL below).', 'solar-capture' ),
				$host
			);
		}
		if ( 'https' !== $scheme ) {
			return __( 'Cal.com (cal.com) only calls https:// addresses, and this site\'s endpoint is http://. Switch the site to https (Settings > General) and connect again.', 'solar-capture' );
		}
		return null;
	}

	/**
	 * Finds our webhook and brings it to the wanted state; returns it, whether anything changed, and
	 * what was done.
	 *
	 * @param string $url        Subscriber URL.
	 * @param string $remembered Id of the webhook connected before ('' when none).
	 * @return array{0: array<string, mixed>, 1: bool, 2: string[]}
	 * @throws Api_Error When Cal.com refuses.
	 */
	private function ensure_webhook( string $url, string $remembered ): array {
		$said  = array();
		$found = $this->find_webhook( $url );
		if ( null !== $found && null !== ( $found['payloadTemplate'] ?? null ) && '' !== $found['payloadTemplate'] ) {
			// A custom payload replaces the body the plugin reads: the webhook is remade without it.
			$this->client->delete_webhook( (string) $found['id'] );
			$found  = null;
			$said[] = __( 'The existing webhook had a custom payload template, which Solar Capture can\'t read: it was deleted and made again without one.', 'solar-capture' );
		}
		if ( null !== $found && $this->is_as_wanted( $found, $remembered ) ) {
			$said[] = __( 'The webhook in Cal.com is already set up as it should be: nothing changed.', 'solar-capture' );
			return array( $found, false, $said );
		}

		$secret = $this->next_secret( $before );
		try {
			if ( null === $found ) {
				try {
					$webhook = $this->client->create_webhook( $this->wanted( $url, $secret ) );
					$said[]  = __( 'Webhook created in Cal.com with a new secret and the booking triggers.', 'solar-capture' );
				} catch ( Api_Error $e ) {
					$found = Api_Error::CONFLICT === $e->kind ? $this->find_webhook( $url ) : null;
					if ( null === $found ) {
						throw $e;
					}
					// Made meanwhile (another admin, a second tab): update that one.
					$webhook = $this->client->update_webhook( (string) $found['id'], $this->wanted( $url, $secret ) );
					$said[]  = __( 'Cal.com already had a webhook for this site (made meanwhile): it was updated instead.', 'solar-capture' );
				}
			} else {
				$webhook = $this->client->update_webhook( (string) $found['id'], $this->wanted( $url, $secret ) );
				$said[]  = __( 'The existing webhook in Cal.com was updated: active, the booking triggers, a new secret.', 'solar-capture' );
			}
		} catch ( Api_Error $e ) {
			$this->secrets->restore( ...$before );
			throw $e;
		}
		if ( ! is_scalar( $webhook['id'] ?? null ) || '' === (string) $webhook['id'] ) {
			$webhook['id'] = null === $found ? '' : (string) $found['id'];
		}
		if ( '' !== $before[0] && $before[0] !== $secret ) {
			$said[] = __( 'The previous secret stays accepted until you remove it, so no delivery signed before the switch is refused.', 'solar-capture' );
		}
		return array( $webhook, true, $said );
	}

	/**
	 * The webhook with exactly our subscriber URL, across every page, or null.
	 *
	 * @param string $url Subscriber URL.
	 * @return array<string, mixed>|null
	 * @throws Api_Error When Cal.com refuses.
	 */
	private function find_webhook( string $url ): ?array {
		$skip = 0;
		do {
			$page = $this->client->webhooks( $skip );
			foreach ( $page as $webhook ) {
				if ( $url === ( $webhook['subscriberUrl'] ?? null ) && is_scalar( $webhook['id'] ?? null ) ) {
					return $webhook;
				}
			}
			$skip += count( $page );
		} while ( count( $page ) >= Api_Client::MAX_TAKE );
		return null;
	}

	/**
	 * Whether the webhook needs no change: active, our triggers, and signing with our current secret
	 * (Cal.com returns it; when it does not, the webhook must be the one this site set up).
	 *
	 * @param array<string, mixed> $webhook    As listed.
	 * @param string               $remembered Id of the webhook connected before.
	 */
	private function is_as_wanted( array $webhook, string $remembered ): bool {
		$triggers = is_array( $webhook['triggers'] ?? null ) ? $webhook['triggers'] : array();
		sort( $triggers );
		$wanted = self::TRIGGERS;
		sort( $wanted );
		$current = $this->secrets->current();
		$secret  = $webhook['secret'] ?? null;
		$same    = is_string( $secret ) && '' !== $secret ? hash_equals( $current, $secret ) : (string) $webhook['id'] === $remembered;
		return true === ( $webhook['active'] ?? null ) && $triggers === $wanted && '' !== $current && $same;
	}

	/**
	 * The secret to give Cal.com, saved first so a delivery signed with it is never refused; the
	 * replaced one stays accepted as the previous secret. A secret set in wp-config.php is used as is.
	 *
	 * @param array{0: string, 1: string}|null $before Set to the secrets before, for restore().
	 */
	private function next_secret( ?array &$before ): string {
		$before = array( $this->secrets->current(), $this->secrets->previous() );
		if ( $this->secrets->current_is_constant() ) {
			return $before[0];
		}
		return (string) $this->secrets->rotate();
	}

	/**
	 * @param string $url    Subscriber URL.
	 * @param string $secret Secret.
	 * @return array<string, mixed> CreateWebhookInputDto.
	 */
	private function wanted( string $url, string $secret ): array {
		return array(
			'active'        => true,
			'subscriberUrl' => $url,
			'triggers'      => self::TRIGGERS,
			'secret'        => $secret,
			'version'       => self::PAYLOAD_VERSION,
		);
	}

	/**
	 * The user's event types as the lead form's picker shows them.
	 *
	 * @param string $username Cal.com username.
	 * @return array<int, array{id: int, title: string, slug: string, length: int, hidden: bool, booking_url: string}>
	 * @throws Api_Error When Cal.com refuses.
	 */
	private function read_event_types( string $username ): array {
		$types = array();
		foreach ( $this->client->event_types( $username ) as $type ) {
			$slug = is_string( $type['slug'] ?? null ) ? $type['slug'] : '';
			if ( '' === $slug ) {
				continue;
			}
			$url     = is_string( $type['bookingUrl'] ?? null ) ? $type['bookingUrl'] : '';
			$types[] = array(
				'id'          => is_int( $type['id'] ?? null ) ? $type['id'] : 0,
				'title'       => is_string( $type['title'] ?? null ) ? $type['title'] : $slug,
				'slug'        => $slug,
				'length'      => is_int( $type['lengthInMinutes'] ?? null ) ? $type['lengthInMinutes'] : 0,
				'hidden'      => true === ( $type['hidden'] ?? null ),
				// Empty for managed users and absent on older servers: the username/slug path then.
				'booking_url' => '' !== $url ? $url : $username . '/' . $slug,
			);
		}
		return $types;
	}

	/**
	 * @param bool                      $ok         Whether everything worked.
	 * @param string                    $message    The sentence to show.
	 * @param string[]                  $steps      What was done.
	 * @param string|null               $webhook_id Webhook id.
	 * @param bool                      $changed    Whether anything changed in Cal.com.
	 * @param array<string, mixed>|null $test       The test delivery's result.
	 * @return array{ok: bool, message: string, steps: string[], webhook_id: ?string, changed: bool, test: ?array<string, mixed>}
	 */
	private static function result( bool $ok, string $message, array $steps, ?string $webhook_id = null, bool $changed = false, ?array $test = null ): array {
		return array(
			'ok'         => $ok,
			'message'    => $message,
			'steps'      => $steps,
			'webhook_id' => $webhook_id,
			'changed'    => $changed,
			'test'       => $test,
		);
	}

	/**
	 * Whether $host is an IPv4 address in 100.64.0.0/10 (carrier-grade NAT).
	 *
	 * @param string $host Host.
	 */
	private static function in_cgnat( string $host ): bool {
		$long = false === filter_var( $host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4 ) ? false : ip2long( $host );
		return false !== $long && ( $long & 0xFFC00000 ) === ( ip2long( '100.64.0.0' ) & 0xFFC00000 );
	}
}
