<?php
/**
 * The retention period of the delivery log, applied daily by WP-Cron.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Jobs;

use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Refusal_Counter;

defined( 'ABSPATH' ) || exit;

/**
 * Anyone can post to the webhook URL and every request is logged, and stored bodies hold personal
 * data: both are reasons not to keep deliveries forever. What pruning does is in Delivery_Store::prune().
 */
final class Delivery_Retention {

	public const CRON_HOOK    = 'solar_capture_prune_deliveries';
	public const OPTION       = 'solar_capture_delivery_retention_days';
	public const LAST_RUN     = 'solar_capture_last_prune';
	public const DEFAULT_DAYS = 30;
	public const MIN_DAYS     = 1;
	public const MAX_DAYS     = 3650;

	public function __construct( private Delivery_Store $deliveries, private Refusal_Counter $refusals ) {
	}

	public function add_hooks(): void {
		add_action( self::CRON_HOOK, array( $this, 'prune' ) );
		// Also on init, for sites where the plugin was activated network-wide or by copying files.
		add_action( 'init', array( $this, 'schedule' ) );
	}

	/**
	 * A whole number of days between MIN_DAYS and MAX_DAYS; anything unreadable gives the default.
	 *
	 * @param mixed $value Submitted value.
	 */
	public function sanitize_days( $value ): int {
		if ( is_string( $value ) ) {
			$value = trim( $value );
		}
		if ( ! is_numeric( $value ) ) {
			return self::DEFAULT_DAYS;
		}
		return max( self::MIN_DAYS, min( self::MAX_DAYS, (int) $value ) );
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
	 * The retention period in days: the setting, then the solar_capture_delivery_retention_days filter.
	 */
	public function days(): int {
		$days = $this->sanitize_days( get_option( self::OPTION, self::DEFAULT_DAYS ) );
		/**
		 * Filters how many days deliveries are kept in full (default: the setting, 30 unless changed).
		 *
		 * @param int $days Days.
		 */
		return max( self::MIN_DAYS, (int) apply_filters( 'solar_capture_delivery_retention_days', $days ) );
	}

	/**
	 * Applies the retention period (the daily WP-Cron job).
	 *
	 * @return int Rows deleted or emptied.
	 */
	public function prune(): int {
		$count = $this->deliveries->prune( $this->days() );
		$this->refusals->prune( $this->days() );
		update_option(
			self::LAST_RUN,
			array(
				'time'  => time(),
				'count' => $count,
			),
			false
		);
		return $count;
	}
}
