<?php
/**
 * Reconciliation: bookings whose webhook never came, found through Cal.com's API.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Calcom;

use SolarCapture\Plugin\Leads\Timeline;
use SolarCapture\Plugin\Pipeline\Delivery_Pipeline;
use SolarCapture\Plugin\Pipeline\Delivery_Source;
use SolarCapture\Plugin\Pipeline\Delivery_Store;

defined( 'ABSPATH' ) || exit;

/**
 * One pass pages through GET /v2/bookings by afterUpdatedAt (sorted by updatedAt) from a stored
 * watermark less an overlap, then by afterCreatedAt for bookings whose updatedAt is null, and applies
 * each booking through the webhook's pipeline (source api). A booking state the lead's timeline already
 * holds is counted as unchanged and touches nothing; a missed one is applied as its webhook would have
 * been, and its timeline entry says it was found by reconciliation. Offset paging can repeat or skip
 * rows that change during a pass: the overlap and the idempotent apply cover both.
 *
 * A 429 (or any other API error) stops the pass where it is; the next run resumes from that page. Runs
 * never overlap (an option lock), and each one is recorded for the Integrations screen and WP-CLI.
 */
final class Reconciler {

	public const CRON_HOOK       = 'solar_capture_reconcile';
	public const STATE_OPTION    = 'solar_capture_reconcile_state';
	public const LAST_RUN_OPTION = 'solar_capture_reconcile_last_run';
	public const LOCK_OPTION     = 'solar_capture_reconcile_lock';
	/** Seconds read again before the watermark: paging drift and clock differences. */
	public const OVERLAP = 600;
	/** How far back the first pass looks. */
	public const FIRST_PASS_DAYS = 30;
	/** A lock older than this is a run that died. */
	public const LOCK_SECONDS = 900;
	/** How many rescheduled-away bookings are followed to their replacement. */
	private const MAX_CHAIN = 5;
	/**
	 * Pages one pass reads at most (250 bookings each); the next pass, a minute later, carries on.
	 * Bounds a pass on a huge backlog, and on a server whose paging never says it is done.
	 */
	public const MAX_PAGES = 200;
	private const SAMPLES  = 5;

	public const COMPLETE      = 'complete';
	public const PARTIAL       = 'partial';
	public const RATE_LIMITED  = 'rate_limited';
	public const FAILED        = 'failed';
	public const LOCKED        = 'locked';
	public const NOT_CONNECTED = 'not_connected';

	/** @var array<string, mixed> Counters of the running pass. */
	private array $run = array();

	public function __construct( private Api_Settings $settings, private Api_Client $client, private Delivery_Pipeline $pipeline, private Timeline $timeline ) {
	}

	public function add_hooks(): void {
		// One pass per call of do_action( 'solar_capture_reconcile' ); nothing is passed to it.
		add_action( self::CRON_HOOK, array( $this, 'run_scheduled' ), 10, 0 );
		add_action( 'init', array( $this, 'schedule' ) );
	}

	public function schedule(): void {
		if ( false === wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time() + 5 * MINUTE_IN_SECONDS, 'hourly', self::CRON_HOOK );
		}
	}

	public function unschedule(): void {
		wp_clear_scheduled_hook( self::CRON_HOOK );
	}

	/**
	 * The hook's callback: one pass, quietly nothing when no API key is set.
	 */
	public function run_scheduled(): void {
		$this->run();
	}

	/**
	 * The last pass's record, or null before the first.
	 *
	 * @return array<string, mixed>|null
	 */
	public function last_run(): ?array {
		$run = get_option( self::LAST_RUN_OPTION, null );
		return is_array( $run ) ? $run : null;
	}

	/**
	 * The stored watermark and resume point.
	 *
	 * @return array{watermark: ?int, resume: ?array<string, mixed>}
	 */
	public function state(): array {
		$state = get_option( self::STATE_OPTION, array() );
		$state = is_array( $state ) ? $state : array();
		return array(
			'watermark' => isset( $state['watermark'] ) && is_int( $state['watermark'] ) ? $state['watermark'] : null,
			'resume'    => isset( $state['resume'] ) && is_array( $state['resume'] ) ? $state['resume'] : null,
		);
	}

	/**
	 * One pass.
	 *
	 * @param int|null $since Unix time to read from instead of the watermark (WP-CLI --since); such a
	 *                        pass starts afresh and still moves the watermark forward.
	 * @return array<string, mixed> The run's record (status, counts, message).
	 */
	public function run( ?int $since = null ): array {
		if ( '' === $this->settings->key() ) {
			return self::record_of( self::NOT_CONNECTED, __( 'No Cal.com API key is set, so there is nothing to reconcile. Connect Cal.com under Solar leads > Settings > Integrations.', 'solar-capture' ) );
		}
		if ( ! $this->lock() ) {
			return self::record_of( self::LOCKED, __( 'Another reconciliation is running; this one did nothing.', 'solar-capture' ) );
		}
		try {
			return $this->pass( $since );
		} finally {
			delete_option( self::LOCK_OPTION );
		}
	}

	/**
	 * @param int|null $since See run().
	 * @return array<string, mixed>
	 */
	private function pass( ?int $since ): array {
		$started   = microtime( true );
		$state     = $this->state();
		$resume    = null === $since ? $state['resume'] : null;
		$from      = $since ?? ( null !== $resume ? (int) $resume['from'] : ( null !== $state['watermark'] ? $state['watermark'] - self::OVERLAP : time() - self::FIRST_PASS_DAYS * DAY_IN_SECONDS ) );
		$phase     = null !== $resume && in_array( $resume['phase'] ?? '', array( 'updated', 'created' ), true ) ? (string) $resume['phase'] : 'updated';
		$skip      = null !== $resume ? max( 0, (int) ( $resume['skip'] ?? 0 ) ) : 0;
		$max_seen  = null !== $resume && isset( $resume['max_seen'] ) ? (int) $resume['max_seen'] : null;
		$this->run = array(
			'seen'          => 0,
			'applied'       => 0,
			'unchanged'     => 0,
			'errors'        => 0,
			'pages'         => 0,
			'error_samples' => array(),
		);

		$status  = self::COMPLETE;
		$message = '';
		/**
		 * Filters how many pages of bookings (250 each) one reconciliation pass reads at most.
		 *
		 * @param int $max_pages Default Reconciler::MAX_PAGES.
		 */
		$max_pages = max( 1, (int) apply_filters( 'solar_capture_reconcile_max_pages', self::MAX_PAGES ) );
		$stopped   = null; // An Api_Error, or true when the page cap was reached.
		try {
			foreach ( 'updated' === $phase ? array( 'updated', 'created' ) : array( 'created' ) as $phase ) {
				do {
					$page = $this->client->bookings( self::window( $phase, $from, $skip ) );
					++$this->run['pages'];
					foreach ( $page['bookings'] as $booking ) {
						$changed = self::time_of( $booking['updatedAt'] ?? null );
						if ( 'created' === $phase && null !== $changed ) {
							continue; // Read by the updatedAt phase.
						}
						++$this->run['seen'];
						$this->apply( $booking, 0 );
						$at       = $changed ?? self::time_of( $booking['createdAt'] ?? null );
						$max_seen = null === $at ? $max_seen : max( $max_seen ?? $at, $at );
					}
					$skip += count( $page['bookings'] );
					$more = $page['has_next'] && array() !== $page['bookings'];
					self::forget_cached_posts();
					if ( $more && $this->run['pages'] >= $max_pages ) {
						$stopped = true;
						break 2;
					}
				} while ( $more );
				$skip = 0;
			}
		} catch ( Api_Error $e ) {
			$stopped = $e;
		}

		if ( null === $stopped ) {
			$this->save_state(
				array(
					'watermark' => max( $state['watermark'] ?? 0, $max_seen ?? 0, (int) $started - self::OVERLAP ),
					'resume'    => null,
				)
			);
		} else {
			$this->save_state(
				array(
					'watermark' => $state['watermark'],
					'resume'    => array(
						'phase'    => $phase,
						'skip'     => $skip,
						'from'     => $from,
						'max_seen' => $max_seen,
					),
				)
			);
			if ( true === $stopped ) {
				$status  = self::PARTIAL;
				$message = sprintf(
					/* translators: %d: pages read. */
					__( 'This pass read %d pages of bookings, the most one pass reads; the next pass carries on from there in a minute.', 'solar-capture' ),
					$this->run['pages']
				);
				wp_schedule_single_event( time() + MINUTE_IN_SECONDS, self::CRON_HOOK );
			} else {
				$status  = Api_Error::RATE_LIMITED === $stopped->kind ? self::RATE_LIMITED : self::FAILED;
				$message = $stopped->getMessage();
				if ( self::RATE_LIMITED === $status && null !== $stopped->retry_after ) {
					// Carry on once the limit resets rather than an hour later.
					wp_schedule_single_event( time() + $stopped->retry_after + 5, self::CRON_HOOK );
				}
			}
		}

		$record = self::record_of( $status, $message ) + array(
			'since'         => gmdate( 'Y-m-d\TH:i:s\Z', $from ),
			'started_at'    => (int) $started,
			'duration_ms'   => (int) round( ( microtime( true ) - $started ) * 1000 ),
			'peak_memory'   => memory_get_peak_usage(),
			'resumed'       => null !== $resume,
			'seen'          => $this->run['seen'],
			'applied'       => $this->run['applied'],
			'unchanged'     => $this->run['unchanged'],
			'errors'        => $this->run['errors'],
			'pages'         => $this->run['pages'],
			'error_samples' => $this->run['error_samples'],
		);
		if ( '' === $record['message'] ) {
			$record['message'] = sprintf(
				/* translators: 1: bookings read, 2: applied, 3: unchanged, 4: errors. */
				_n( '%1$d booking read from Cal.com: %2$d missed and applied, %3$d already up to date, %4$d errors.', '%1$d bookings read from Cal.com: %2$d missed and applied, %3$d already up to date, %4$d errors.', $record['seen'], 'solar-capture' ),
				$record['seen'],
				$record['applied'],
				$record['unchanged'],
				$record['errors']
			);
		}
		update_option( self::LAST_RUN_OPTION, $record, false );
		return $record;
	}

	/**
	 * Applies one booking unless its state is already on the lead's timeline.
	 *
	 * @param array<string, mixed> $booking API booking.
	 * @param int                  $depth   How many replacements were followed to get here.
	 * @throws Api_Error From fetching a replacement (except 404).
	 */
	private function apply( array $booking, int $depth ): void {
		$uid         = is_string( $booking['uid'] ?? null ) ? $booking['uid'] : '';
		$replaced_by = Api_Booking::replaced_by( $booking );
		if ( null !== $replaced_by ) {
			// Cancelled because it was rescheduled: not a lost lead. What counts is the new booking.
			if ( 0 === $depth ) {
				++$this->run['unchanged'];
			}
			if ( $depth < self::MAX_CHAIN && array() === $this->timeline->triggers_for_booking( $replaced_by ) ) {
				try {
					$this->apply( $this->client->booking( $replaced_by ), $depth + 1 );
				} catch ( Api_Error $e ) {
					if ( Api_Error::NOT_FOUND !== $e->kind ) {
						throw $e;
					}
					$this->error( $uid, 'its replacement ' . $replaced_by . ' is not in Cal.com' );
				}
			}
			return;
		}
		$trigger = Api_Booking::trigger( $booking );
		if ( null === $trigger || '' === $uid || Api_Booking::is_reflected( $trigger, $this->timeline->triggers_for_booking( $uid ) ) ) {
			if ( 0 === $depth ) {
				++$this->run['unchanged'];
			}
			return;
		}
		$body = Api_Booking::webhook_body( $booking );
		if ( null === $body ) {
			$this->error( $uid, 'no start or update time' );
			return;
		}
		$outcome = $this->pipeline->process( $body, Delivery_Source::api() );
		if ( Delivery_Store::ACCEPTED === $outcome->result ) {
			++$this->run['applied'];
		} elseif ( Delivery_Store::DUPLICATE === $outcome->result ) {
			++$this->run['unchanged'];
		} else {
			$this->error( $uid, $outcome->result . ' (' . $outcome->reason_code . ( '' === $outcome->detail ? '' : ': ' . $outcome->detail ) . ')' );
		}
	}

	private function error( string $uid, string $what ): void {
		++$this->run['errors'];
		if ( count( $this->run['error_samples'] ) < self::SAMPLES ) {
			$this->run['error_samples'][] = sprintf( 'booking %s: %s', '' === $uid ? '?' : $uid, $what );
		}
	}

	/**
	 * The query of one page.
	 *
	 * @param string $phase 'updated' or 'created'.
	 * @param int    $from  Unix time.
	 * @param int    $skip  Offset.
	 * @return array<string, scalar>
	 */
	private static function window( string $phase, int $from, int $skip ): array {
		$iso = gmdate( 'Y-m-d\TH:i:s.000\Z', $from );
		return 'updated' === $phase
			? array(
				'afterUpdatedAt' => $iso,
				'sortUpdatedAt'  => 'asc',
				'take'           => Api_Client::MAX_TAKE,
				'skip'           => $skip,
			)
			: array(
				'afterCreatedAt' => $iso,
				'sortCreated'    => 'asc',
				'take'           => Api_Client::MAX_TAKE,
				'skip'           => $skip,
			);
	}

	/**
	 * @param mixed $value An ISO 8601 time from the API.
	 */
	private static function time_of( $value ): ?int {
		if ( ! is_string( $value ) || '' === $value ) {
			return null;
		}
		$time = strtotime( $value );
		return false === $time ? null : $time;
	}

	/**
	 * A pass may create thousands of leads: what WordPress cached in memory for one page's posts is let
	 * go before the next, so the pass's memory stays flat. Only the in-memory cache: a persistent object
	 * cache keeps its entries.
	 */
	private static function forget_cached_posts(): void {
		if ( wp_cache_supports( 'flush_runtime' ) ) {
			wp_cache_flush_runtime();
		}
	}

	/**
	 * @param array<string, mixed> $state Watermark and resume point.
	 */
	private function save_state( array $state ): void {
		update_option( self::STATE_OPTION, $state, false );
	}

	/**
	 * The lock: an option only one request can add. A lock older than LOCK_SECONDS is taken over.
	 */
	private function lock(): bool {
		if ( add_option( self::LOCK_OPTION, time(), '', false ) ) {
			return true;
		}
		$since = (int) get_option( self::LOCK_OPTION, 0 );
		if ( $since > time() - self::LOCK_SECONDS ) {
			return false;
		}
		delete_option( self::LOCK_OPTION );
		return add_option( self::LOCK_OPTION, time(), '', false );
	}

	/**
	 * @param string $status  One of the status constants.
	 * @param string $message What to show.
	 * @return array<string, mixed>
	 */
	private static function record_of( string $status, string $message ): array {
		return array(
			'status'      => $status,
			'message'     => $message,
			'finished_at' => time(),
		);
	}
}
