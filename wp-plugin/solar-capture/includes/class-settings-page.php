<?php
/**
 * Settings > Solar Capture: connection status, secrets, recent deliveries.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

/**
 * The admin page, its settings and its two actions (rotate the secret, process a delivery again).
 */
final class Settings_Page {

	public const GROUP              = 'solar_capture';
	public const PAGE               = 'solar-capture';
	public const CAPABILITY         = 'manage_options';
	public const DELETE_DATA_OPTION = 'solar_capture_delete_data_on_uninstall';

	private const ROTATE_ACTION    = 'solar_capture_rotate_secret';
	private const REPROCESS_ACTION = 'solar_capture_reprocess';

	public function __construct(
		private Engine $engine,
		private Secrets $secrets,
		private Deliveries $deliveries,
		private Delivery_Processor $processor,
		private Webhook_Controller $controller
	) {
	}

	public function add_hooks(): void {
		add_action( 'init', array( $this, 'register_settings' ) );
		add_action( 'admin_menu', array( $this, 'add_page' ) );
		add_action( 'admin_post_' . self::ROTATE_ACTION, array( $this, 'handle_rotate' ) );
		add_action( 'admin_post_' . self::REPROCESS_ACTION, array( $this, 'handle_reprocess' ) );
		add_action( 'admin_notices', array( $this, 'custom_template_notice' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( SOLAR_CAPTURE_FILE ), array( $this, 'add_action_link' ) );
	}

	public function register_settings(): void {
		register_setting(
			self::GROUP,
			self::DELETE_DATA_OPTION,
			array(
				'type'              => 'boolean',
				'default'           => false,
				'show_in_rest'      => false,
				'sanitize_callback' => 'rest_sanitize_boolean',
			)
		);
	}

	public function add_page(): void {
		add_options_page(
			__( 'Solar Capture', 'solar-capture' ),
			__( 'Solar Capture', 'solar-capture' ),
			self::CAPABILITY,
			self::PAGE,
			array( $this, 'render' )
		);
	}

	/**
	 * @param string[] $links Action links on the Plugins screen.
	 * @return string[]
	 */
	public function add_action_link( $links ) {
		$links   = is_array( $links ) ? $links : array();
		$links[] = '<a href="' . esc_url( $this->page_url() ) . '">' . esc_html__( 'Settings', 'solar-capture' ) . '</a>';
		return $links;
	}

	public function page_url( array $args = array() ): string {
		return add_query_arg( array_merge( array( 'page' => self::PAGE ), $args ), admin_url( 'options-general.php' ) );
	}

	/**
	 * Tells the admin, on the screens they look at, that Cal.com sends a custom payload template.
	 */
	public function custom_template_notice(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			return;
		}
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( null === $screen || ! in_array( $screen->id, array( 'dashboard', 'plugins', 'edit-' . Lead_Post_Type::POST_TYPE, 'settings_page_' . self::PAGE ), true ) ) {
			return;
		}
		$template = $this->deliveries->latest( Deliveries::REJECTED, null, 'CUSTOM_TEMPLATE' );
		if ( null === $template ) {
			return;
		}
		$accepted = $this->deliveries->latest( Deliveries::ACCEPTED );
		if ( null !== $accepted && (int) $accepted->id > (int) $template->id ) {
			return;
		}
		printf(
			'<div class="notice notice-error"><p>%s</p></div>',
			esc_html__( 'Solar Capture: Cal.com is sending a custom payload template, so bookings are refused (422). In Cal.com, open the webhook (Settings > Developer > Webhooks) and clear its Custom Payload field.', 'solar-capture' )
		);
	}

	public function handle_rotate(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change Solar Capture\'s secret.', 'solar-capture' ), 403 );
		}
		check_admin_referer( self::ROTATE_ACTION );
		$notice = null === $this->secrets->rotate() ? 'rotate_constant' : 'rotated';
		wp_safe_redirect( $this->page_url( array( 'solar_capture_notice' => $notice ) ) );
		exit;
	}

	public function handle_reprocess(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to process deliveries.', 'solar-capture' ), 403 );
		}
		$id = isset( $_POST['delivery_id'] ) ? absint( $_POST['delivery_id'] ) : 0;
		check_admin_referer( self::REPROCESS_ACTION . '_' . $id );

		$result = $this->processor->process_again( $id );
		if ( is_wp_error( $result ) ) {
			$notice = 'reprocess_failed';
		} else {
			$data   = $result->get_data();
			$notice = 'reprocessed_' . ( is_array( $data ) && is_string( $data['result'] ?? null ) ? $data['result'] : 'accepted' );
		}
		wp_safe_redirect(
			$this->page_url(
				array(
					'solar_capture_notice'   => $notice,
					'solar_capture_delivery' => $id,
				)
			)
		);
		exit;
	}

	public function render(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage Solar Capture.', 'solar-capture' ), 403 );
		}
		echo '<div class="wrap">';
		echo '<h1>' . esc_html__( 'Solar Capture', 'solar-capture' ) . '</h1>';
		$this->render_notice();
		$this->render_status();
		$this->render_settings_form();
		$this->render_deliveries();
		echo '</div>';
	}

	private function render_notice(): void {
		// Only a fixed message is chosen by the parameter; nothing from it is printed.
		$notice   = isset( $_GET['solar_capture_notice'] ) ? sanitize_key( wp_unslash( $_GET['solar_capture_notice'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		$messages = array(
			'rotated'              => array( 'success', __( 'A new secret is active and the old one is kept as the previous secret. Enter the new secret in Cal.com, then clear the previous one here once it has stopped matching.', 'solar-capture' ) ),
			'rotate_constant'      => array( 'error', __( 'The secret is set by SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php; change it there.', 'solar-capture' ) ),
			'reprocessed_accepted' => array( 'success', __( 'The delivery was processed again and applied.', 'solar-capture' ) ),
			'reprocessed_unmatched' => array( 'warning', __( 'The delivery was processed again but still matches no lead.', 'solar-capture' ) ),
			'reprocessed_duplicate' => array( 'info', __( 'This event had already been processed; nothing was applied twice.', 'solar-capture' ) ),
			'reprocessed_ignored'  => array( 'info', __( 'The delivery was processed again; its trigger has no lead effect.', 'solar-capture' ) ),
			'reprocess_failed'     => array( 'error', __( 'The delivery could not be processed again. Check that the database is reachable and try again.', 'solar-capture' ) ),
		);
		if ( isset( $messages[ $notice ] ) ) {
			printf( '<div class="notice notice-%1$s is-dismissible"><p>%2$s</p></div>', esc_attr( $messages[ $notice ][0] ), esc_html( $messages[ $notice ][1] ) );
		}
	}

	private function render_status(): void {
		echo '<h2>' . esc_html__( 'Status', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody>';

		$this->row( __( 'Engine', 'solar-capture' ), esc_html( $this->engine->describe() ) );

		$this->row(
			__( 'Webhook URL', 'solar-capture' ),
			'<code>' . esc_html( $this->controller->url() ) . '</code><p class="description">'
			. esc_html__( 'In Cal.com, go to Settings > Developer > Webhooks > New. Subscriber URL: this URL. Secret: the current secret below. Leave Custom Payload empty.', 'solar-capture' )
			. '</p>'
		);

		$ping = $this->deliveries->latest( Deliveries::ACCEPTED, 'PING' );
		if ( null === $ping ) {
			$connection = esc_html__( 'No ping received yet. Press "Ping test" in the webhook form in Cal.com.', 'solar-capture' );
		} else {
			$connection = esc_html(
				sprintf(
					/* translators: %s: date and time of the last ping. */
					__( 'Connection works: the last ping from Cal.com arrived %s (UTC) and its signature verified.', 'solar-capture' ),
					$ping->received_at
				)
			);
		}
		$this->row( __( 'Connection', 'solar-capture' ), $connection );

		$slots = array(
			Secrets::SLOT_CURRENT  => __( 'Current secret', 'solar-capture' ),
			Secrets::SLOT_PREVIOUS => __( 'Previous secret', 'solar-capture' ),
		);
		$lines = array();
		foreach ( $slots as $slot => $label ) {
			$configured = Secrets::SLOT_CURRENT === $slot ? '' !== $this->secrets->current() : '' !== $this->secrets->previous();
			$last       = $this->secrets->last_match( $slot );
			if ( ! $configured ) {
				$state = __( 'not set', 'solar-capture' );
			} elseif ( null === $last ) {
				$state = __( 'set, has not verified a delivery yet', 'solar-capture' );
			} else {
				/* translators: %s: how long ago, e.g. "5 mins". */
				$state = sprintf( __( 'set, last verified a delivery %s ago', 'solar-capture' ), human_time_diff( $last ) );
			}
			$lines[] = esc_html( $label . ': ' . $state );
		}
		if ( $this->secrets->current_is_constant() ) {
			$lines[] = esc_html__( 'The current secret comes from SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php and overrides the field below.', 'solar-capture' );
		}
		$this->row( __( 'Secrets', 'solar-capture' ), implode( '<br>', $lines ) );

		echo '</tbody></table>';
	}

	private function render_settings_form(): void {
		echo '<h2>' . esc_html__( 'Settings', 'solar-capture' ) . '</h2>';
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( self::GROUP );
		echo '<table class="form-table" role="presentation"><tbody>';

		$constant = $this->secrets->current_is_constant();
		$this->row(
			'<label for="solar_capture_secret">' . esc_html__( 'Current secret', 'solar-capture' ) . '</label>',
			sprintf(
				'<input type="text" class="regular-text code" id="solar_capture_secret" name="%1$s" value="%2$s" autocomplete="off" spellcheck="false"%3$s>',
				esc_attr( Secrets::OPTION ),
				esc_attr( (string) get_option( Secrets::OPTION, '' ) ),
				$constant ? ' disabled' : ''
			) . '<p class="description">' . esc_html__( 'The same value as the Secret field of the webhook in Cal.com.', 'solar-capture' ) . '</p>',
			false
		);
		$this->row(
			'<label for="solar_capture_previous_secret">' . esc_html__( 'Previous secret', 'solar-capture' ) . '</label>',
			sprintf(
				'<input type="text" class="regular-text code" id="solar_capture_previous_secret" name="%1$s" value="%2$s" autocomplete="off" spellcheck="false">',
				esc_attr( Secrets::PREVIOUS_OPTION ),
				esc_attr( (string) get_option( Secrets::PREVIOUS_OPTION, '' ) )
			) . '<p class="description">' . esc_html__( 'Still accepted during a rotation. Clear it once Cal.com uses the current secret.', 'solar-capture' ) . '</p>',
			false
		);
		$this->row(
			esc_html__( 'On uninstall', 'solar-capture' ),
			sprintf(
				'<label><input type="checkbox" name="%1$s" value="1"%2$s> %3$s</label>',
				esc_attr( self::DELETE_DATA_OPTION ),
				checked( (bool) get_option( self::DELETE_DATA_OPTION, false ), true, false ),
				esc_html__( 'Delete all leads when the plugin is deleted (the delivery log and settings are always removed).', 'solar-capture' )
			),
			false
		);
		echo '</tbody></table>';
		submit_button();
		echo '</form>';

		if ( ! $constant ) {
			echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
			echo '<input type="hidden" name="action" value="' . esc_attr( self::ROTATE_ACTION ) . '">';
			wp_nonce_field( self::ROTATE_ACTION );
			submit_button( __( 'Generate a new secret (keep the current one as previous)', 'solar-capture' ), 'secondary', 'submit', false );
			echo '</form>';
		}
	}

	private function render_deliveries(): void {
		echo '<h2>' . esc_html__( 'Recent deliveries', 'solar-capture' ) . '</h2>';
		$rows = $this->deliveries->recent( 30 );
		if ( array() === $rows ) {
			echo '<p>' . esc_html__( 'Nothing received yet.', 'solar-capture' ) . '</p>';
			return;
		}
		$results = array(
			Deliveries::ACCEPTED  => __( 'accepted', 'solar-capture' ),
			Deliveries::DUPLICATE => __( 'duplicate', 'solar-capture' ),
			Deliveries::IGNORED   => __( 'ignored', 'solar-capture' ),
			Deliveries::UNMATCHED => __( 'unmatched', 'solar-capture' ),
			Deliveries::REJECTED  => __( 'rejected', 'solar-capture' ),
			Deliveries::FAILED    => __( 'failed', 'solar-capture' ),
		);
		echo '<table class="widefat striped"><thead><tr>';
		foreach ( array( __( '#', 'solar-capture' ), __( 'Received (UTC)', 'solar-capture' ), __( 'Trigger', 'solar-capture' ), __( 'Result', 'solar-capture' ), __( 'HTTP', 'solar-capture' ), __( 'Reason', 'solar-capture' ), __( 'Secret', 'solar-capture' ), __( 'Lead', 'solar-capture' ), '' ) as $heading ) {
			echo '<th scope="col">' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		foreach ( $rows as $row ) {
			$lead = '';
			if ( null !== $row->lead_id ) {
				$link = get_edit_post_link( (int) $row->lead_id );
				$lead = null === $link ? '#' . (int) $row->lead_id : '<a href="' . esc_url( $link ) . '">' . esc_html( get_the_title( (int) $row->lead_id ) ) . '</a>';
			}
			$slot = '';
			if ( null !== $row->secret_slot ) {
				$slot = (int) $row->secret_slot === Secrets::SLOT_PREVIOUS ? __( 'previous', 'solar-capture' ) : __( 'current', 'solar-capture' );
			}
			echo '<tr>';
			echo '<td>' . esc_html( (string) $row->id ) . '</td>';
			echo '<td>' . esc_html( substr( (string) $row->received_at, 0, 19 ) ) . '</td>';
			echo '<td>' . esc_html( (string) $row->trigger_event ) . '</td>';
			echo '<td>' . esc_html( $results[ $row->result ] ?? (string) $row->result ) . '</td>';
			echo '<td>' . esc_html( (string) $row->http_status ) . '</td>';
			echo '<td>' . esc_html( (string) $row->reason ) . '</td>';
			echo '<td>' . esc_html( $slot ) . '</td>';
			echo '<td>' . $lead . '</td>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
			echo '<td>';
			if ( (int) $row->has_body && in_array( $row->result, array( Deliveries::FAILED, Deliveries::UNMATCHED ), true ) && 'processed again' !== substr( (string) $row->reason, 0, 15 ) ) {
				echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '">';
				echo '<input type="hidden" name="action" value="' . esc_attr( self::REPROCESS_ACTION ) . '">';
				echo '<input type="hidden" name="delivery_id" value="' . esc_attr( (string) $row->id ) . '">';
				wp_nonce_field( self::REPROCESS_ACTION . '_' . (int) $row->id );
				submit_button( __( 'Process again', 'solar-capture' ), 'small', 'submit', false );
				echo '</form>';
			}
			echo '</td></tr>';
		}
		echo '</tbody></table>';
	}

	/**
	 * One row of a form table.
	 *
	 * @param string $label          Label (escaped by this method unless $escape_label is false).
	 * @param string $html           Cell content, already escaped.
	 * @param bool   $escape_label   Whether to escape the label.
	 */
	private function row( string $label, string $html, bool $escape_label = true ): void {
		echo '<tr><th scope="row">' . ( $escape_label ? esc_html( $label ) : $label ) . '</th><td>' . $html . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- callers pass escaped HTML.
	}
}
