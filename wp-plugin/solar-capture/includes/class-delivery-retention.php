<?php
/**
 * Daily clean-up of delivery rows that carry nothing worth keeping.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

/**
 * Anyone can post to the webhook URL, and every request is logged: without a clean-up, refused
 * requests would grow the table forever. Rows with bodies (accepted, unmatched, failed) are kept.
 */
final class Delivery_Retention {

	public const CRON_HOOK    = 'solar_capture_prune_deliveries';
	public const DEFAULT_DAYS = 30;

	public function __construct( private Deliveries $deliveries ) {
	}

	public function add_hooks(): void {
		add_action( self::CRON_HOOK, array( $this, 'prune' ) );
		// Also on init, for sites where the plugin was activated network-wide or by copying files.
		add_action( 'init', array( $this, 'schedule' ) );
	}

	public function schedule(): void {
		if ( false === wp_next_scheduled( self::CRON_HOOK ) ) {
			wp_schedule_event( time() + HOUR_IN_SECONDS, 'daily', self::CRON_HOOK );
		}
	}

	public function unschedule(): void {
		wp_clear_scheduled_hook( self::CRON_HOOK );
	}

	/**
	 * Deletes rejected, duplicate and ignored rows older than the retention period.
	 */
	public function prune(): int {
		/**
		 * Filters how many days rejected, duplicate and ignored deliveries are kept (default 30).
		 *
		 * @param int $days Days.
		 */
		$days = (int) apply_filters( 'solar_capture_delivery_retention_days', self::DEFAULT_DAYS );
		return $this->deliveries->prune( max( 1, $days ) );
	}
}
