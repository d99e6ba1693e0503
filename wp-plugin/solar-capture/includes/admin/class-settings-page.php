<?php
/**
 * Solar leads > Settings: the Integrations tab (connecting Cal.com) and the Data tab (retention, uninstall).
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Engine;
use SolarCapture\Plugin\Jobs\Delivery_Retention;
use SolarCapture\Plugin\Leads\Lead_Store;
use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Webhook\Webhook_Controller;

/**
 * The settings screen and its actions: save or rotate the secret, remove the previous one, check the
 * endpoint again, send a test delivery. Every action checks manage_options and a nonce.
 */
final class Settings_Page {

	/** options.php group of the Data tab. */
	public const GROUP = 'solar_capture';
	/** Group of the secrets, which only save_secret() writes (see Secrets::register_settings()). */
	public const SECRETS_GROUP      = 'solar_capture_secrets';
	public const PAGE               = 'solar-capture';
	public const CAPABILITY         = 'manage_options';
	public const DELETE_DATA_OPTION = 'solar_capture_delete_data_on_uninstall';

	public const TAB_INTEGRATIONS = 'integrations';
	public const TAB_DATA         = 'data';

	public const SAVE_SECRET_ACTION     = 'solar_capture_save_secret';
	public const REMOVE_PREVIOUS_ACTION = 'solar_capture_remove_previous';
	public const TEST_ACTION            = 'solar_capture_test_delivery';
	public const CHECK_ACTION           = 'solar_capture_check_endpoint';

	/** Per-user transient holding the outcome of "Send test delivery" until the page shows it. */
	public const TEST_RESULT_TRANSIENT = 'solar_capture_test_result_';

	private string $hook_suffix = '';

	public function __construct(
		private Engine $engine,
		private Secrets $secrets,
		private Delivery_Store $deliveries,
		private Webhook_Controller $controller,
		private Endpoint_Check $endpoint_check,
		private Delivery_Retention $retention
	) {
	}

	public function add_hooks(): void {
		add_action( 'init', array( $this, 'register_settings' ) );
		// After the post type's own submenu entries and the delivery log.
		add_action( 'admin_menu', array( $this, 'add_page' ), 20 );
		add_action( 'admin_post_' . self::SAVE_SECRET_ACTION, array( $this, 'handle_save_secret' ) );
		add_action( 'admin_post_' . self::REMOVE_PREVIOUS_ACTION, array( $this, 'handle_remove_previous' ) );
		add_action( 'admin_post_' . self::TEST_ACTION, array( $this, 'handle_test_delivery' ) );
		add_action( 'admin_post_' . self::CHECK_ACTION, array( $this, 'handle_check_endpoint' ) );
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
		$this->hook_suffix = Admin_Screen::add_submenu( self::PAGE, __( 'Solar Capture settings', 'solar-capture' ), __( 'Settings', 'solar-capture' ), self::CAPABILITY, array( $this, 'render' ) );
	}

	/**
	 * The screen id of the page (empty before admin_menu).
	 */
	public function hook_suffix(): string {
		return $this->hook_suffix;
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

	/**
	 * @param array<string, scalar> $args Extra query arguments.
	 */
	public function page_url( array $args = array() ): string {
		return Admin_Screen::url( self::PAGE, $args );
	}

	// ------------------------------------------------------------------------------------------ actions

	public function handle_save_secret(): void {
		$this->check_request( self::SAVE_SECRET_ACTION );
		$submitted = isset( $_POST['solar_capture_new_secret'] ) && is_string( $_POST['solar_capture_new_secret'] ) ? wp_unslash( $_POST['solar_capture_new_secret'] ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- a secret is opaque bytes; Secrets::sanitize() trims it.
		$notice    = $this->save_secret( $submitted, ! empty( $_POST['solar_capture_keep_previous'] ) );
		$this->redirect( array( Admin_Screen::NOTICE_ARG => $notice ) );
	}

	/**
	 * Saves a submitted secret; the notice key says what happened.
	 *
	 * @param string $submitted     The secret as typed or generated.
	 * @param bool   $keep_previous Keep the replaced secret as the previous one.
	 */
	public function save_secret( string $submitted, bool $keep_previous ): string {
		if ( $this->secrets->current_is_constant() ) {
			return 'secret_constant';
		}
		$secret = $this->secrets->sanitize( $submitted );
		if ( '' === $secret ) {
			return 'secret_empty';
		}
		$had_current = '' !== $this->secrets->current();
		$this->secrets->set_current( $secret, $keep_previous );
		if ( strlen( $secret ) < Secrets::MIN_LENGTH ) {
			return 'secret_saved_short';
		}
		return $had_current && $keep_previous ? 'secret_rotated' : 'secret_saved';
	}

	public function handle_remove_previous(): void {
		$this->check_request( self::REMOVE_PREVIOUS_ACTION );
		$notice = $this->secrets->remove_previous() ? 'previous_removed' : 'previous_constant';
		$this->redirect( array( Admin_Screen::NOTICE_ARG => $notice ) );
	}

	public function handle_test_delivery(): void {
		$this->check_request( self::TEST_ACTION );
		set_transient( self::TEST_RESULT_TRANSIENT . get_current_user_id(), $this->endpoint_check->send_test_delivery(), 5 * MINUTE_IN_SECONDS );
		$this->redirect( array( 'solar_capture_test' => 1 ) );
	}

	public function handle_check_endpoint(): void {
		$this->check_request( self::CHECK_ACTION );
		$this->endpoint_check->problems( true );
		$this->redirect();
	}

	/**
	 * Capability and nonce of an admin-post action; dies with 403 otherwise.
	 *
	 * @param string $action Nonce action.
	 */
	private function check_request( string $action ): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to change Solar Capture\'s settings.', 'solar-capture' ), '', array( 'response' => 403 ) );
		}
		check_admin_referer( $action );
	}

	/**
	 * @param array<string, scalar> $args Query arguments.
	 */
	private function redirect( array $args = array() ): void {
		wp_safe_redirect( $this->page_url( $args ) );
		exit;
	}

	// ------------------------------------------------------------------------------------------ screen

	public function render(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage Solar Capture.', 'solar-capture' ), '', array( 'response' => 403 ) );
		}
		$tab = isset( $_GET['tab'] ) && self::TAB_DATA === $_GET['tab'] ? self::TAB_DATA : self::TAB_INTEGRATIONS; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- only picks a tab.

		echo '<div class="wrap solar-capture-settings">';
		echo '<h1>' . esc_html__( 'Solar Capture settings', 'solar-capture' ) . '</h1>';
		echo '<nav class="nav-tab-wrapper" aria-label="' . esc_attr__( 'Settings sections', 'solar-capture' ) . '">';
		foreach ( array(
			self::TAB_INTEGRATIONS => __( 'Integrations', 'solar-capture' ),
			self::TAB_DATA         => __( 'Data', 'solar-capture' ),
		) as $slug => $label ) {
			printf(
				'<a href="%1$s" class="nav-tab%2$s"%3$s>%4$s</a>',
				esc_url( $this->page_url( self::TAB_INTEGRATIONS === $slug ? array() : array( 'tab' => $slug ) ) ),
				$slug === $tab ? ' nav-tab-active' : '',
				$slug === $tab ? ' aria-current="page"' : '',
				esc_html( $label )
			);
		}
		echo '</nav>';

		if ( self::TAB_DATA === $tab ) {
			$this->render_data_tab();
		} else {
			$this->render_integrations_tab();
		}
		echo '</div>';
	}

	private function render_integrations_tab(): void {
		$this->render_test_result();
		$this->render_notice();

		echo '<ol class="solar-capture-steps">';
		foreach ( array(
			__( 'Copy the endpoint URL below.', 'solar-capture' ),
			__( 'In Cal.com, open Settings > Developer > Webhooks > New.', 'solar-capture' ),
			__( 'Paste the URL as the Subscriber URL.', 'solar-capture' ),
			__( 'Enter the same shared secret here and in Cal.com (32 characters or more; Generate makes one).', 'solar-capture' ),
			__( 'Pick BOOKING_CREATED, BOOKING_RESCHEDULED and BOOKING_CANCELLED (and the others below that you use); leave Custom Payload empty.', 'solar-capture' ),
			__( 'Save, then press "Ping test" in Cal.com or "Send test delivery" here.', 'solar-capture' ),
		) as $text ) {
			echo '<li>' . esc_html( $text ) . '</li>';
		}
		echo '</ol>';

		$this->render_endpoint();
		$this->render_secrets();
		$this->render_triggers();
		$this->render_deliveries();
		$this->render_engine();
	}

	private function render_endpoint(): void {
		$url = $this->controller->url();
		echo '<h2 id="solar-capture-endpoint-heading">' . esc_html__( 'Webhook endpoint', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody><tr><th scope="row"><label for="solar-capture-endpoint">' . esc_html__( 'Subscriber URL', 'solar-capture' ) . '</label></th><td>';
		printf(
			'<input type="text" id="solar-capture-endpoint" class="large-text code" value="%1$s" readonly> <p><button type="button" class="button hide-if-no-js" id="solar-capture-copy-endpoint" data-solar-capture-copy="#solar-capture-endpoint" data-copied="%2$s">%3$s</button> <span class="solar-capture-copy-status" aria-live="polite"></span></p>',
			esc_attr( $url ),
			esc_attr__( 'Copied to the clipboard.', 'solar-capture' ),
			esc_html__( 'Copy endpoint URL', 'solar-capture' )
		);
		if ( ! get_option( 'permalink_structure' ) ) {
			echo '<p class="description">' . esc_html__( 'Permalinks are set to "Plain", so the endpoint uses the ?rest_route= form. It works as it is; if you switch to pretty permalinks later, copy the URL again.', 'solar-capture' ) . '</p>';
		}

		$problems = $this->endpoint_check->problems();
		foreach ( $problems as $problem ) {
			printf( '<div class="notice notice-warning inline solar-capture-endpoint-problem" data-problem="%1$s"><p>%2$s</p></div>', esc_attr( $problem['type'] ), esc_html( $problem['message'] ) );
		}
		if ( array() === $problems ) {
			echo '<p class="solar-capture-ok">' . esc_html__( 'The endpoint answers directly: no redirect, the REST API is open to Cal.com.', 'solar-capture' ) . '</p>';
		}
		$checked = $this->endpoint_check->checked_at();
		Admin_Screen::open_action_form( self::CHECK_ACTION );
		if ( null !== $checked ) {
			echo '<span class="description">' . esc_html(
				sprintf(
					/* translators: %s: how long ago, e.g. "2 mins". */
					__( 'Checked %s ago.', 'solar-capture' ),
					human_time_diff( $checked )
				)
			) . '</span> ';
		}
		submit_button( __( 'Check again', 'solar-capture' ), 'small', 'submit', false );
		echo '</form>';
		echo '</td></tr></tbody></table>';
	}

	private function render_secrets(): void {
		echo '<h2>' . esc_html__( 'Shared secret', 'solar-capture' ) . '</h2>';
		echo '<p>' . esc_html__( 'Cal.com signs every delivery with this secret and Solar Capture refuses any delivery whose signature does not match. The same value goes into the Secret field of the webhook in Cal.com.', 'solar-capture' ) . '</p>';

		$current  = $this->secrets->current();
		$previous = $this->secrets->previous();
		echo '<table class="form-table" role="presentation"><tbody>';

		$cell = '';
		if ( '' === $current ) {
			$cell = '<strong>' . esc_html__( 'Not set: every delivery is refused (503).', 'solar-capture' ) . '</strong>';
		} else {
			$cell = '<code class="solar-capture-masked" id="solar-capture-current-secret">' . esc_html( Secrets::mask( $current ) ) . '</code> '
				. esc_html( $this->length_and_match( $current, Secrets::SLOT_CURRENT ) );
			if ( strlen( $current ) < Secrets::MIN_LENGTH ) {
				$cell .= '<div class="notice notice-warning inline"><p>' . esc_html(
					sprintf(
						/* translators: 1: length of the secret, 2: minimum length. */
						__( 'This secret is only %1$d characters long. Use %2$d or more: generate a new one below and keep this one as the previous secret until Cal.com uses the new one.', 'solar-capture' ),
						strlen( $current ),
						Secrets::MIN_LENGTH
					)
				) . '</p></div>';
			}
		}
		if ( $this->secrets->current_is_constant() ) {
			$cell .= '<p class="description">' . esc_html__( 'Set by the SOLAR_CAPTURE_CALCOM_SECRET constant in wp-config.php, which wins over anything saved here. Change it there.', 'solar-capture' ) . '</p>';
		}
		$this->row( __( 'Current secret', 'solar-capture' ), $cell );

		if ( '' !== $previous ) {
			$cell = '<code class="solar-capture-masked" id="solar-capture-previous-secret">' . esc_html( Secrets::mask( $previous ) ) . '</code> '
				. esc_html( $this->length_and_match( $previous, Secrets::SLOT_PREVIOUS ) )
				. '<p class="description">' . esc_html__( 'Still accepted, so nothing is lost while Cal.com switches to the current secret. Remove it once Cal.com uses the current one (its last match stops moving).', 'solar-capture' ) . '</p>';
			if ( $this->secrets->previous_is_constant() ) {
				$cell .= '<p class="description">' . esc_html__( 'Set by the SOLAR_CAPTURE_CALCOM_PREVIOUS_SECRET constant in wp-config.php; remove it there.', 'solar-capture' ) . '</p>';
			}
			$this->row( __( 'Previous secret', 'solar-capture' ), $cell );
		}
		echo '</tbody></table>';

		if ( '' !== $previous && ! $this->secrets->previous_is_constant() ) {
			Admin_Screen::open_action_form( self::REMOVE_PREVIOUS_ACTION );
			submit_button( __( 'Remove previous secret', 'solar-capture' ), 'secondary', 'solar-capture-remove-previous', false );
			echo '</form>';
		}

		if ( $this->secrets->current_is_constant() ) {
			return;
		}
		Admin_Screen::open_action_form( self::SAVE_SECRET_ACTION, '', 'id="solar-capture-secret-form"' );
		echo '<table class="form-table" role="presentation"><tbody>';
		$field = sprintf(
			'<input type="text" id="solar-capture-new-secret" name="solar_capture_new_secret" class="regular-text code" value="" autocomplete="off" spellcheck="false" maxlength="%1$d" data-min-length="%2$d" data-short="%3$s" data-long="%4$s" aria-describedby="solar-capture-secret-help solar-capture-secret-length">'
			. ' <button type="button" class="button hide-if-no-js" id="solar-capture-generate-secret" data-solar-capture-generate="#solar-capture-new-secret" data-length="%5$d">%6$s</button>'
			. ' <button type="button" class="button hide-if-no-js" data-solar-capture-copy="#solar-capture-new-secret" data-copied="%7$s">%8$s</button>'
			. ' <span class="solar-capture-copy-status" aria-live="polite"></span>'
			. '<p class="description solar-capture-length" id="solar-capture-secret-length" aria-live="polite"></p>'
			. '<p class="description" id="solar-capture-secret-help">%9$s</p>',
			Secrets::MAX_LENGTH,
			Secrets::MIN_LENGTH,
			/* translators: %d: number of characters typed. Keep the placeholder: JavaScript fills it. */
			esc_attr__( '%d characters: too short, use 32 or more.', 'solar-capture' ),
			/* translators: %d: number of characters typed. Keep the placeholder: JavaScript fills it. */
			esc_attr__( '%d characters.', 'solar-capture' ),
			Secrets::GENERATED_LENGTH,
			esc_html__( 'Generate', 'solar-capture' ),
			esc_attr__( 'Copied to the clipboard.', 'solar-capture' ),
			esc_html__( 'Copy', 'solar-capture' ),
			esc_html__( 'Generate a secret (or type one of 32 characters or more), copy it into the Secret field of the webhook in Cal.com, then save it here. Once saved it is never shown again.', 'solar-capture' )
		);
		if ( '' !== $current ) {
			$field .= sprintf(
				'<p><label><input type="checkbox" name="solar_capture_keep_previous" value="1" checked> %s</label></p>',
				esc_html__( 'Keep the current secret accepted as the previous secret until I remove it (rotation: no delivery is refused while Cal.com switches).', 'solar-capture' )
			);
		}
		$this->row( '<label for="solar-capture-new-secret">' . esc_html( '' === $current ? __( 'Secret', 'solar-capture' ) : __( 'New secret', 'solar-capture' ) ) . '</label>', $field, false );
		echo '</tbody></table>';
		submit_button( __( 'Save secret', 'solar-capture' ), 'primary', 'solar-capture-save-secret' );
		echo '</form>';
	}

	/**
	 * "(48 characters; last verified a delivery 5 mins ago)".
	 *
	 * @param string $secret The secret.
	 * @param int    $slot   Its slot.
	 */
	private function length_and_match( string $secret, int $slot ): string {
		$last = $this->secrets->last_match( $slot );
		return sprintf(
			/* translators: 1: number of characters, 2: when it last verified a delivery. */
			__( '(%1$d characters; %2$s)', 'solar-capture' ),
			strlen( $secret ),
			null === $last
				? __( 'has not verified a delivery yet', 'solar-capture' )
				/* translators: %s: how long ago, e.g. "5 mins". */
				: sprintf( __( 'last verified a delivery %s ago', 'solar-capture' ), human_time_diff( $last ) )
		);
	}

	private function render_triggers(): void {
		echo '<h2>' . esc_html__( 'Triggers to enable in Cal.com', 'solar-capture' ) . '</h2>';
		echo '<p>' . esc_html__( 'Tick these in the webhook form. Leave "Custom Payload" empty: Solar Capture reads Cal.com\'s default body.', 'solar-capture' ) . '</p>';
		$triggers = array(
			array( 'BOOKING_CREATED', true, __( 'A booking was made: creates the lead (or updates the one with the same e-mail) with status Booked, the appointment time, event type and phone.', 'solar-capture' ) ),
			array( 'BOOKING_RESCHEDULED', true, __( 'The appointment moved: the lead keeps its history and gets the new time and booking, status Rescheduled.', 'solar-capture' ) ),
			array( 'BOOKING_CANCELLED', true, __( 'The booking was cancelled: status Cancelled, with the reason given.', 'solar-capture' ) ),
			array( 'BOOKING_REQUESTED', false, __( 'Event types that need confirmation: status Requested until you confirm; a reschedule request waits without changing the booking.', 'solar-capture' ) ),
			array( 'BOOKING_REJECTED', false, __( 'You declined a requested booking: status Rejected.', 'solar-capture' ) ),
			array( 'BOOKING_PAID', false, __( 'Paid event types: status Booked once paid.', 'solar-capture' ) ),
			array( 'BOOKING_NO_SHOW_UPDATED', false, __( 'An attendee was marked as no-show: status No-show.', 'solar-capture' ) ),
			array( 'MEETING_ENDED', false, __( 'The video meeting ended: status Completed.', 'solar-capture' ) ),
		);
		echo '<table class="widefat striped solar-capture-triggers"><thead><tr><th scope="col">' . esc_html__( 'Trigger', 'solar-capture' ) . '</th><th scope="col">' . esc_html__( 'Needed', 'solar-capture' ) . '</th><th scope="col">' . esc_html__( 'What it does to a lead', 'solar-capture' ) . '</th></tr></thead><tbody>';
		foreach ( $triggers as list( $trigger, $required, $effect ) ) {
			echo '<tr><td><code>' . esc_html( $trigger ) . '</code></td><td>' . esc_html( $required ? __( 'Yes', 'solar-capture' ) : __( 'If you use it', 'solar-capture' ) ) . '</td><td>' . esc_html( $effect ) . '</td></tr>';
		}
		echo '</tbody></table>';
		echo '<p class="description">' . esc_html__( 'Every event is also kept on the lead\'s timeline. Other booking triggers (meeting started, location updated, ...) only add to the timeline; the rest (forms, recordings, ...) are logged and change no lead. A late event never overwrites a newer status.', 'solar-capture' ) . '</p>';
	}

	private function render_deliveries(): void {
		echo '<h2>' . esc_html__( 'Deliveries', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody>';

		$last = $this->deliveries->newest();
		if ( null === $last ) {
			$cell = esc_html__( 'Nothing received yet.', 'solar-capture' );
		} else {
			$cell = '<span id="solar-capture-last-delivery">' . esc_html(
				sprintf(
					/* translators: 1: date and time, 2: trigger, 3: result, 4: reason. */
					__( '%1$s: %2$s, %3$s (%4$s)', 'solar-capture' ),
					Delivery_Log::format_received( (string) $last->received_at ),
					'' !== (string) $last->trigger_event ? (string) $last->trigger_event : __( 'no trigger', 'solar-capture' ),
					Delivery_Log::result_label( (string) $last->result ),
					(string) $last->reason_code
				)
			) . '</span> <a href="' . esc_url( Delivery_Log::url() ) . '">' . esc_html__( 'Delivery log', 'solar-capture' ) . '</a>';
		}
		$this->row( __( 'Last delivery received', 'solar-capture' ), $cell );

		$ping = $this->deliveries->latest( Delivery_Store::ACCEPTED, 'PING' );
		$this->row(
			__( 'Last verified ping', 'solar-capture' ),
			null === $ping
				? esc_html__( 'None yet. Press "Ping test" in the webhook form in Cal.com, or "Send test delivery" below.', 'solar-capture' )
				: esc_html(
					sprintf(
						/* translators: %s: date and time of the last ping. */
						__( 'Connection works: the last ping arrived %s and its signature verified.', 'solar-capture' ),
						Delivery_Log::format_received( (string) $ping->received_at )
					)
				)
		);
		echo '</tbody></table>';

		Admin_Screen::open_action_form( self::TEST_ACTION, '', 'id="solar-capture-test-form"' );
		submit_button( __( 'Send test delivery', 'solar-capture' ), 'secondary', 'solar-capture-send-test', false );
		echo ' <span class="description">' . esc_html__( 'Posts a signed PING to the endpoint above, from this server, the way Cal.com does, and shows what came back.', 'solar-capture' ) . '</span>';
		echo '</form>';
	}

	private function render_engine(): void {
		echo '<h2>' . esc_html__( 'Engine', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody>';
		if ( $this->engine->is_native() ) {
			$sha = $this->engine->sha_hardware();
			$this->row(
				__( 'Engine', 'solar-capture' ),
				'<span id="solar-capture-engine">' . esc_html(
					sprintf(
						/* translators: %s: version of the PHP extension. */
						__( 'Native PHP extension solar_capture %s', 'solar-capture' ),
						$this->engine->version()
					)
				) . '</span>'
			);
			$this->row( __( 'SHA-256 in hardware (SHA-NI)', 'solar-capture' ), esc_html( $sha ?? __( 'not reported', 'solar-capture' ) ) );
		} else {
			$this->row(
				__( 'Engine', 'solar-capture' ),
				'<span id="solar-capture-engine">' . esc_html(
					sprintf(
						/* translators: %s: version of the bundled engine. */
						__( 'Pure-PHP engine %s (bundled). Results are identical; the native extension is about five times faster.', 'solar-capture' ),
						$this->engine->version()
					)
				) . '</span>'
			);
			$this->row(
				__( 'Installing the extension', 'solar-capture' ),
				esc_html(
					sprintf(
						/* translators: 1: PHP version, 2: NTS or ZTS, 3: directory of extra .ini files. */
						__( 'Build libsolar_capture.so for PHP %1$s %2$s (cargo build --release in the Solar Capture source), add "extension=/path/to/libsolar_capture.so" to a .ini file of the PHP that runs WordPress (%3$s), restart PHP-FPM or the web server, and check with: php --ri solar_capture. This screen then shows the native engine.', 'solar-capture' ),
						PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION,
						PHP_ZTS ? 'ZTS' : 'NTS',
						'' !== (string) PHP_CONFIG_FILE_SCAN_DIR ? PHP_CONFIG_FILE_SCAN_DIR : __( 'php.ini', 'solar-capture' )
					)
				)
			);
		}
		echo '</tbody></table>';
	}

	private function render_data_tab(): void {
		settings_errors();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( self::GROUP );
		echo '<h2>' . esc_html__( 'Delivery log', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody>';
		$days = $this->retention->sanitize_days( get_option( Delivery_Retention::OPTION, Delivery_Retention::DEFAULT_DAYS ) );
		$help = esc_html__( 'After this many days, refused, duplicate, ignored, unmatched and failed deliveries are deleted, and accepted deliveries lose their stored body (the personal data); the row stays, so a late repeat of the same event is still recognised. Leads and their timelines are not affected.', 'solar-capture' );
		$next = wp_next_scheduled( Delivery_Retention::CRON_HOOK );
		$run  = get_option( Delivery_Retention::LAST_RUN );
		if ( false !== $next ) {
			$help .= '<br>' . esc_html(
				sprintf(
					/* translators: %s: date and time. */
					__( 'Next clean-up (WP-Cron, daily): %s.', 'solar-capture' ),
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $next )
				)
			);
		}
		if ( is_array( $run ) && isset( $run['time'], $run['count'] ) ) {
			$help .= ' ' . esc_html(
				sprintf(
					/* translators: 1: date and time, 2: number of deliveries. */
					__( 'Last clean-up: %1$s, %2$d deliveries deleted or emptied.', 'solar-capture' ),
					wp_date( get_option( 'date_format' ) . ' ' . get_option( 'time_format' ), (int) $run['time'] ),
					(int) $run['count']
				)
			);
		}
		$this->row(
			'<label for="solar-capture-retention">' . esc_html__( 'Keep deliveries for', 'solar-capture' ) . '</label>',
			sprintf(
				'<input type="number" id="solar-capture-retention" name="%1$s" value="%2$d" min="%3$d" max="%4$d" step="1" class="small-text"> %5$s<p class="description">%6$s</p>',
				esc_attr( Delivery_Retention::OPTION ),
				$days,
				Delivery_Retention::MIN_DAYS,
				Delivery_Retention::MAX_DAYS,
				esc_html__( 'days', 'solar-capture' ),
				$help
			),
			false
		);
		echo '</tbody></table>';

		echo '<h2>' . esc_html__( 'Personal data', 'solar-capture' ) . '</h2>';
		echo '<p>' . esc_html__( 'Leads and stored deliveries are included in Tools > Export Personal Data and Tools > Erase Personal Data, found by the person\'s e-mail.', 'solar-capture' ) . '</p>';
		echo '<table class="form-table" role="presentation"><tbody>';
		$this->row(
			__( 'On uninstall', 'solar-capture' ),
			sprintf(
				'<label><input type="checkbox" name="%1$s" value="1"%2$s> %3$s</label><p class="description">%4$s</p>',
				esc_attr( self::DELETE_DATA_OPTION ),
				checked( (bool) get_option( self::DELETE_DATA_OPTION, false ), true, false ),
				esc_html__( 'Delete all leads when the plugin is deleted.', 'solar-capture' ),
				esc_html__( 'The delivery log, the timelines, the settings and the scheduled clean-up are always removed when the plugin is deleted; leads stay unless this is ticked.', 'solar-capture' )
			)
		);
		echo '</tbody></table>';
		submit_button();
		echo '</form>';
	}

	private function render_test_result(): void {
		$key    = self::TEST_RESULT_TRANSIENT . get_current_user_id();
		$result = get_transient( $key );
		if ( ! is_array( $result ) || ! isset( $result['ok'], $result['message'] ) ) {
			return;
		}
		delete_transient( $key );
		printf(
			'<div class="notice notice-%1$s" id="solar-capture-test-result" data-ok="%2$s"><p>%3$s</p></div>',
			$result['ok'] ? 'success' : 'error',
			$result['ok'] ? '1' : '0',
			esc_html( (string) $result['message'] )
		);
	}

	private function render_notice(): void {
		$messages = array(
			'secret_saved'       => array( 'success', __( 'Secret saved. It is not shown again: make sure the Secret field of the webhook in Cal.com holds the same value, then send a test delivery.', 'solar-capture' ) ),
			'secret_rotated'     => array( 'success', __( 'New secret saved; the one it replaced is still accepted as the previous secret. Enter the new secret in Cal.com, then remove the previous one here once it stops matching.', 'solar-capture' ) ),
			/* translators: %d: minimum length. */
			'secret_saved_short' => array( 'warning', sprintf( __( 'Secret saved, but it is shorter than %d characters. Generate a longer one.', 'solar-capture' ), Secrets::MIN_LENGTH ) ),
			'secret_empty'       => array( 'error', __( 'Nothing was saved: enter or generate a secret first.', 'solar-capture' ) ),
			'secret_constant'    => array( 'error', __( 'The secret is set by SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php; change it there.', 'solar-capture' ) ),
			'previous_removed'   => array( 'success', __( 'The previous secret was removed: only the current secret is accepted now.', 'solar-capture' ) ),
			'previous_constant'  => array( 'error', __( 'The previous secret is set by SOLAR_CAPTURE_CALCOM_PREVIOUS_SECRET in wp-config.php; remove it there.', 'solar-capture' ) ),
		);
		Admin_Screen::render_query_notice( $messages, 'solar-capture-notice' );
	}

	/**
	 * One row of a form table.
	 *
	 * @param string $label        Label (escaped by this method unless $escape_label is false).
	 * @param string $html         Cell content, already escaped.
	 * @param bool   $escape_label Whether to escape the label.
	 */
	private function row( string $label, string $html, bool $escape_label = true ): void {
		echo '<tr><th scope="row">' . ( $escape_label ? esc_html( $label ) : $label ) . '</th><td>' . $html . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- callers pass escaped HTML.
	}
}
