<?php
/**
 * Requests refused before a signature verified, counted per clock hour and reason.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

use SolarCapture\Plugin\Database\Schema;

defined( 'ABSPATH' ) || exit;

/**
 * Anybody can send such requests, as many as they like: each is counted here (one row per hour, reason
 * and whether it looked like Cal.com's), and only the first ROWS_PER_HOUR of an hour also get a row in
 * the delivery log. Notices and the log read these counters, never a scan of the deliveries.
 */
final class Refusal_Counter {

	/** Refused requests an hour that get a row of their own in the deliveries table (contract section 3). */
	public const ROWS_PER_HOUR = 100;

	public function __construct( private Schema $schema ) {
	}

	public function table(): string {
		return $this->schema->refusals_table();
	}

	/**
	 * Whether a request looks like one of Cal.com's (a SHA-256 hex signature and a JSON object naming a
	 * trigger), so that only those can tell the admin "your secret is wrong". Cheap on purpose: it runs for
	 * every forged request, before anything is parsed.
	 *
	 * @param string $body      Raw body.
	 * @param string $signature X-Cal-Signature-256 header.
	 */
	public static function looks_like_calcom( string $body, string $signature ): bool {
		return 1 === preg_match( '/^(?:sha256=)?[0-9a-f]{64}$/i', trim( $signature ) )
			&& str_starts_with( ltrim( $body ), '{' )
			&& str_contains( $body, '"triggerEvent"' );
	}

	/**
	 * Counts one refused request; answers whether it may also have a row in the delivery log.
	 *
	 * The increment is one atomic statement and the hour's total is read after it, so under any
	 * concurrency no more than ROWS_PER_HOUR requests of an hour see a total within the cap.
	 *
	 * @param string $reason_code One of Reason::BEFORE_SIGNATURE.
	 * @param bool   $calcom_like From looks_like_calcom().
	 */
	public function count( string $reason_code, bool $calcom_like ): bool {
		global $wpdb;
		$hour = gmdate( 'Y-m-d H:00:00' );
		$now  = Schema::now();
		$done = $wpdb->query(
			$wpdb->prepare(
				"INSERT INTO {$this->table()} (hour, reason_code, calcom_like, requests, newest) VALUES (%s, %s, %d, 1, %s) ON DUPLICATE KEY UPDATE requests = requests + 1, newest = VALUES(newest)", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$hour,
				$reason_code,
				$calcom_like ? 1 : 0,
				$now
			)
		);
		if ( false === $done ) {
			// Counting failed (the database is away): the delivery row will most likely fail too; try it.
			return true;
		}
		$total = (int) $wpdb->get_var( $wpdb->prepare( "SELECT SUM(requests) FROM {$this->table()} WHERE hour = %s", $hour ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return $total <= self::ROWS_PER_HOUR;
	}

	/**
	 * Refused requests that looked like Cal.com's, with one reason, since a time.
	 *
	 * @param string $reason_code A reason code, e.g. Reason::INVALID_SIGNATURE.
	 * @param int    $since       Unix time (rounded down to its clock hour).
	 * @return array{count: int, newest: ?string} newest: UTC "Y-m-d H:i:s.u" of the newest one.
	 */
	public function calcom_like_since( string $reason_code, int $since ): array {
		global $wpdb;
		$row = $wpdb->get_row(
			$wpdb->prepare(
				"SELECT SUM(requests) AS n, MAX(newest) AS newest FROM {$this->table()} WHERE hour >= %s AND reason_code = %s AND calcom_like = 1", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				gmdate( 'Y-m-d H:00:00', $since ),
				$reason_code
			)
		);
		return array(
			'count'  => is_object( $row ) ? (int) $row->n : 0,
			'newest' => is_object( $row ) && null !== $row->newest ? (string) $row->newest : null,
		);
	}

	/**
	 * The hours since $since in which more requests were refused than got a row, newest first.
	 *
	 * @param int $since Unix time.
	 * @return list<array{hour: string, requests: int, unlogged: int, by_reason: array<string, int>}>
	 */
	public function hours_over_cap( int $since ): array {
		global $wpdb;
		$rows  = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT hour, reason_code, SUM(requests) AS n FROM {$this->table()} WHERE hour >= %s GROUP BY hour, reason_code ORDER BY hour DESC, n DESC, reason_code ASC", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				gmdate( 'Y-m-d H:00:00', $since )
			)
		);
		$hours = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$hour                       = (string) $row->hour;
			$hours[ $hour ]             ??= array(
				'hour'      => $hour,
				'requests'  => 0,
				'unlogged'  => 0,
				'by_reason' => array(),
			);
			$hours[ $hour ]['requests'] += (int) $row->n;
			$hours[ $hour ]['by_reason'][ $row->reason_code ] = (int) $row->n;
		}
		$over = array();
		foreach ( $hours as $hour ) {
			if ( $hour['requests'] > self::ROWS_PER_HOUR ) {
				$hour['unlogged'] = $hour['requests'] - self::ROWS_PER_HOUR;
				$over[]           = $hour;
			}
		}
		return $over;
	}

	/**
	 * Forgets the counts of hours older than $days days (with the delivery retention).
	 *
	 * @param int $days Age in days.
	 * @return int Rows deleted.
	 */
	public function prune( int $days ): int {
		global $wpdb;
		$deleted = $wpdb->query( $wpdb->prepare( "DELETE FROM {$this->table()} WHERE hour < %s", gmdate( 'Y-m-d H:00:00', time() - max( 1, $days ) * DAY_IN_SECONDS ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		return is_int( $deleted ) ? $deleted : 0;
	}
}
