<?php
/**
 * WP-CLI: wp solar-capture status | connect | reconcile | reindex.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Cli;

use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Connection;
use SolarCapture\Plugin\Calcom\Reconciler;
use SolarCapture\Plugin\Engine;
use SolarCapture\Plugin\Jobs\Lead_Reindex;
use SolarCapture\Plugin\Leads\Lead_Post_Type;
use SolarCapture\Plugin\Webhook\Secrets;

defined( 'ABSPATH' ) || exit;

/**
 * Solar Capture: Cal.com connection, reconciliation of missed bookings and the lead index.
 *
 * Exit codes: 0 done; 1 failed (the message says why and what to do); 2 reconciliation stopped early,
 * by Cal.com's rate limit or at the most pages one pass reads (the next run resumes where it stopped);
 * 3 reconciliation finished but some bookings could not be applied (listed).
 */
final class Command {

	public const RATE_LIMITED   = 2;
	public const BOOKING_ERRORS = 3;

	public function __construct(
		private Engine $engine,
		private Secrets $secrets,
		private Api_Settings $settings,
		private Connection $connection,
		private Reconciler $reconciler,
		private Lead_Reindex $reindex
	) {
	}

	/**
	 * Registers the command with WP-CLI.
	 */
	public function register(): void {
		\WP_CLI::add_command( 'solar-capture', $this );
	}

	/**
	 * Shows the engine, the webhook secret, the Cal.com connection, the last reconciliation and the leads.
	 *
	 * ## EXAMPLES
	 *
	 *     wp solar-capture status
	 *
	 * @param string[]              $args       Positional arguments (none).
	 * @param array<string, string> $assoc_args Options (none).
	 */
	public function status( array $args = array(), array $assoc_args = array() ): void {
		$info       = $this->engine->info();
		$connection = $this->settings->connection();
		$key        = $this->settings->key();
		$user       = is_array( $connection['user'] ?? null ) ? $connection['user'] : array();
		$counts     = wp_count_posts( Lead_Post_Type::POST_TYPE );
		$lines      = array(
			'Engine'             => $info['engine'] . ' ' . $info['version'],
			'Webhook secret'     => '' === $this->secrets->current() ? 'not set: every delivery is refused (503)' : Secrets::mask( $this->secrets->current() ) . ( '' === $this->secrets->previous() ? '' : ' (a previous secret is still accepted)' ),
			'Cal.com API key'    => '' === $key ? 'not set' : Api_Settings::mask( $key ) . ( $this->settings->key_is_constant() ? ' (SOLAR_CAPTURE_CALCOM_API_KEY)' : '' ),
			'Cal.com API base'   => $this->settings->base(),
			'Cal.com user'       => array() === $user ? '-' : $user['username'] . ' <' . $user['email'] . '>',
			'Webhook'            => empty( $connection['webhook_id'] ) ? ( empty( $connection['webhook_error'] ) ? 'not set up through the API' : 'not set up: ' . $connection['webhook_error'] ) : $connection['webhook_id'] . ' -> ' . $connection['subscriber'],
			'Last reconciliation' => self::run_line( $this->reconciler->last_run() ),
			'Next reconciliation' => false === wp_next_scheduled( Reconciler::CRON_HOOK ) ? 'not scheduled' : gmdate( 'Y-m-d H:i:s \U\T\C', (int) wp_next_scheduled( Reconciler::CRON_HOOK ) ),
			'Leads'              => sprintf( '%d private, %d in the trash', (int) ( $counts->private ?? 0 ), (int) ( $counts->trash ?? 0 ) ),
		);
		foreach ( $lines as $label => $value ) {
			\WP_CLI::log( str_pad( $label . ':', 21 ) . $value );
		}
	}

	/**
	 * Connects Cal.com: checks the key, sets up the webhook (created or repaired, a new secret), reads
	 * the event types and sends a test delivery. Running it again changes nothing that is in place.
	 *
	 * ## OPTIONS
	 *
	 * [--api-key=<key>]
	 * : A Cal.com API key (Settings > Developer > API keys). Without it, the saved key or the
	 * SOLAR_CAPTURE_CALCOM_API_KEY constant is used. A key on the command line is visible to other
	 * users of this machine: prefer the constant or the settings screen on shared hosts.
	 *
	 * [--api-base=<url>]
	 * : The API of a self-hosted Cal.com, e.g. https://cal.example.com/api. Default https://api.cal.com.
	 *
	 * [--no-test]
	 * : Skip the test delivery.
	 *
	 * ## EXAMPLES
	 *
	 *     wp solar-capture connect --api-key=cal_live_0123456789abcdef
	 *
	 * @param string[]                   $args       Positional arguments (none).
	 * @param array<string, string|bool> $assoc_args Options.
	 */
	public function connect( array $args = array(), array $assoc_args = array() ): void {
		if ( isset( $assoc_args['api-base'] ) ) {
			if ( $this->settings->base_is_constant() ) {
				\WP_CLI::error( 'The API base URL is set by SOLAR_CAPTURE_CALCOM_API_BASE in wp-config.php; change it there.' );
			}
			if ( ! $this->settings->set_base( (string) $assoc_args['api-base'] ) ) {
				\WP_CLI::error( sprintf( '--api-base=%s is not an http(s) URL. Give the API address, e.g. https://api.cal.com or https://cal.example.com/api.', (string) $assoc_args['api-base'] ) );
			}
		}
		$key = isset( $assoc_args['api-key'] ) ? (string) $assoc_args['api-key'] : null;
		if ( null === $key && '' === $this->settings->key() ) {
			\WP_CLI::error( 'No Cal.com API key: pass --api-key=<key> (Cal.com > Settings > Developer > API keys), or define SOLAR_CAPTURE_CALCOM_API_KEY.' );
		}
		$result = $this->connection->connect( $key, ! isset( $assoc_args['test'] ) || false !== $assoc_args['test'] );
		foreach ( $result['steps'] as $step ) {
			\WP_CLI::log( '- ' . $step );
		}
		if ( ! $result['ok'] ) {
			\WP_CLI::error( $result['message'] );
		}
		\WP_CLI::success( $result['message'] . ( $result['changed'] ? '' : ' (nothing needed changing)' ) );
	}

	/**
	 * Reads the bookings Cal.com changed since the last run (or --since) and applies those whose webhook
	 * never came. Exit code 2: stopped early by the rate limit or the page cap (run again: it resumes);
	 * 3: some bookings failed.
	 *
	 * ## OPTIONS
	 *
	 * [--since=<time>]
	 * : Read bookings changed since this ISO 8601 time (e.g. 2026-11-01T00:00:00Z) instead of since the
	 * last run. Bookings already applied are left as they are.
	 *
	 * ## EXAMPLES
	 *
	 *     wp solar-capture reconcile
	 *     wp solar-capture reconcile --since=2026-11-01T00:00:00Z
	 *
	 * @param string[]              $args       Positional arguments (none).
	 * @param array<string, string> $assoc_args Options.
	 */
	public function reconcile( array $args = array(), array $assoc_args = array() ): void {
		$since = null;
		if ( isset( $assoc_args['since'] ) ) {
			$since = self::parse_time( (string) $assoc_args['since'] );
			if ( null === $since ) {
				\WP_CLI::error( sprintf( '--since=%s is not an ISO 8601 time. Use e.g. --since=2026-11-01T00:00:00Z.', (string) $assoc_args['since'] ) );
			}
		}
		$run = $this->reconciler->run( $since );
		if ( Reconciler::NOT_CONNECTED === $run['status'] || Reconciler::LOCKED === $run['status'] || Reconciler::FAILED === $run['status'] ) {
			\WP_CLI::error( self::run_line( $run ) );
		}
		foreach ( $run['error_samples'] as $sample ) {
			\WP_CLI::warning( $sample );
		}
		if ( Reconciler::RATE_LIMITED === $run['status'] || Reconciler::PARTIAL === $run['status'] ) {
			\WP_CLI::warning( self::run_line( $run ) );
			\WP_CLI::halt( self::RATE_LIMITED );
		}
		if ( $run['errors'] > 0 ) {
			\WP_CLI::warning( self::run_line( $run ) );
			\WP_CLI::halt( self::BOOKING_ERRORS );
		}
		\WP_CLI::success( self::run_line( $run ) );
	}

	/**
	 * Rebuilds the lead index for every lead that lacks it or is out of date.
	 *
	 * ## EXAMPLES
	 *
	 *     wp solar-capture reindex
	 *
	 * @param string[]              $args       Positional arguments (none).
	 * @param array<string, string> $assoc_args Options (none).
	 */
	public function reindex( array $args = array(), array $assoc_args = array() ): void {
		$started = microtime( true );
		$count   = $this->reindex->reindex_all();
		\WP_CLI::success( sprintf( '%d leads indexed in %.1f s.', $count, microtime( true ) - $started ) );
	}

	/**
	 * One line for a reconciliation record.
	 *
	 * @param array<string, mixed>|null $run Reconciler record.
	 */
	public static function run_line( ?array $run ): string {
		if ( null === $run ) {
			return 'never run';
		}
		$when = gmdate( 'Y-m-d H:i:s \U\T\C', (int) ( $run['finished_at'] ?? time() ) );
		if ( ! isset( $run['seen'] ) ) {
			return $when . ': ' . $run['message'];
		}
		return sprintf(
			'%s: %s; %d seen, %d applied, %d unchanged, %d errors (since %s, %d pages, %.1f s)',
			$when,
			(string) $run['message'],
			$run['seen'],
			$run['applied'],
			$run['unchanged'],
			$run['errors'],
			(string) $run['since'],
			(int) $run['pages'],
			( (int) $run['duration_ms'] ) / 1000
		);
	}

	/**
	 * Unix time of a strict ISO 8601 date or date-time, or null.
	 *
	 * @param string $text As given.
	 */
	private static function parse_time( string $text ): ?int {
		if ( 1 !== preg_match( '/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i', trim( $text ) ) ) {
			return null;
		}
		$time = strtotime( trim( $text ) . ( 10 === strlen( trim( $text ) ) ? 'T00:00:00Z' : '' ) );
		return false === $time ? null : $time;
	}
}
