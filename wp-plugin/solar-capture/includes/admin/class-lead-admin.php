<?php
/**
 * Leads in wp-admin: list columns and the booking and timeline boxes.
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
use SolarCapture\Plugin\Leads\Lead_Store;
use SolarCapture\Plugin\Leads\Timeline;
use SolarCapture\Plugin\Pipeline\Delivery_Source;

defined( 'ABSPATH' ) || exit;

/**
 * What the sales team sees of a lead.
 */
final class Lead_Admin {

	public function __construct( private Lead_Store $leads, private Lead_Index $index, private Timeline $timeline ) {
	}

	/** @var string The index condition of the list query being run (for its count). */
	private string $list_condition = '';

	/** The status filter's choice for enquiries from the form still not booked after a while. */
	public const UNBOOKED = 'unbooked';

	/** Query argument of the source filter on the list screen. */
	public const SOURCE_FILTER = 'solar_source';

	/** Query argument of the booking status filter on the list screen. */
	public const STATUS_FILTER = 'solar_status';

	/** Query variable of the list's sales stage filter. */
	public const STAGE_FILTER = 'solar_stage';

	/** Sortable columns and the lead index column each sorts by. */
	private const SORTABLE = array(
		'solar_email'       => 'email',
		'solar_status'      => 'status',
		'solar_appointment' => 'booking_start',
		'solar_event_type'  => 'event_type',
		'solar_last_change' => 'last_change',
	);

	public function add_hooks(): void {
		add_filter( 'manage_' . Lead::POST_TYPE . '_posts_columns', array( $this, 'columns' ) );
		add_action( 'manage_' . Lead::POST_TYPE . '_posts_custom_column', array( $this, 'column' ), 10, 2 );
		add_filter( 'manage_edit-' . Lead::POST_TYPE . '_sortable_columns', array( $this, 'sortable_columns' ) );
		add_action( 'restrict_manage_posts', array( $this, 'status_filter' ) );
		add_filter( 'posts_clauses', array( $this, 'list_clauses' ), 10, 2 );
		add_filter( 'posts_search', array( $this, 'search' ), 10, 2 );
		add_filter( 'posts_search_orderby', array( $this, 'search_orderby' ), 10, 2 );
		add_filter( 'posts_request', array( $this, 'drop_found_rows' ), 10, 2 );
		add_filter( 'found_posts_query', array( $this, 'count_list' ), 10, 2 );
		add_action( 'load-edit.php', array( $this, 'prime_status_counts' ) );
		add_filter( 'disable_months_dropdown', array( $this, 'hide_months' ), 10, 2 );
		add_filter( 'display_post_states', array( $this, 'post_states' ), 10, 2 );
		add_filter( 'enter_title_here', array( $this, 'title_placeholder' ), 10, 2 );
		add_action( 'add_meta_boxes_' . Lead::POST_TYPE, array( $this, 'add_meta_boxes' ) );
	}

	/**
	 * @param array<string, string> $columns List table columns.
	 * @return array<string, string>
	 */
	public function columns( $columns ) {
		$columns = is_array( $columns ) ? $columns : array();
		$result  = array();
		if ( isset( $columns['cb'] ) ) {
			$result['cb'] = $columns['cb'];
		}
		$result['title']             = __( 'Name', 'solar-capture' );
		$result['solar_email']       = __( 'E-mail', 'solar-capture' );
		$result['solar_phone']       = __( 'Phone', 'solar-capture' );
		$result['solar_status']      = __( 'Booking status', 'solar-capture' );
		$result['solar_appointment'] = sprintf(
			/* translators: %s: the site's time zone, e.g. "Europe/Berlin". */
			__( 'Appointment (%s)', 'solar-capture' ),
			wp_timezone_string()
		);
		$result['solar_event_type']  = __( 'Event type', 'solar-capture' );
		$result['solar_stage']       = __( 'Stage', 'solar-capture' );
		$result['solar_owner']       = __( 'Owner', 'solar-capture' );
		$result['solar_last_change'] = __( 'Last change', 'solar-capture' );
		// Columns other plugins added stay; WordPress's own date column gives way to "Last change".
		unset( $columns['cb'], $columns['title'], $columns['date'] );
		return $result + $columns;
	}

	/**
	 * @param array<string, mixed> $columns Sortable columns.
	 * @return array<string, mixed>
	 */
	public function sortable_columns( $columns ) {
		$columns = is_array( $columns ) ? $columns : array();
		foreach ( array_keys( self::SORTABLE ) as $column ) {
			// Dates sort newest first on the first click.
			$columns[ $column ] = array( $column, in_array( $column, array( 'solar_appointment', 'solar_last_change' ), true ) );
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
				$phone = (string) get_post_meta( $post_id, Lead::META_PHONE, true );
				$dial  = preg_replace( '/[^0-9+]/', '', $phone );
				if ( '' !== $phone && is_string( $dial ) && '' !== $dial ) {
					echo '<a href="' . esc_url( 'tel:' . $dial, array( 'tel' ) ) . '">' . esc_html( $phone ) . '</a>';
				} else {
					echo esc_html( $phone );
				}
				break;
			case 'solar_status':
				$status = (string) get_post_meta( $post_id, Lead::META_STATUS, true );
				if ( '' !== $status ) {
					printf( '<span class="solar-capture-status solar-capture-status-%1$s">%2$s</span>', esc_attr( $status ), esc_html( Lead::status_label( $status ) ) );
				}
				break;
			case 'solar_appointment':
				echo esc_html( $this->format_time( get_post_meta( $post_id, Lead::META_BOOKING_START, true ) ) );
				break;
			case 'solar_event_type':
				echo esc_html( (string) get_post_meta( $post_id, Lead::META_EVENT_TYPE, true ) );
				break;
			case 'solar_last_change':
				echo esc_html( $this->last_change( $post_id ) );
				break;
			case 'solar_stage':
				$stage = (string) get_post_meta( $post_id, Lead::META_STAGE, true );
				echo '' === $stage ? '' : esc_html( Sales_Team::stage_label( $stage ) );
				break;
			case 'solar_owner':
				$owner = (int) get_post_field( 'post_author', $post_id );
				echo $owner > 0 ? esc_html( Sales_Team::user_name( $owner ) ) : '';
				break;
		}
	}

	/**
	 * The booking status dropdown above the list.
	 *
	 * @param string $post_type Post type of the list.
	 */
	public function status_filter( $post_type ): void {
		if ( Lead::POST_TYPE !== $post_type ) {
			return;
		}
		$selected = $this->requested_status();
		echo '<label for="filter-by-solar-status" class="screen-reader-text">' . esc_html__( 'Filter by booking status', 'solar-capture' ) . '</label>';
		echo '<select name="' . esc_attr( self::STATUS_FILTER ) . '" id="filter-by-solar-status">';
		echo '<option value="">' . esc_html__( 'All booking statuses', 'solar-capture' ) . '</option>';
		foreach ( Lead::STATUSES as $status ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $status ), selected( $selected, $status, false ), esc_html( Lead::status_label( $status ) ) );
		}
		printf(
			'<option value="%1$s"%2$s>%3$s</option>',
			esc_attr( self::UNBOOKED ),
			selected( $selected, self::UNBOOKED, false ),
			/* translators: %d: number of hours. */
			esc_html( sprintf( _n( 'Enquiry, not booked after %d hour', 'Enquiry, not booked after %d hours', Form_Settings::unbooked_hours(), 'solar-capture' ), Form_Settings::unbooked_hours() ) )
		);
		echo '</select>';
		$stage = self::stage_filter_of( $_GET ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a list filter.
		echo '<label for="filter-by-solar-stage" class="screen-reader-text">' . esc_html__( 'Filter by stage', 'solar-capture' ) . '</label>';
		echo '<select name="' . esc_attr( self::STAGE_FILTER ) . '" id="filter-by-solar-stage"><option value="">' . esc_html__( 'All stages', 'solar-capture' ) . '</option>';
		foreach ( Sales_Team::stages() as $slug => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $slug ), selected( $stage, $slug, false ), esc_html( $label ) );
		}
		echo '</select>';
		$sources = $this->index->sources();
		if ( array() !== $sources ) {
			$chosen = $this->requested_source();
			echo '<label for="filter-by-solar-source" class="screen-reader-text">' . esc_html__( 'Filter by source', 'solar-capture' ) . '</label>';
			echo '<select name="' . esc_attr( self::SOURCE_FILTER ) . '" id="filter-by-solar-source"><option value="">' . esc_html__( 'All sources', 'solar-capture' ) . '</option>';
			foreach ( $sources as $source ) {
				printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $source ), selected( $chosen, $source, false ), esc_html( $source ) );
			}
			echo '</select>';
		}
	}

	/**
	 * The status filter, the sorting by a lead column and the search (name, e-mail, phone digits) of the
	 * lead list, through the lead index: their cost does not grow with the number of leads.
	 *
	 * @param array<string, string> $clauses The query's SQL clauses.
	 * @param \WP_Query             $query   The query.
	 * @return array<string, string>
	 */
	public function list_clauses( $clauses, $query ) {
		if ( ! is_array( $clauses ) || ! $this->is_lead_list_query( $query ) ) {
			return $clauses;
		}
		$orderby = $query->get( 'orderby' );
		$terms   = $query->is_search() ? $query->get( 'search_terms' ) : array();
		$status  = $this->requested_status();
		$index   = $this->index->list_clauses(
			self::UNBOOKED === $status ? 'new' : $status,
			is_string( $orderby ) ? ( self::SORTABLE[ $orderby ] ?? '' ) : '',
			strtoupper( (string) $query->get( 'order' ) ),
			is_array( $terms ) ? array_map( 'strval', $terms ) : array(),
			self::UNBOOKED === $status ? ( time() - Form_Settings::unbooked_hours() * HOUR_IN_SECONDS ) * 1000 : null,
			$this->requested_source(),
			self::stage_filter_of( $_GET ), // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a list filter.
			// "Mine" (WordPress's view: author=me) is counted on the index too.
			absint( $query->get( 'author' ) )
		);
		$clauses['join']  .= $index['join'];
		$clauses['where'] .= $index['where'];
		if ( '' !== $index['orderby'] ) {
			$clauses['orderby'] = $index['orderby'];
		} elseif ( '' === (string) $orderby ) {
			// Newest first by id. By date over several post statuses (the "All" view), the database sorts
			// every lead to show twenty; by id it walks the primary key from the top and stops at twenty,
			// which is the fast way while leads are most of the posts table (a sales site's case).
			global $wpdb;
			$clauses['orderby'] = "{$wpdb->posts}.ID DESC";
			if ( $this->index->leads_are_most_posts() ) {
				$clauses['join'] = ' FORCE INDEX (PRIMARY)' . $clauses['join'];
			}
		}
		$this->list_condition = $index['condition'];
		return $clauses;
	}

	/**
	 * The lead list's search is list_clauses()'s: WordPress's own (title, excerpt, content) is dropped.
	 *
	 * @param string    $search The WHERE part WordPress built for the search.
	 * @param \WP_Query $query  The query.
	 */
	public function search( $search, $query ) {
		return $this->is_lead_list_query( $query ) && $query->is_search() ? '' : $search;
	}

	/**
	 * Nor does the list sort by WordPress's relevance (a LIKE on every title): newest first, or the column.
	 *
	 * @param string    $orderby ORDER BY for the search.
	 * @param \WP_Query $query   The query.
	 */
	public function search_orderby( $orderby, $query ) {
		return $this->is_lead_list_query( $query ) ? '' : $orderby;
	}

	/**
	 * The list's total is counted on the index (count_list()), not by SQL_CALC_FOUND_ROWS, which makes the
	 * database find every row of the list before it returns the first page.
	 *
	 * @param string    $sql   The main query.
	 * @param \WP_Query $query The query.
	 */
	public function drop_found_rows( $sql, $query ) {
		return $this->is_lead_list_query( $query ) ? preg_replace( '/^\s*SELECT\s+SQL_CALC_FOUND_ROWS\s/i', 'SELECT ', (string) $sql, 1 ) : $sql;
	}

	/**
	 * @param string    $sql   "SELECT FOUND_ROWS()".
	 * @param \WP_Query $query The query.
	 */
	public function count_list( $sql, $query ) {
		if ( ! $this->is_lead_list_query( $query ) ) {
			return $sql;
		}
		return 'SELECT ' . $this->index->count( $this->list_post_statuses( $query ), $this->list_condition );
	}

	/**
	 * The "All (n) | Private (n) | Trash (n)" counts of the lead list, from the index (wp_count_posts()
	 * would group every lead by status on each view of the list).
	 */
	public function prime_status_counts(): void {
		if ( Lead::POST_TYPE !== ( $GLOBALS['typenow'] ?? '' ) || ! current_user_can( Lead_Roles::READ_CAP ) ) {
			return;
		}
		$counts = array_fill_keys( get_post_stati(), 0 );
		foreach ( $this->index->counts_by_post_status() as $status => $n ) {
			$counts[ $status ] = $n;
		}
		// The key wp_count_posts() reads for a user who may read private leads.
		wp_cache_set( 'posts-' . Lead::POST_TYPE, (object) $counts, 'counts' );
	}

	/**
	 * No "All dates" dropdown on the lead list: it scans every lead for its months, and "Last change"
	 * sorts by date already.
	 *
	 * @param bool   $disable   Whether to hide it.
	 * @param string $post_type The list's post type.
	 */
	public function hide_months( $disable, $post_type ) {
		return Lead::POST_TYPE === $post_type ? true : $disable;
	}

	/**
	 * Every lead is private: "— Private" after each name would say nothing.
	 *
	 * @param array<string, string> $states Post states.
	 * @param \WP_Post              $post   The post.
	 * @return array<string, string>
	 */
	public function post_states( $states, $post ) {
		if ( is_array( $states ) && $post instanceof \WP_Post && Lead::POST_TYPE === $post->post_type ) {
			unset( $states['private'] );
		}
		return $states;
	}

	/**
	 * @param string   $placeholder Placeholder of the title field.
	 * @param \WP_Post $post        The post.
	 */
	public function title_placeholder( $placeholder, $post ) {
		return $post instanceof \WP_Post && Lead::POST_TYPE === $post->post_type ? __( 'Name', 'solar-capture' ) : $placeholder;
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
			__( 'Booked by', 'solar-capture' )           => (string) get_post_meta( $id, Lead::META_BOOKING_EMAIL, true ),
			__( 'Postcode or address', 'solar-capture' ) => (string) get_post_meta( $id, Lead::META_POSTCODE, true ),
			__( 'Booking uid', 'solar-capture' )         => (string) get_post_meta( $id, Lead::META_BOOKING_UID, true ),
			__( 'Earlier uids', 'solar-capture' )        => implode( ', ', array_diff( $this->leads->booking_uids( $id ), array( (string) get_post_meta( $id, Lead::META_BOOKING_UID, true ) ) ) ),
			__( 'Last change', 'solar-capture' )         => $this->last_change( $id ),
		);
		echo '<p class="description">' . esc_html(
			sprintf(
				/* translators: %s: the site's time zone. */
				__( 'Read-only: kept up to date by Cal.com\'s webhooks. Times in %s (the site\'s time zone).', 'solar-capture' ),
				wp_timezone_string()
			)
		) . '</p>';
		echo '<table class="form-table solar-capture-booking" role="presentation"><tbody>';
		foreach ( $fields as $label => $value ) {
			if ( '' === $value ) {
				continue;
			}
			echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . esc_html( $value ) . '</td></tr>';
		}
		echo '</tbody></table>';
		$this->render_form_answers( $id );
		if ( current_user_can( Delivery_Log::CAPABILITY ) ) {
			echo '<p><a href="' . esc_url( Delivery_Log::url( array( 'lead' => $id ) ) ) . '">' . esc_html__( 'Deliveries of this lead', 'solar-capture' ) . '</a></p>';
		}
	}

	/**
	 * The answers the visitor gave in the site's form, labelled by the questions, and the consent given.
	 *
	 * @param int $id Lead id.
	 */
	private function render_form_answers( int $id ): void {
		$answers = json_decode( (string) get_post_meta( $id, Lead::META_FORM_ANSWERS, true ), true );
		$consent = json_decode( (string) get_post_meta( $id, Lead::META_CONSENT, true ), true );
		if ( ! is_array( $answers ) && ! is_array( $consent ) && '' === (string) get_post_meta( $id, Lead::META_SOURCE, true ) ) {
			return;
		}
		$questions = Form_Settings::questions();
		echo '<h3>' . esc_html__( 'Enquiry form', 'solar-capture' ) . '</h3><table class="form-table solar-capture-answers" role="presentation"><tbody>';
		foreach ( is_array( $answers ) ? $answers : array() as $slug => $answer ) {
			echo '<tr><th scope="row">' . esc_html( $questions[ $slug ]['label'] ?? (string) $slug ) . '</th><td>' . esc_html( (string) $answer ) . '</td></tr>';
		}
		$source = json_decode( (string) get_post_meta( $id, Lead::META_SOURCE, true ), true );
		foreach ( is_array( $source ) ? $source : array() as $key => $value ) {
			echo '<tr><th scope="row">' . esc_html( (string) $key ) . '</th><td>' . esc_html( (string) $value ) . '</td></tr>';
		}
		if ( is_array( $consent ) ) {
			echo '<tr><th scope="row">' . esc_html__( 'Consent', 'solar-capture' ) . '</th><td>' . esc_html( (string) ( $consent['text'] ?? '' ) ) . '<br><span class="description">' . esc_html( (string) ( $consent['time'] ?? '' ) ) . '</span></td></tr>';
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
			Timeline::NOTE_FORM_SUBMITTED     => __( 'enquiry form sent', 'solar-capture' ),
		);
		echo '<div class="solar-capture-scroll"><table class="widefat striped"><thead><tr>';
		foreach ( array( __( 'Event time', 'solar-capture' ), __( 'Trigger', 'solar-capture' ), __( 'Appointment', 'solar-capture' ), __( 'Booking uid', 'solar-capture' ), __( 'Effect', 'solar-capture' ), __( 'Reason and answers', 'solar-capture' ), __( 'Delivery', 'solar-capture' ) ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $entries as $entry ) {
			echo '<tr>';
			echo '<td>' . esc_html( $this->format_time( intdiv( (int) $entry->created_at_ms, 1000 ) ) ) . '</td>';
			echo '<td>' . esc_html( self::trigger_label( (string) $entry->trigger_event ) ) . '</td>';
			echo '<td>' . esc_html( $this->format_time( $entry->start_at ) ) . '</td>';
			echo '<td>' . esc_html( (string) $entry->booking_uid ) . '</td>';
			$effect = $notes[ $entry->note ] ?? (string) $entry->note;
			if ( null !== ( $entry->author ?? null ) ) {
				/* translators: %s: a user's name. */
				$effect = sprintf( __( 'by %s', 'solar-capture' ), Sales_Team::user_name( (int) $entry->author ) );
			}
			if ( Delivery_Source::API === ( $entry->source ?? '' ) ) {
				/* translators: %s: what the event did, e.g. "applied". */
				$effect = sprintf( __( '%s; found by reconciliation (its webhook never came)', 'solar-capture' ), $effect );
			}
			echo '<td class="solar-capture-effect" data-source="' . esc_attr( (string) ( $entry->source ?? '' ) ) . '">' . esc_html( $effect ) . '</td>';
			$body = null === ( $entry->body ?? null ) ? '' : '<div class="solar-capture-note">' . nl2br( esc_html( (string) $entry->body ) ) . '</div>';
			echo '<td>' . esc_html( (string) $entry->detail ) . $body . self::answers_list( $entry->answers ?? null ) . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped parts.
			echo '<td>' . $this->delivery_link( $entry->delivery_id ) . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- delivery_link() escapes.
			echo '</tr>';
		}
		echo '</tbody></table></div>';
	}

	/**
	 * What the timeline's Trigger column says: Cal.com's trigger as it came, the team's entries in words.
	 *
	 * @param string $trigger A timeline entry's trigger.
	 */
	private static function trigger_label( string $trigger ): string {
		return match ( $trigger ) {
			Sales_Team::TRIGGER_NOTE  => __( 'Note', 'solar-capture' ),
			Sales_Team::TRIGGER_STAGE => __( 'Stage', 'solar-capture' ),
			Sales_Team::TRIGGER_OWNER => __( 'Owner', 'solar-capture' ),
			default                   => $trigger,
		};
	}

	/**
	 * A booking's answers (Cal.com's booking form) as a definition list, escaped ('' for none).
	 *
	 * @param mixed $json The timeline entry's answers column.
	 * @return string HTML.
	 */
	private static function answers_list( $json ): string {
		$answers = Booking_Answers::as_text( $json );
		if ( array() === $answers ) {
			return '';
		}
		$html = '<dl class="solar-capture-booking-answers">';
		foreach ( $answers as $label => $text ) {
			$html .= '<dt>' . esc_html( (string) $label ) . '</dt><dd>' . esc_html( $text ) . '</dd>';
		}
		return $html . '</dl>';
	}

	/**
	 * "#12" linking to the delivery's details for users who may read the log.
	 *
	 * @param mixed $delivery_id Delivery row id.
	 * @return string HTML.
	 */
	private function delivery_link( $delivery_id ): string {
		if ( ! is_numeric( $delivery_id ) ) {
			return '';
		}
		$label = '#' . (int) $delivery_id;
		if ( ! current_user_can( Delivery_Log::CAPABILITY ) ) {
			return esc_html( $label );
		}
		return '<a href="' . esc_url( Delivery_Log::url( array( 'delivery' => (int) $delivery_id ) ) ) . '">' . esc_html( $label ) . '</a>';
	}

	/**
	 * When the booking last changed: the newest booking event applied, else when the post last changed.
	 *
	 * @param int $post_id Lead id.
	 */
	private function last_change( int $post_id ): string {
		$ms = get_post_meta( $post_id, Lead::META_LAST_EVENT_AT, true );
		if ( is_numeric( $ms ) ) {
			return $this->format_time( intdiv( (int) $ms, 1000 ) );
		}
		$post = get_post( $post_id );
		if ( ! $post instanceof \WP_Post ) {
			return '';
		}
		$modified = strtotime( $post->post_modified_gmt . ' UTC' );
		return false === $modified ? '' : $this->format_time( $modified );
	}

	/**
	 * The booking status asked for by the list's filter, '' for all.
	 */
	private function requested_status(): string {
		return self::status_filter_of( $_GET ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a list filter.
	}

	/**
	 * The booking status filter in a query ($_GET of the list, or of its export), '' for all.
	 *
	 * @param array<string, mixed> $query Query variables, slashed.
	 */
	public static function status_filter_of( array $query ): string {
		$status = isset( $query[ self::STATUS_FILTER ] ) && is_string( $query[ self::STATUS_FILTER ] ) ? sanitize_key( wp_unslash( $query[ self::STATUS_FILTER ] ) ) : '';
		return in_array( $status, Lead::STATUSES, true ) || self::UNBOOKED === $status ? $status : '';
	}

	/**
	 * The source asked for by the list's filter, '' for all.
	 */
	private function requested_source(): string {
		return self::source_filter_of( $_GET ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- a list filter.
	}

	/**
	 * The sales stage filter in a query, '' for all.
	 *
	 * @param array<string, mixed> $query Query variables, slashed.
	 */
	public static function stage_filter_of( array $query ): string {
		$stage = isset( $query[ self::STAGE_FILTER ] ) && is_string( $query[ self::STAGE_FILTER ] ) ? sanitize_key( wp_unslash( $query[ self::STAGE_FILTER ] ) ) : '';
		return isset( Sales_Team::stages()[ $stage ] ) ? $stage : '';
	}

	/**
	 * The source filter in a query, '' for all.
	 *
	 * @param array<string, mixed> $query Query variables, slashed.
	 */
	public static function source_filter_of( array $query ): string {
		$source = isset( $query[ self::SOURCE_FILTER ] ) && is_string( $query[ self::SOURCE_FILTER ] ) ? sanitize_text_field( wp_unslash( $query[ self::SOURCE_FILTER ] ) ) : '';
		return mb_substr( $source, 0, 100 );
	}

	/**
	 * The post statuses the list query shows: the one asked for, or all those in the "All" view.
	 *
	 * @param \WP_Query $query The list query.
	 * @return string[]
	 */
	private function list_post_statuses( \WP_Query $query ): array {
		$asked = $query->get( 'post_status' );
		if ( is_string( $asked ) && '' !== $asked && 'all' !== $asked && 'any' !== $asked ) {
			return array_map( 'trim', explode( ',', $asked ) );
		}
		if ( is_array( $asked ) && array() !== $asked ) {
			return array_map( 'strval', $asked );
		}
		return array_values( get_post_stati( array( 'show_in_admin_all_list' => true ) ) );
	}

	/**
	 * The main query of the Solar leads list screen in wp-admin.
	 *
	 * @param mixed $query A query.
	 */
	private function is_lead_list_query( $query ): bool {
		return $query instanceof \WP_Query && is_admin() && $query->is_main_query()
			&& Lead::POST_TYPE === $query->get( 'post_type' )
			&& ( ! isset( $GLOBALS['pagenow'] ) || 'edit.php' === $GLOBALS['pagenow'] );
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
