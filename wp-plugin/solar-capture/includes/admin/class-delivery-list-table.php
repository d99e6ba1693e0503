<?php
/**
 * The table of the delivery log. Loaded only on that screen: WP_List_Table exists in wp-admin only.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Pipeline\Delivery_Store;

defined( 'ABSPATH' ) || exit;

/**
 * Deliveries, newest first, filtered by result (views) and optionally by lead.
 */
final class Delivery_List_Table extends \WP_List_Table {

	private const PER_PAGE = 50;

	private string $result = '';
	private int $lead_id   = 0;

	/**
	 * @param Delivery_Store $deliveries The table.
	 * @param Delivery_Log   $log        The screen (for links and the "Process again" form).
	 * @param string         $screen     Screen id.
	 */
	public function __construct( private Delivery_Store $deliveries, private Delivery_Log $log, string $screen ) {
		parent::__construct(
			array(
				'singular' => 'delivery',
				'plural'   => 'deliveries',
				'ajax'     => false,
				'screen'   => $screen,
			)
		);
		// phpcs:disable WordPress.Security.NonceVerification.Recommended -- filters of a read-only list.
		$result        = isset( $_GET['result'] ) && is_string( $_GET['result'] ) ? sanitize_key( $_GET['result'] ) : '';
		$this->result  = in_array( $result, Delivery_Store::RESULTS, true ) ? $result : '';
		$this->lead_id = isset( $_GET['lead'] ) ? absint( $_GET['lead'] ) : 0;
		// phpcs:enable
	}

	/**
	 * @return array<string, string>
	 */
	public function get_columns() {
		return array(
			'received_at'   => sprintf(
				/* translators: %s: time zone of the site. */
				__( 'Received (%s)', 'solar-capture' ),
				wp_timezone_string()
			),
			'trigger_event' => __( 'Trigger', 'solar-capture' ),
			'result'        => __( 'Result', 'solar-capture' ),
			'reason'        => __( 'Reason', 'solar-capture' ),
			'http_status'   => __( 'HTTP', 'solar-capture' ),
			'lead'          => __( 'Lead', 'solar-capture' ),
			'actions'       => __( 'Actions', 'solar-capture' ),
		);
	}

	public function prepare_items(): void {
		$args = array(
			'result'  => '' !== $this->result ? $this->result : null,
			'lead_id' => $this->lead_id > 0 ? $this->lead_id : null,
		);

		$args        = array_filter( $args, static fn ( $value ): bool => null !== $value );
		$total       = $this->deliveries->count( $args );
		$page        = $this->get_pagenum();
		$this->items = $this->deliveries->query(
			$args + array(
				'limit'  => self::PER_PAGE,
				'offset' => ( $page - 1 ) * self::PER_PAGE,
			)
		);

		$this->_column_headers = array( $this->get_columns(), array(), array(), 'received_at' );
		$this->set_pagination_args(
			array(
				'total_items' => $total,
				'per_page'    => self::PER_PAGE,
				'total_pages' => (int) ceil( $total / self::PER_PAGE ),
			)
		);
	}

	/**
	 * "All | Accepted (3) | Rejected (1) | ...": the filter by result.
	 *
	 * @return array<string, string>
	 */
	protected function get_views() {
		$counts = $this->deliveries->counts_by_result();
		$base   = $this->lead_id > 0 ? array( 'lead' => $this->lead_id ) : array();
		$views  = array(
			'all' => sprintf(
				'<a href="%1$s"%2$s>%3$s <span class="count">(%4$d)</span></a>',
				esc_url( Delivery_Log::url( $base ) ),
				'' === $this->result ? ' class="current" aria-current="page"' : '',
				esc_html__( 'All', 'solar-capture' ),
				array_sum( $counts )
			),
		);
		foreach ( $counts as $result => $count ) {
			if ( 0 === $count && $result !== $this->result ) {
				continue;
			}
			$views[ $result ] = sprintf(
				'<a href="%1$s"%2$s>%3$s <span class="count">(%4$d)</span></a>',
				esc_url( Delivery_Log::url( $base + array( 'result' => $result ) ) ),
				$result === $this->result ? ' class="current" aria-current="page"' : '',
				esc_html( Delivery_Log::result_label( $result ) ),
				$count
			);
		}
		return $views;
	}

	/**
	 * Above the table: which lead the list is limited to.
	 *
	 * @param string $which "top" or "bottom".
	 */
	protected function extra_tablenav( $which ) {
		if ( 'top' !== $which || $this->lead_id <= 0 ) {
			return;
		}
		echo '<div class="alignleft actions">';
		/* translators: %s: the lead's name (a link). */
		printf( esc_html__( 'Deliveries of %s.', 'solar-capture' ), Delivery_Log::lead_link( $this->lead_id ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- lead_link() escapes.
		echo ' <a href="' . esc_url( Delivery_Log::url( '' !== $this->result ? array( 'result' => $this->result ) : array() ) ) . '">' . esc_html__( 'Show all leads', 'solar-capture' ) . '</a>';
		echo '</div>';
	}

	public function no_items() {
		esc_html_e( 'No deliveries yet. Cal.com\'s "Ping test" or "Send test delivery" under Solar leads > Settings adds one.', 'solar-capture' );
	}

	/**
	 * @param object $item        Row.
	 * @param string $column_name Column.
	 */
	protected function column_default( $item, $column_name ) {
		switch ( $column_name ) {
			case 'received_at':
				return sprintf(
					'<a href="%1$s" class="row-title" aria-label="%2$s">%3$s</a>',
					esc_url( Delivery_Log::url( array( 'delivery' => (int) $item->id ) ) ),
					/* translators: %d: delivery number. */
					esc_attr( sprintf( __( 'Delivery #%d: details', 'solar-capture' ), (int) $item->id ) ),
					esc_html( Delivery_Log::format_received( (string) $item->received_at ) )
				);
			case 'trigger_event':
				return '' === (string) $item->trigger_event ? '<span aria-hidden="true">—</span>' : '<code>' . esc_html( (string) $item->trigger_event ) . '</code>';
			case 'result':
				return sprintf( '<span class="solar-capture-result solar-capture-result-%1$s">%2$s</span>', esc_attr( (string) $item->result ), esc_html( Delivery_Log::result_label( (string) $item->result ) ) );
			case 'reason':
				return '<code class="solar-capture-reason">' . esc_html( (string) $item->reason_code ) . '</code><br><span class="description">' . esc_html( Delivery_Log::explain( $item ) ) . '</span>';
			case 'http_status':
				return esc_html( (string) $item->http_status );
			case 'lead':
				return Delivery_Log::lead_link( $item->lead_id );
			case 'actions':
				$links = '<a href="' . esc_url( Delivery_Log::url( array( 'delivery' => (int) $item->id ) ) ) . '">'
					. esc_html( current_user_can( Delivery_Log::BODY_CAPABILITY ) && (int) $item->has_body ? __( 'Details and body', 'solar-capture' ) : __( 'Details', 'solar-capture' ) ) . '</a>';
				if ( current_user_can( Delivery_Log::BODY_CAPABILITY ) && Delivery_Store::can_process_again( $item ) ) {
					ob_start();
					$this->log->process_again_button( (int) $item->id );
					$links .= ' ' . ob_get_clean();
				}
				return $links;
		}
		return '';
	}
}
