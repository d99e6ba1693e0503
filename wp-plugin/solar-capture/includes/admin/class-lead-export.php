<?php
/**
 * CSV export of the lead list, as filtered.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Capture\Form_Settings;
use SolarCapture\Plugin\Leads\Booking_Answers;
use SolarCapture\Plugin\Leads\Lead_Index;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Roles;
use SolarCapture\Plugin\Leads\Sales_Team;
use SolarCapture\Plugin\Leads\Timeline;

defined( 'ABSPATH' ) || exit;

/**
 * "Export CSV" above the lead list: every lead the list's filters, view and search select, every column, for the
 * office's spreadsheet. Streamed in batches of BATCH leads walked down the primary key, each batch read in
 * four queries (posts, meta, index, answers), so time grows with the leads and memory does not.
 */
final class Lead_Export {

	public const ACTION = 'solar_capture_export_leads';
	public const BATCH  = 1000;

	/** Post meta the export reads. */
	private const META = array(
		Lead::META_EMAIL,
		Lead::META_PHONE,
		Lead::META_STATUS,
		Lead::META_BOOKING_START,
		Lead::META_BOOKING_END,
		Lead::META_EVENT_TYPE,
		Lead::META_BOOKING_UID,
		Lead::META_CANCELLATION_REASON,
		Lead::META_BOOKING_EMAIL,
		Lead::META_POSTCODE,
		Lead::META_FORM_ANSWERS,
		Lead::META_CONSENT,
		Lead::META_LAST_EVENT_AT,
		Lead::META_STAGE,
	);

	public function __construct( private Lead_Index $index, private Timeline $timeline ) {
	}

	public function add_hooks(): void {
		add_action( 'admin_post_' . self::ACTION, array( $this, 'handle' ) );
		add_action( 'manage_posts_extra_tablenav', array( $this, 'button' ) );
	}

	/**
	 * The export link beside the list's filters, carrying them.
	 *
	 * @param string $which 'top' or 'bottom'.
	 */
	public function button( $which ): void {
		if ( 'top' !== $which || Lead::POST_TYPE !== ( $GLOBALS['typenow'] ?? '' ) || ! current_user_can( Lead_Roles::READ_CAP ) ) {
			return;
		}
		$args = array( 'action' => self::ACTION );
		foreach ( array( Lead_Admin::STATUS_FILTER, Lead_Admin::SOURCE_FILTER, Lead_Admin::STAGE_FILTER, 'author', 's', 'post_status' ) as $key ) {
			if ( isset( $_GET[ $key ] ) && is_string( $_GET[ $key ] ) && '' !== $_GET[ $key ] ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the list's own filters, passed on.
				$args[ $key ] = sanitize_text_field( wp_unslash( $_GET[ $key ] ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended
			}
		}
		$url = wp_nonce_url( add_query_arg( $args, admin_url( 'admin-post.php' ) ), self::ACTION );
		echo '<div class="alignleft actions"><a class="button solar-capture-export" href="' . esc_url( $url ) . '">' . esc_html__( 'Export CSV', 'solar-capture' ) . '</a></div>';
	}

	/**
	 * admin-post.php?action=solar_capture_export_leads: the CSV download.
	 */
	public function handle(): void {
		if ( ! current_user_can( Lead_Roles::READ_CAP ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to export leads.', 'solar-capture' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( self::ACTION );
		nocache_headers();
		header( 'Content-Type: text/csv; charset=utf-8' );
		header( 'Content-Disposition: attachment; filename="solar-leads-' . gmdate( 'Y-m-d' ) . '.csv"' );
		header( 'X-Content-Type-Options: nosniff' );
		$out = fopen( 'php://output', 'wb' );
		if ( false !== $out ) {
			$this->write( $out, wp_unslash( $_GET ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- checked above.
			fclose( $out ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
		}
		exit;
	}

	/**
	 * Writes the CSV of the leads $query selects (the list's filters: status, source, search, post status).
	 *
	 * @param resource             $out   Where to write.
	 * @param array<string, mixed> $query Filters, unslashed.
	 * @param int                  $batch Leads read per round.
	 * @return int Leads written.
	 */
	public function write( $out, array $query, int $batch = self::BATCH ): int {
		global $wpdb;
		$status      = Lead_Admin::status_filter_of( wp_slash( $query ) );
		$terms       = preg_split( '/\s+/', trim( is_string( $query['s'] ?? null ) ? $query['s'] : '' ) );
		$clauses     = $this->index->list_clauses(
			Lead_Admin::UNBOOKED === $status ? 'new' : $status,
			'',
			'',
			array_values( array_filter( is_array( $terms ) ? $terms : array() ) ),
			Lead_Admin::UNBOOKED === $status ? ( time() - Form_Settings::unbooked_hours() * HOUR_IN_SECONDS ) * 1000 : null,
			Lead_Admin::source_filter_of( wp_slash( $query ) ),
			Lead_Admin::stage_filter_of( wp_slash( $query ) ),
			absint( $query['author'] ?? 0 )
		);
		$asked       = is_string( $query['post_status'] ?? null ) ? sanitize_key( $query['post_status'] ) : '';
		$statuses    = '' !== $asked && 'all' !== $asked ? array( $asked ) : array_values( get_post_stati( array( 'show_in_admin_all_list' => true ) ) );
		$statuses_in = implode( ',', array_map( static fn ( string $s ): string => $wpdb->prepare( '%s', $s ), $statuses ) );

		// A UTF-8 byte order mark: spreadsheet programs then read names like "Müller" right.
		fwrite( $out, "\xEF\xBB\xBF" ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite
		fputcsv( $out, self::headings(), ',', '"', '' );
		$written = 0;
		$before  = PHP_INT_MAX;
		$owners  = array();
		do {
			$posts = $wpdb->get_results(
				$wpdb->prepare(
					"SELECT {$wpdb->posts}.ID, post_title, post_date_gmt, post_author FROM {$wpdb->posts} WHERE post_type = %s AND post_status IN ({$statuses_in}) {$clauses['where']} AND {$wpdb->posts}.ID < %d ORDER BY {$wpdb->posts}.ID DESC LIMIT %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared parts.
					Lead::POST_TYPE,
					$before,
					max( 1, $batch )
				)
			);
			$posts = is_array( $posts ) ? $posts : array();
			if ( array() === $posts ) {
				break;
			}
			$ids   = array_map( static fn ( object $post ): int => (int) $post->ID, $posts );
			$meta  = $this->meta( $ids );
			$leads = implode( ',', $ids );
			$index = self::by_lead( "SELECT lead_id, source, owner FROM {$this->index->table()} WHERE lead_id IN ({$leads})" );
			// The answers of each lead's newest timeline entry that has some.
			$answers = self::by_lead( "SELECT lead_id, answers FROM {$this->timeline->table()} WHERE lead_id IN ({$leads}) AND answers IS NOT NULL ORDER BY id ASC" );
			foreach ( $posts as $post ) {
				$id               = (int) $post->ID;
				$owner            = (int) ( $index[ $id ]->owner ?? $post->post_author );
				$owners[ $owner ] ??= self::display_name( $owner );
				fputcsv( $out, array_map( array( self::class, 'cell' ), $this->row( $post, $meta[ $id ] ?? array(), (string) ( $index[ $id ]->source ?? '' ), $owners[ $owner ], isset( $answers[ $id ] ) ? (string) $answers[ $id ]->answers : null ) ), ',', '"', '' );
				++$written;
			}
			$before = min( $ids );
			fflush( $out );
		} while ( count( $posts ) === max( 1, $batch ) );
		return $written;
	}

	/**
	 * A cell a spreadsheet shows as text: one that starts like a formula (=, +, -, @, a tab or a carriage
	 * return) gets a leading apostrophe, so opening the file never runs what a visitor typed.
	 *
	 * @param string $value Cell text.
	 */
	public static function cell( string $value ): string {
		return '' !== $value && str_contains( "=+-@\t\r", $value[0] ) ? "'" . $value : $value;
	}

	/**
	 * @return string[]
	 */
	private static function headings(): array {
		$zone = wp_timezone_string();
		return array(
			__( 'Lead ID', 'solar-capture' ),
			__( 'Name', 'solar-capture' ),
			__( 'E-mail', 'solar-capture' ),
			__( 'Phone', 'solar-capture' ),
			__( 'Booking status', 'solar-capture' ),
			/* translators: %s: the site's time zone. */
			sprintf( __( 'Appointment (%s)', 'solar-capture' ), $zone ),
			/* translators: %s: the site's time zone. */
			sprintf( __( 'Appointment ends (%s)', 'solar-capture' ), $zone ),
			__( 'Event type', 'solar-capture' ),
			__( 'Booking uid', 'solar-capture' ),
			__( 'Cancellation reason', 'solar-capture' ),
			__( 'Booked by', 'solar-capture' ),
			__( 'Postcode or address', 'solar-capture' ),
			__( 'Enquiry form answers', 'solar-capture' ),
			__( 'Booking answers', 'solar-capture' ),
			__( 'Consent', 'solar-capture' ),
			__( 'Source', 'solar-capture' ),
			__( 'Stage', 'solar-capture' ),
			__( 'Owner', 'solar-capture' ),
			/* translators: %s: the site's time zone. */
			sprintf( __( 'Created (%s)', 'solar-capture' ), $zone ),
			/* translators: %s: the site's time zone. */
			sprintf( __( 'Last change (%s)', 'solar-capture' ), $zone ),
		);
	}

	/**
	 * @param object                $post    Row of the posts query.
	 * @param array<string, string> $meta    The lead's meta.
	 * @param string                $source  Where it came from (the index's summary).
	 * @param string                $owner   Owner's display name.
	 * @param string|null           $answers Latest booking answers (timeline JSON).
	 * @return string[]
	 */
	private function row( object $post, array $meta, string $source, string $owner, ?string $answers ): array {
		$form    = json_decode( $meta[ Lead::META_FORM_ANSWERS ] ?? '', true );
		$consent = json_decode( $meta[ Lead::META_CONSENT ] ?? '', true );
		$labels  = Form_Settings::questions();
		$asked   = array();
		foreach ( is_array( $form ) ? $form : array() as $slug => $answer ) {
			$asked[] = ( $labels[ $slug ]['label'] ?? (string) $slug ) . ': ' . ( is_scalar( $answer ) ? (string) $answer : '' );
		}
		$booked = array();
		foreach ( Booking_Answers::as_text( $answers ) as $label => $text ) {
			$booked[] = $label . ': ' . $text;
		}
		$last = $meta[ Lead::META_LAST_EVENT_AT ] ?? '';
		return array(
			(string) $post->ID,
			(string) $post->post_title,
			$meta[ Lead::META_EMAIL ] ?? '',
			$meta[ Lead::META_PHONE ] ?? '',
			Lead::status_label( $meta[ Lead::META_STATUS ] ?? '' ),
			self::time( $meta[ Lead::META_BOOKING_START ] ?? '' ),
			self::time( $meta[ Lead::META_BOOKING_END ] ?? '' ),
			$meta[ Lead::META_EVENT_TYPE ] ?? '',
			$meta[ Lead::META_BOOKING_UID ] ?? '',
			$meta[ Lead::META_CANCELLATION_REASON ] ?? '',
			$meta[ Lead::META_BOOKING_EMAIL ] ?? '',
			$meta[ Lead::META_POSTCODE ] ?? '',
			implode( '; ', $asked ),
			implode( '; ', $booked ),
			is_array( $consent ) ? trim( ( $consent['text'] ?? '' ) . ' ' . ( $consent['time'] ?? '' ) ) : '',
			$source,
			'' === ( $meta[ Lead::META_STAGE ] ?? '' ) ? '' : Sales_Team::stage_label( $meta[ Lead::META_STAGE ] ),
			$owner,
			self::time( (string) strtotime( $post->post_date_gmt . ' UTC' ) ),
			is_numeric( $last ) ? self::time( (string) intdiv( (int) $last, 1000 ) ) : '',
		);
	}

	/**
	 * @param int[] $ids Lead ids.
	 * @return array<int, array<string, string>> Lead id => meta key => value.
	 */
	private function meta( array $ids ): array {
		global $wpdb;
		$keys = implode( ',', array_map( static fn ( string $key ): string => $wpdb->prepare( '%s', $key ), self::META ) );
		$rows = $wpdb->get_results( "SELECT post_id, meta_key, meta_value FROM {$wpdb->postmeta} WHERE post_id IN (" . implode( ',', $ids ) . ") AND meta_key IN ({$keys})" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared, WordPress.DB.PreparedSQL.NotPrepared -- integers and prepared keys.
		$meta = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$meta[ (int) $row->post_id ][ (string) $row->meta_key ] ??= (string) $row->meta_value;
		}
		return $meta;
	}

	/**
	 * Rows of a query that selects lead_id, keyed by it (of several rows of a lead, the last one).
	 *
	 * @param string $sql A query of integers and table names only.
	 * @return array<int, object>
	 */
	private static function by_lead( string $sql ): array {
		global $wpdb;
		$rows = $wpdb->get_results( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- integers and table names.
		$by   = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$by[ (int) $row->lead_id ] = $row;
		}
		return $by;
	}

	/**
	 * @param int $user_id A user id (0 for none).
	 */
	private static function display_name( int $user_id ): string {
		$user = $user_id > 0 ? get_userdata( $user_id ) : false;
		return $user instanceof \WP_User ? (string) $user->display_name : '';
	}

	/**
	 * Unix seconds as "Y-m-d H:i" in the site's time zone ('' for none).
	 *
	 * @param string $timestamp Unix seconds.
	 */
	private static function time( string $timestamp ): string {
		return is_numeric( $timestamp ) && (int) $timestamp > 0 ? (string) wp_date( 'Y-m-d H:i', (int) $timestamp ) : '';
	}
}
