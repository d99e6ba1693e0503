<?php
/**
 * Solar leads > Delivery log: every request the webhook received, what became of it, and "Process again".
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Engine;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Roles;
use SolarCapture\Plugin\Pipeline\Delivery_Pipeline;
use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Pipeline\Refusal_Counter;
use SolarCapture\Plugin\Webhook\Secrets;

defined( 'ABSPATH' ) || exit;

/**
 * The delivery log screen. Whoever may read private leads sees the log; stored bodies (personal data)
 * and "Process again" are for manage_options only.
 */
final class Delivery_Log {

	public const PAGE = 'solar-capture-deliveries';
	/** Editors and administrators: the users who can read private leads. */
	public const CAPABILITY = Lead_Roles::READ_CAP;
	/** Stored bodies and processing them again. */
	public const BODY_CAPABILITY  = 'manage_options';
	public const REPROCESS_ACTION = 'solar_capture_reprocess';

	/** Bodies larger than this are shown cut (the cap on bodies is 1 MiB by default). */
	private const BODY_DISPLAY_BYTES = 200000;

	private string $hook_suffix = '';

	public function __construct( private Delivery_Store $deliveries, private Delivery_Pipeline $pipeline, private Refusal_Counter $refusals ) {
	}

	public function add_hooks(): void {
		add_action( 'admin_menu', array( $this, 'add_page' ), 15 );
		add_action( 'admin_post_' . self::REPROCESS_ACTION, array( $this, 'handle_reprocess' ) );
	}

	public function add_page(): void {
		$this->hook_suffix = Admin_Screen::add_submenu( self::PAGE, __( 'Delivery log', 'solar-capture' ), __( 'Delivery log', 'solar-capture' ), self::CAPABILITY, array( $this, 'render' ) );
	}

	public function hook_suffix(): string {
		return $this->hook_suffix;
	}

	/**
	 * @param array<string, scalar> $args Extra query arguments (result, lead, delivery).
	 */
	public static function url( array $args = array() ): string {
		return Admin_Screen::url( self::PAGE, $args );
	}

	/**
	 * A received_at value (UTC) in the site's time zone, e.g. "2025-03-01 11:00:00".
	 *
	 * @param string $utc "Y-m-d H:i:s[.u]" in UTC.
	 */
	public static function format_received( string $utc ): string {
		$time = \DateTimeImmutable::createFromFormat( '!Y-m-d H:i:s', substr( $utc, 0, 19 ), new \DateTimeZone( 'UTC' ) );
		if ( false === $time ) {
			return $utc;
		}
		$formatted = wp_date( 'Y-m-d H:i:s', $time->getTimestamp() );
		return is_string( $formatted ) ? $formatted : $utc;
	}

	/**
	 * Translated label of a delivery result.
	 *
	 * @param string $result One of Delivery_Store::RESULTS.
	 */
	public static function result_label( string $result ): string {
		$labels = array(
			Delivery_Store::ACCEPTED  => __( 'Accepted', 'solar-capture' ),
			Delivery_Store::DUPLICATE => __( 'Duplicate', 'solar-capture' ),
			Delivery_Store::IGNORED   => __( 'Ignored', 'solar-capture' ),
			Delivery_Store::UNMATCHED => __( 'Unmatched', 'solar-capture' ),
			Delivery_Store::REJECTED  => __( 'Rejected', 'solar-capture' ),
			Delivery_Store::FAILED    => __( 'Failed', 'solar-capture' ),
		);
		return $labels[ $result ] ?? $result;
	}

	/**
	 * A stored delivery's reason for the admin: the code's label, the detail recorded with it, and the
	 * fix where there is one.
	 *
	 * @param object $row A row from Delivery_Store::query() or find().
	 */
	public static function explain( object $row ): string {
		return Reason::sentence( (string) ( $row->reason_code ?? '' ), (string) ( $row->reason ?? '' ) );
	}

	/**
	 * The lead of a delivery as a link to its screen (its name, escaped), or a note when it is gone.
	 *
	 * @param int|string|null $lead_id Lead id.
	 * @return string HTML.
	 */
	public static function lead_link( $lead_id ): string {
		if ( null === $lead_id || (int) $lead_id <= 0 ) {
			return '';
		}
		$post = get_post( (int) $lead_id );
		if ( ! $post instanceof \WP_Post || Lead::POST_TYPE !== $post->post_type ) {
			/* translators: %d: lead id. */
			return esc_html( sprintf( __( '#%d (deleted)', 'solar-capture' ), (int) $lead_id ) );
		}
		// The raw title, not get_the_title(), which would add "Private: ".
		$name = '' !== $post->post_title ? $post->post_title : __( '(no name)', 'solar-capture' );
		if ( ! current_user_can( 'edit_post', $post->ID ) ) {
			return esc_html( $name );
		}
		return '<a href="' . esc_url( (string) get_edit_post_link( $post->ID, 'raw' ) ) . '">' . esc_html( $name ) . '</a>';
	}

	public function handle_reprocess(): void {
		if ( ! current_user_can( self::BODY_CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to process deliveries.', 'solar-capture' ), '', array( 'response' => 403 ) );
		}
		$id = isset( $_POST['delivery_id'] ) ? absint( $_POST['delivery_id'] ) : 0;
		check_admin_referer( self::REPROCESS_ACTION . '_' . $id );

		$outcome = $this->pipeline->process_again( $id );
		$notice  = null !== $outcome && $outcome->is_stored() ? 'reprocessed_' . $outcome->result : 'reprocess_failed';
		wp_safe_redirect(
			self::url(
				array(
					Admin_Screen::NOTICE_ARG => $notice,
					'solar_capture_delivery' => $id,
				)
			)
		);
		exit;
	}

	/**
	 * The list table, its class loaded on demand (WP_List_Table exists in wp-admin only).
	 */
	public function list_table(): Delivery_List_Table {
		require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
		return new Delivery_List_Table( $this->deliveries, $this, '' !== $this->hook_suffix ? $this->hook_suffix : 'solar_lead_page_' . self::PAGE );
	}

	public function render(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to see the delivery log.', 'solar-capture' ), '', array( 'response' => 403 ) );
		}
		$detail = isset( $_GET['delivery'] ) ? absint( $_GET['delivery'] ) : 0; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only view.
		echo '<div class="wrap solar-capture-log">';
		if ( $detail > 0 ) {
			$this->render_detail( $detail );
			echo '</div>';
			return;
		}
		echo '<h1 class="wp-heading-inline">' . esc_html__( 'Delivery log', 'solar-capture' ) . '</h1>';
		echo '<hr class="wp-header-end">';
		$this->render_notice();
		echo '<p>' . esc_html__( 'Every request to the webhook endpoint, accepted or not. Refused deliveries say why; the reason names the fix.', 'solar-capture' ) . '</p>';
		$this->render_unlogged_refusals();

		$table = $this->list_table();
		$table->prepare_items();
		$table->views();
		// Not inside a <form>: each "Process again" button is a POST form of its own.
		$table->display();
		echo '</div>';
	}

	/**
	 * The hours of the last 7 days with more refused requests than the log keeps rows for: how many were
	 * only counted, by reason (a flood of forged requests shows here, without filling the table).
	 */
	private function render_unlogged_refusals(): void {
		$hours = $this->refusals->hours_over_cap( time() - WEEK_IN_SECONDS );
		if ( array() === $hours ) {
			return;
		}
		echo '<div class="solar-capture-unlogged"><p>' . esc_html(
			sprintf(
				/* translators: %d: rows kept per hour. */
				__( 'Requests refused before their signature verified are logged up to %d an hour; past that they are only counted:', 'solar-capture' ),
				Refusal_Counter::ROWS_PER_HOUR
			)
		) . '</p><ul>';
		foreach ( $hours as $hour ) {
			$reasons = array();
			foreach ( $hour['by_reason'] as $code => $count ) {
				$reasons[] = sprintf( '%s %s', number_format_i18n( $count ), $code );
			}
			printf(
				'<li>%s</li>',
				esc_html(
					sprintf(
						/* translators: 1: hour (local time), 2: requests refused, 3: not logged, 4: counts by reason code. */
						__( '%1$s: %2$s refused, %3$s of them not logged (%4$s)', 'solar-capture' ),
						self::format_received( $hour['hour'] ),
						number_format_i18n( $hour['requests'] ),
						number_format_i18n( $hour['unlogged'] ),
						implode( ', ', $reasons )
					)
				)
			);
		}
		echo '</ul></div>';
	}

	/**
	 * One delivery with all its columns; the body only for manage_options.
	 *
	 * @param int $id Row id.
	 */
	private function render_detail( int $id ): void {
		/* translators: %d: delivery number. */
		echo '<h1>' . esc_html( sprintf( __( 'Delivery #%d', 'solar-capture' ), $id ) ) . '</h1>';
		echo '<p><a href="' . esc_url( self::url() ) . '">' . esc_html__( '← Delivery log', 'solar-capture' ) . '</a></p>';
		$row = $this->deliveries->find( $id );
		if ( null === $row ) {
			echo '<p>' . esc_html__( 'This delivery is not in the log (it may have been removed by the retention period).', 'solar-capture' ) . '</p>';
			return;
		}
		$slot   = null === $row->secret_slot ? '' : ( (int) $row->secret_slot === Secrets::SLOT_PREVIOUS ? __( 'previous', 'solar-capture' ) : __( 'current', 'solar-capture' ) );
		$fields = array(
			__( 'Received', 'solar-capture' )      => esc_html( self::format_received( (string) $row->received_at ) ),
			__( 'Result', 'solar-capture' )        => esc_html( self::result_label( (string) $row->result ) ),
			__( 'Reason', 'solar-capture' )        => '<code>' . esc_html( (string) $row->reason_code ) . '</code> ' . esc_html( self::explain( $row ) ),
			__( 'Source', 'solar-capture' )        => esc_html( (string) $row->source ),
			__( 'HTTP answer', 'solar-capture' )   => esc_html( (string) $row->http_status ),
			__( 'Trigger', 'solar-capture' )       => esc_html( (string) $row->trigger_event ),
			__( 'Booking uid', 'solar-capture' )   => esc_html( (string) $row->booking_uid ),
			__( 'Lead', 'solar-capture' )          => self::lead_link( $row->lead_id ),
			__( 'Secret', 'solar-capture' )        => esc_html( $slot ),
			__( 'Duplicate of', 'solar-capture' )  => null === $row->duplicate_of ? '' : '<a href="' . esc_url( self::url( array( 'delivery' => (int) $row->duplicate_of ) ) ) . '">#' . esc_html( (string) $row->duplicate_of ) . '</a>',
			__( 'Event key', 'solar-capture' )     => '<code>' . esc_html( (string) $row->event_key ) . '</code>',
			__( 'Body SHA-256', 'solar-capture' )  => '<code>' . esc_html( (string) $row->body_sha256 ) . '</code>',
			__( 'Engine', 'solar-capture' )        => esc_html( (string) $row->engine ),
		);
		echo '<table class="widefat striped solar-capture-delivery"><tbody>';
		foreach ( $fields as $label => $html ) {
			if ( '' === $html || '<code></code>' === $html ) {
				continue;
			}
			echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . $html . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		}
		echo '</tbody></table>';

		echo '<h2>' . esc_html__( 'Body', 'solar-capture' ) . '</h2>';
		if ( ! current_user_can( self::BODY_CAPABILITY ) ) {
			echo '<p>' . esc_html__( 'Stored bodies hold personal data: only administrators see them.', 'solar-capture' ) . '</p>';
			return;
		}
		if ( null === $row->body ) {
			echo '<p>' . esc_html__( 'No body stored (refused, duplicate and ignored deliveries keep none; the retention period removes the others\' bodies).', 'solar-capture' ) . '</p>';
			return;
		}
		$body    = (string) $row->body;
		$decoded = json_decode( $body );
		$shown   = null !== $decoded && strlen( $body ) <= self::BODY_DISPLAY_BYTES
			? (string) wp_json_encode( $decoded, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE )
			: mb_strcut( $body, 0, self::BODY_DISPLAY_BYTES, 'UTF-8' );
		echo '<pre class="solar-capture-body">' . esc_html( $shown ) . '</pre>';
		if ( strlen( $body ) > self::BODY_DISPLAY_BYTES ) {
			/* translators: %d: size in bytes. */
			echo '<p class="description">' . esc_html( sprintf( __( 'Cut: the body has %d bytes.', 'solar-capture' ), strlen( $body ) ) ) . '</p>';
		}
		if ( Delivery_Store::can_process_again( $row ) ) {
			$this->process_again_button( (int) $row->id );
		}
	}

	/**
	 * The "Process again" form of one delivery.
	 *
	 * @param int $id Row id.
	 */
	public function process_again_button( int $id ): void {
		Admin_Screen::open_action_form( self::REPROCESS_ACTION, self::REPROCESS_ACTION . '_' . $id );
		echo '<input type="hidden" name="delivery_id" value="' . esc_attr( (string) $id ) . '">';
		submit_button( __( 'Process again', 'solar-capture' ), 'small', 'submit', false );
		echo '</form>';
	}

	private function render_notice(): void {
		$messages = array(
			'reprocessed_accepted'  => array( 'success', __( 'The delivery was processed again and applied.', 'solar-capture' ) ),
			'reprocessed_unmatched' => array( 'warning', __( 'The delivery was processed again but still matches no lead.', 'solar-capture' ) ),
			'reprocessed_duplicate' => array( 'info', __( 'This event had already been processed; nothing was applied twice.', 'solar-capture' ) ),
			'reprocessed_ignored'   => array( 'info', __( 'The delivery was processed again; its trigger has no lead effect.', 'solar-capture' ) ),
			'reprocess_failed'      => array( 'error', __( 'The delivery could not be processed again. Check that the database is reachable and try again.', 'solar-capture' ) ),
		);
		Admin_Screen::render_query_notice( $messages );
	}
}
