<?php
/**
 * Builds the lead index for leads stored before it existed, in batches, resumable.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Jobs;

use SolarCapture\Plugin\Leads\Lead_Index;

defined( 'ABSPATH' ) || exit;

/**
 * After an upgrade the index is built by WP-Cron, a few seconds of batches per run, from where the last
 * run stopped (the cursor option); solar_capture_reindex_leads() runs it to the end at once. Until the
 * walk is over, matching also looks at post meta (Lead_Store), so a booking for a lead not indexed yet
 * still finds it.
 */
final class Lead_Reindex {

	public const CRON_HOOK = 'solar_capture_reindex_leads';

	/** Seconds of work per WP-Cron run. */
	private const SECONDS_PER_RUN = 20;

	public function __construct( private Lead_Index $index ) {
	}

	public function add_hooks(): void {
		add_action( self::CRON_HOOK, array( $this, 'run_scheduled' ) );
		add_action( 'solar_capture_schema_upgraded', array( $this, 'start' ) );
		// Where WP-Cron itself runs and where admins work, not on every front-end request.
		add_action( 'admin_init', array( $this, 'resume_lost_walk' ) );
		add_action( 'wp_loaded', array( $this, 'resume_lost_walk_in_cron' ) );
	}

	/**
	 * A walk under way (the cursor is set) whose next run is not scheduled any more gets it back: a WP-Cron
	 * run that saves its own copy of the event list can drop the event this walk scheduled meanwhile, and
	 * matching would read post meta for good.
	 */
	public function resume_lost_walk(): void {
		if ( false !== get_option( Lead_Index::CURSOR_OPTION ) && false === wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_single_event( time(), self::CRON_HOOK );
		}
	}

	public function resume_lost_walk_in_cron(): void {
		if ( wp_doing_cron() ) {
			$this->resume_lost_walk();
		}
	}

	/**
	 * Starts a walk over every lead (again, when one runs) and schedules it.
	 */
	public function start(): void {
		update_option( Lead_Index::CURSOR_OPTION, 0, false );
		if ( false === wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_single_event( time(), self::CRON_HOOK );
		}
	}

	/**
	 * WP-Cron: batches for a few seconds, then again on the next run until done.
	 */
	public function run_scheduled(): void {
		if ( ! $this->run( self::SECONDS_PER_RUN ) ) {
			wp_schedule_single_event( time() + 10, self::CRON_HOOK );
		}
	}

	/**
	 * Indexes every lead from the start, to the end (repair, WP-CLI, tests).
	 *
	 * @return int Leads indexed.
	 */
	public function reindex_all(): int {
		update_option( Lead_Index::CURSOR_OPTION, 0, false );
		$count = 0;
		$this->run( null, $count );
		return $count;
	}

	/**
	 * Walks on from the cursor.
	 *
	 * @param int|null $seconds Stop after this long (null: at the end).
	 * @param int      $count   Leads indexed, added to.
	 * @return bool Whether the walk is over.
	 */
	public function run( ?int $seconds, int &$count = 0 ): bool {
		$until  = null === $seconds ? null : microtime( true ) + $seconds;
		$cursor = (int) get_option( Lead_Index::CURSOR_OPTION, 0 );
		do {
			list( $done, $cursor ) = $this->index->reindex_after( $cursor );
			$count                 += $done;
			if ( 0 === $cursor ) {
				delete_option( Lead_Index::CURSOR_OPTION );
				return true;
			}
			update_option( Lead_Index::CURSOR_OPTION, $cursor, false );
		} while ( null === $until || microtime( true ) < $until );
		return false;
	}
}
