<?php
/**
 * Solar leads > Settings: the menu entry, the tabs, and the actions of the Integrations tab.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Admin\Settings\Data_Tab;
use SolarCapture\Plugin\Admin\Settings\Form_Tab;
use SolarCapture\Plugin\Admin\Settings\Integrations_Tab;
use SolarCapture\Plugin\Admin\Settings\Team_Tab;
use SolarCapture\Plugin\Leads\Lead_Notifier;
use SolarCapture\Plugin\Leads\Sales_Team;
use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Connection;
use SolarCapture\Plugin\Calcom\Reconciler;
use SolarCapture\Plugin\Capture\Booking_Link;
use SolarCapture\Plugin\Capture\Form_Settings;
use SolarCapture\Plugin\Jobs\Delivery_Retention;
use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Webhook\Secrets;

defined( 'ABSPATH' ) || exit;

/**
 * The settings screen and its actions: connect or disconnect Cal.com, reconcile now, save or rotate the
 * secret, remove the previous one, check the endpoint again, send a test delivery. Every action checks
 * manage_options and a nonce.
 */
final class Settings_Page {

	/** options.php group of the Data tab. */
	public const GROUP = 'solar_capture';
	/** Group of the secrets, which only save_secret() writes (see Secrets::register_settings()). */
	public const SECRETS_GROUP      = Secrets::SETTINGS_GROUP;
	public const PAGE               = 'solar-capture';
	public const CAPABILITY         = 'manage_options';
	public const DELETE_DATA_OPTION = 'solar_capture_delete_data_on_uninstall';

	public const TAB_INTEGRATIONS = 'integrations';
	public const TAB_DATA         = 'data';
	public const TAB_FORM         = 'form';
	public const TAB_TEAM         = 'team';
	/** options.php group of the Sales team tab. */
	public const TEAM_GROUP = 'solar_capture_team';
	/** options.php group of the Lead form tab. */
	public const FORM_GROUP = 'solar_capture_form';

	public const SAVE_SECRET_ACTION     = 'solar_capture_save_secret';
	public const REMOVE_PREVIOUS_ACTION = 'solar_capture_remove_previous';
	public const TEST_ACTION            = 'solar_capture_test_delivery';
	public const CHECK_ACTION           = 'solar_capture_check_endpoint';
	public const CONNECT_ACTION         = 'solar_capture_connect_calcom';
	public const DISCONNECT_ACTION      = 'solar_capture_disconnect_calcom';
	public const RECONCILE_ACTION       = 'solar_capture_reconcile_now';
	/** Prefix of the per-user transient holding the outcome of Connect, Disconnect or Reconcile now. */
	public const CALCOM_RESULT_TRANSIENT = 'solar_capture_calcom_result_';

	/** Per-user transient holding the outcome of "Send test delivery" until the page shows it. */
	public const TEST_RESULT_TRANSIENT = 'solar_capture_test_result_';

	private string $hook_suffix = '';

	public function __construct(
		private Secrets $secrets,
		private Endpoint_Check $endpoint_check,
		private Delivery_Retention $retention,
		private Api_Settings $api_settings,
		private Connection $connection,
		private Reconciler $reconciler,
		private Integrations_Tab $integrations_tab,
		private Data_Tab $data_tab,
		private Form_Tab $form_tab,
		private Team_Tab $team_tab
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
		add_action( 'admin_post_' . self::CONNECT_ACTION, array( $this, 'handle_connect' ) );
		add_action( 'admin_post_' . self::DISCONNECT_ACTION, array( $this, 'handle_disconnect' ) );
		add_action( 'admin_post_' . self::RECONCILE_ACTION, array( $this, 'handle_reconcile' ) );
		add_filter( 'plugin_action_links_' . plugin_basename( SOLAR_CAPTURE_FILE ), array( $this, 'add_action_link' ) );
	}

	/**
	 * The options of the Data tab's options.php form, each sanitised by the class that owns it.
	 */
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
		foreach ( array( Booking_Link::OPTION => 'sanitize_text_field', Booking_Link::ORIGIN_OPTION => 'esc_url_raw', Form_Settings::CONSENT_OPTION => 'sanitize_textarea_field', Booking_Link::MODE_OPTION => array( self::class, 'sanitize_booking_mode' ) ) as $option => $sanitize ) {
			register_setting(
				self::FORM_GROUP,
				$option,
				array(
					'type'              => 'string',
					'show_in_rest'      => false,
					'sanitize_callback' => $sanitize,
				)
			);
		}
		register_setting(
			self::FORM_GROUP,
			Form_Settings::UNBOOKED_HOURS_OPTION,
			array(
				'type'              => 'integer',
				'default'           => Form_Settings::DEFAULT_UNBOOKED_HOURS,
				'show_in_rest'      => false,
				'sanitize_callback' => array( Form_Settings::class, 'sanitize_hours' ),
			)
		);
		register_setting(
			self::FORM_GROUP,
			Form_Settings::QUESTIONS_OPTION,
			array(
				'type'              => 'array',
				'show_in_rest'      => false,
				'sanitize_callback' => array( Form_Settings::class, 'sanitize_questions' ),
			)
		);
		foreach ( array(
			Sales_Team::DEFAULT_OWNER_OPTION => array( 'integer', 'absint' ),
			Sales_Team::HOST_MAP_OPTION      => array( 'string', array( Sales_Team::class, 'sanitize_host_map' ) ),
			Sales_Team::STAGES_OPTION        => array( 'array', array( Sales_Team::class, 'sanitize_stages' ) ),
			Lead_Notifier::ADDRESSES_OPTION  => array( 'string', array( Team_Tab::class, 'sanitize_addresses' ) ),
		) as $option => list( $type, $sanitize ) ) {
			register_setting(
				self::TEAM_GROUP,
				$option,
				array(
					'type'              => $type,
					'show_in_rest'      => false,
					'sanitize_callback' => $sanitize,
				)
			);
		}
		register_setting(
			self::GROUP,
			Delivery_Retention::OPTION,
			array(
				'type'              => 'integer',
				'default'           => Delivery_Retention::DEFAULT_DAYS,
				'show_in_rest'      => false,
				'sanitize_callback' => array( $this->retention, 'sanitize_days' ),
			)
		);
	}

	/**
	 * "embed" (Cal.com's booking page in the site) or "link".
	 *
	 * @param mixed $value Submitted value.
	 */
	public static function sanitize_booking_mode( $value ): string {
		return 'link' === $value ? 'link' : 'embed';
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

	/**
	 * Saves the secret typed or generated on the Integrations tab.
	 */
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
	 * Connect Cal.com: the pasted key (if any) and the API base of a self-hosted Cal.com.
	 */
	public function handle_connect(): void {
		$this->check_request( self::CONNECT_ACTION );
		$key  = isset( $_POST['solar_capture_api_key'] ) && is_string( $_POST['solar_capture_api_key'] ) ? trim( wp_unslash( $_POST['solar_capture_api_key'] ) ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- a key is an opaque token; Api_Settings::clean_key() checks it.
		$base = isset( $_POST['solar_capture_api_base'] ) && is_string( $_POST['solar_capture_api_base'] ) ? esc_url_raw( trim( wp_unslash( $_POST['solar_capture_api_base'] ) ) ) : null;
		$this->remember_result( $this->connect( '' === $key ? null : $key, $base ) );
		$this->redirect( array( 'solar_capture_calcom' => 1 ) );
	}

	/**
	 * What Connect does with the submitted fields.
	 *
	 * @param string|null $key  Pasted key, or null to use the saved one.
	 * @param string|null $base API base as typed (null: not on the form; '': hosted Cal.com).
	 * @return array{ok: bool, message: string, steps?: string[]}
	 */
	public function connect( ?string $key, ?string $base ): array {
		$settings = $this->api_settings;
		if ( null !== $base && ! $settings->base_is_constant() && ! $settings->set_base( $base ) ) {
			return array(
				'ok'      => false,
				'message' => __( 'The API base URL must be an http:// or https:// address, e.g. https://cal.example.com/api for a self-hosted Cal.com. Leave it empty for cal.com.', 'solar-capture' ),
			);
		}
		if ( null === $key && '' === $settings->key() ) {
			return array(
				'ok'      => false,
				'message' => __( 'Paste a Cal.com API key first: in Cal.com, open Settings > Developer > API keys, create a key without expiry, and copy it here.', 'solar-capture' ),
			);
		}
		return $this->connection->connect( $key );
	}

	public function handle_disconnect(): void {
		$this->check_request( self::DISCONNECT_ACTION );
		$this->remember_result( $this->connection->disconnect() );
		$this->redirect( array( 'solar_capture_calcom' => 1 ) );
	}

	public function handle_reconcile(): void {
		$this->check_request( self::RECONCILE_ACTION );
		$run = $this->reconciler->run();
		$this->remember_result(
			array(
				'ok'      => in_array( $run['status'], array( Reconciler::COMPLETE ), true ) && 0 === (int) ( $run['errors'] ?? 0 ),
				'message' => (string) $run['message'],
			)
		);
		$this->redirect( array( 'solar_capture_calcom' => 1 ) );
	}

	/**
	 * Keeps an action's outcome for the screen after the redirect (shown once, to this user).
	 *
	 * @param array<string, mixed> $result ok, message, steps.
	 */
	private function remember_result( array $result ): void {
		set_transient( self::CALCOM_RESULT_TRANSIENT . get_current_user_id(), $result, 5 * MINUTE_IN_SECONDS );
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

	/**
	 * Prints the screen: the tabs, then the chosen tab.
	 */
	public function render(): void {
		if ( ! current_user_can( self::CAPABILITY ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage Solar Capture.', 'solar-capture' ), '', array( 'response' => 403 ) );
		}
		$tab = isset( $_GET['tab'] ) && in_array( $_GET['tab'], array( self::TAB_DATA, self::TAB_FORM, self::TAB_TEAM ), true ) ? (string) $_GET['tab'] : self::TAB_INTEGRATIONS; // phpcs:ignore WordPress.Security.NonceVerification.Recommended, WordPress.Security.ValidatedSanitizedInput -- only picks one of three tabs.

		echo '<div class="wrap solar-capture-settings">';
		echo '<h1>' . esc_html__( 'Solar Capture settings', 'solar-capture' ) . '</h1>';
		echo '<nav class="nav-tab-wrapper" aria-label="' . esc_attr__( 'Settings sections', 'solar-capture' ) . '">';
		foreach ( array(
			self::TAB_INTEGRATIONS => __( 'Integrations', 'solar-capture' ),
			self::TAB_FORM         => __( 'Lead form', 'solar-capture' ),
			self::TAB_TEAM         => __( 'Sales team', 'solar-capture' ),
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
			$this->data_tab->render();
		} elseif ( self::TAB_FORM === $tab ) {
			$this->form_tab->render();
		} elseif ( self::TAB_TEAM === $tab ) {
			$this->team_tab->render();
		} else {
			$this->integrations_tab->render();
		}
		echo '</div>';
	}
}
