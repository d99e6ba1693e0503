<?php
/**
 * The dashboard's "Solar leads this week".
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Leads\Lead_Index;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Roles;
use SolarCapture\Plugin\Leads\Timeline;

defined( 'ABSPATH' ) || exit;

/**
 * New leads, bookings, cancellations and no-shows since the week began (the site's first day of the
 * week, in its time zone), and the bookings by where their leads came from. Four indexed range queries.
 */
final class Dashboard_Widget {

	public const ID = 'solar_capture_week';

	public function __construct( private Lead_Index $index, private Timeline $timeline ) {
	}

	public function add_hooks(): void {
		add_action( 'wp_dashboard_setup', array( $this, 'register' ) );
	}

	public function register(): void {
		if ( current_user_can( Lead_Roles::READ_CAP ) ) {
			wp_add_dashboard_widget( self::ID, __( 'Solar leads this week', 'solar-capture' ), array( $this, 'render' ) );
		}
	}

	/**
	 * When this week began (Unix seconds), by the site's start of week and time zone.
	 *
	 * @param int|null $now Unix seconds (now when null).
	 */
	public static function week_start( ?int $now = null ): int {
		$today = new \DateTimeImmutable( '@' . ( $now ?? time() ) );
		$today = $today->setTimezone( wp_timezone() )->setTime( 0, 0 );
		$back  = ( (int) $today->format( 'w' ) - (int) get_option( 'start_of_week', 1 ) + 7 ) % 7;
		return $today->modify( "-{$back} days" )->getTimestamp();
	}

	/**
	 * The week's figures.
	 *
	 * @param int $since Unix seconds.
	 * @return array{leads: int, bookings: int, cancellations: int, no_shows: int, by_source: array<string, int>}
	 */
	public function figures( int $since ): array {
		global $wpdb;
		$ms     = $since * 1000;
		$counts = array();
		foreach ( (array) $wpdb->get_results( $wpdb->prepare( "SELECT trigger_event, COUNT(*) AS n FROM {$this->timeline->table()} WHERE trigger_event IN ('BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_NO_SHOW_UPDATED') AND created_at_ms >= %d GROUP BY trigger_event", $ms ) ) as $row ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$counts[ (string) $row->trigger_event ] = (int) $row->n;
		}
		$by_source = array();
		foreach ( (array) $wpdb->get_results( $wpdb->prepare( "SELECT i.source, COUNT(*) AS n FROM {$this->timeline->table()} t JOIN {$this->index->table()} i ON i.lead_id = t.lead_id WHERE t.trigger_event = 'BOOKING_CREATED' AND t.created_at_ms >= %d GROUP BY i.source ORDER BY n DESC LIMIT 10", $ms ) ) as $row ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$by_source[ '' === (string) $row->source ? __( 'Cal.com directly', 'solar-capture' ) : (string) $row->source ] = (int) $row->n;
		}
		return array(
			'leads'         => (int) $wpdb->get_var( $wpdb->prepare( "SELECT COUNT(*) FROM {$wpdb->posts} WHERE post_type = %s AND post_status = 'private' AND post_date_gmt >= %s", Lead::POST_TYPE, gmdate( 'Y-m-d H:i:s', $since ) ) ),
			'bookings'      => $counts['BOOKING_CREATED'] ?? 0,
			'cancellations' => $counts['BOOKING_CANCELLED'] ?? 0,
			'no_shows'      => $counts['BOOKING_NO_SHOW_UPDATED'] ?? 0,
			'by_source'     => $by_source,
		);
	}

	public function render(): void {
		$since   = self::week_start();
		$figures = $this->figures( $since );
		$list    = admin_url( 'edit.php?post_type=' . Lead::POST_TYPE );
		/* translators: %s: date the week began. */
		echo '<p>' . esc_html( sprintf( __( 'Since %s', 'solar-capture' ), wp_date( (string) get_option( 'date_format' ), $since ) ) ) . '</p><ul class="solar-capture-week">';
		foreach ( array(
			array( __( 'New leads', 'solar-capture' ), $figures['leads'], '' ),
			array( __( 'Surveys booked', 'solar-capture' ), $figures['bookings'], 'booked' ),
			array( __( 'Cancellations', 'solar-capture' ), $figures['cancellations'], 'cancelled' ),
			array( __( 'No-shows', 'solar-capture' ), $figures['no_shows'], 'no_show' ),
		) as list( $label, $count, $status ) ) {
			$url = '' === $status ? $list : add_query_arg( Lead_Admin::STATUS_FILTER, $status, $list );
			printf( '<li><a href="%1$s"><strong>%2$s</strong> %3$s</a></li>', esc_url( $url ), esc_html( number_format_i18n( $count ) ), esc_html( $label ) );
		}
		echo '</ul>';
		if ( array() !== $figures['by_source'] ) {
			echo '<h3>' . esc_html__( 'Bookings by source', 'solar-capture' ) . '</h3><table class="widefat striped"><tbody>';
			foreach ( $figures['by_source'] as $source => $count ) {
				printf( '<tr><td>%1$s</td><td>%2$s</td></tr>', esc_html( $source ), esc_html( number_format_i18n( $count ) ) );
			}
			echo '</tbody></table>';
		}
	}
}
