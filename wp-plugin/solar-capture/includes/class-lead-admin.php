<?php
/**
 * Leads in wp-admin: list columns and the booking and timeline boxes.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

use SolarCapture\Plugin\Lead_Post_Type as Lead;

/**
 * What the sales team sees of a lead.
 */
final class Lead_Admin {

	public function __construct( private Leads $leads, private Timeline $timeline ) {
	}

	public function add_hooks(): void {
		add_filter( 'manage_' . Lead::POST_TYPE . '_posts_columns', array( $this, 'columns' ) );
		add_action( 'manage_' . Lead::POST_TYPE . '_posts_custom_column', array( $this, 'column' ), 10, 2 );
		add_action( 'add_meta_boxes_' . Lead::POST_TYPE, array( $this, 'add_meta_boxes' ) );
	}

	/**
	 * @param array<string, string> $columns List table columns.
	 * @return array<string, string>
	 */
	public function columns( $columns ) {
		$columns = is_array( $columns ) ? $columns : array();
		$date    = $columns['date'] ?? null;
		unset( $columns['date'] );
		$columns['solar_email']       = __( 'E-mail', 'solar-capture' );
		$columns['solar_phone']       = __( 'Phone', 'solar-capture' );
		$columns['solar_status']      = __( 'Booking', 'solar-capture' );
		$columns['solar_appointment'] = __( 'Appointment', 'solar-capture' );
		if ( null !== $date ) {
			$columns['date'] = $date;
		}
		return $columns;
	}

	/**
	 * @param string $column  Column name.
	 * @param int    $post_id Lead id.
	 */
	public function column( $column, $post_id ): void {
		$post_id = (int) $post_id;
		switch ( $column ) {
			case 'solar_email':
				$email = (string) get_post_meta( $post_id, Lead::META_EMAIL, true );
				if ( '' !== $email ) {
					echo '<a href="' . esc_url( 'mailto:' . $email ) . '">' . esc_html( $email ) . '</a>';
				}
				break;
			case 'solar_phone':
				echo esc_html( (string) get_post_meta( $post_id, Lead::META_PHONE, true ) );
				break;
			case 'solar_status':
				echo esc_html( Lead::status_label( (string) get_post_meta( $post_id, Lead::META_STATUS, true ) ) );
				break;
			case 'solar_appointment':
				echo esc_html( $this->format_time( get_post_meta( $post_id, Lead::META_BOOKING_START, true ) ) );
				break;
		}
	}

	public function add_meta_boxes(): void {
		add_meta_box( 'solar-capture-booking', __( 'Booking', 'solar-capture' ), array( $this, 'render_booking' ), Lead::POST_TYPE, 'normal', 'high' );
		add_meta_box( 'solar-capture-timeline', __( 'Timeline', 'solar-capture' ), array( $this, 'render_timeline' ), Lead::POST_TYPE, 'normal', 'default' );
	}

	/**
	 * @param \WP_Post $post The lead.
	 */
	public function render_booking( $post ): void {
		$id     = (int) $post->ID;
		$fields = array(
			__( 'E-mail', 'solar-capture' )              => (string) get_post_meta( $id, Lead::META_EMAIL, true ),
			__( 'Phone', 'solar-capture' )               => (string) get_post_meta( $id, Lead::META_PHONE, true ),
			__( 'Status', 'solar-capture' )              => Lead::status_label( (string) get_post_meta( $id, Lead::META_STATUS, true ) ),
			__( 'Starts', 'solar-capture' )              => $this->format_time( get_post_meta( $id, Lead::META_BOOKING_START, true ) ),
			__( 'Ends', 'solar-capture' )                => $this->format_time( get_post_meta( $id, Lead::META_BOOKING_END, true ) ),
			__( 'Event type', 'solar-capture' )          => (string) get_post_meta( $id, Lead::META_EVENT_TYPE, true ),
			__( 'Cancellation reason', 'solar-capture' ) => (string) get_post_meta( $id, Lead::META_CANCELLATION_REASON, true ),
			__( 'Booking uid', 'solar-capture' )         => (string) get_post_meta( $id, Lead::META_BOOKING_UID, true ),
			__( 'Earlier uids', 'solar-capture' )        => implode( ', ', array_diff( $this->leads->booking_uids( $id ), array( (string) get_post_meta( $id, Lead::META_BOOKING_UID, true ) ) ) ),
		);
		echo '<table class="form-table" role="presentation"><tbody>';
		foreach ( $fields as $label => $value ) {
			if ( '' === $value ) {
				continue;
			}
			echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . esc_html( $value ) . '</td></tr>';
		}
		echo '</tbody></table>';
	}

	/**
	 * @param \WP_Post $post The lead.
	 */
	public function render_timeline( $post ): void {
		$entries = $this->timeline->for_lead( (int) $post->ID );
		if ( array() === $entries ) {
			echo '<p>' . esc_html__( 'No events yet.', 'solar-capture' ) . '</p>';
			return;
		}
		$notes = array(
			Timeline::NOTE_APPLIED            => __( 'applied', 'solar-capture' ),
			Timeline::NOTE_OLDER              => __( 'arrived late: older than the newest event, status kept', 'solar-capture' ),
			Timeline::NOTE_PENDING_RESCHEDULE => __( 'reschedule requested, waiting for confirmation', 'solar-capture' ),
			Timeline::NOTE_NO_STATUS_EFFECT   => __( 'recorded, no status change', 'solar-capture' ),
		);
		echo '<table class="widefat striped"><thead><tr>';
		foreach ( array( __( 'Event time', 'solar-capture' ), __( 'Trigger', 'solar-capture' ), __( 'Appointment', 'solar-capture' ), __( 'Booking uid', 'solar-capture' ), __( 'Effect', 'solar-capture' ), __( 'Reason', 'solar-capture' ), __( 'Delivery', 'solar-capture' ) ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $entries as $entry ) {
			echo '<tr>';
			echo '<td>' . esc_html( $this->format_time( intdiv( (int) $entry->created_at_ms, 1000 ) ) ) . '</td>';
			echo '<td>' . esc_html( (string) $entry->trigger_event ) . '</td>';
			echo '<td>' . esc_html( $this->format_time( $entry->start_at ) ) . '</td>';
			echo '<td>' . esc_html( (string) $entry->booking_uid ) . '</td>';
			echo '<td>' . esc_html( $notes[ $entry->note ] ?? (string) $entry->note ) . '</td>';
			echo '<td>' . esc_html( (string) $entry->detail ) . '</td>';
			echo '<td>' . esc_html( null === $entry->delivery_id ? '' : '#' . $entry->delivery_id ) . '</td>';
			echo '</tr>';
		}
		echo '</tbody></table>';
	}

	/**
	 * Unix seconds in the site's date and time format and time zone; '' for no value.
	 *
	 * @param mixed $timestamp Unix seconds.
	 */
	private function format_time( $timestamp ): string {
		if ( ! is_numeric( $timestamp ) ) {
			return '';
		}
		$formatted = wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $timestamp );
		return is_string( $formatted ) ? $formatted : '';
	}
}
