<?php
/**
 * Wires the plugin's parts together.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

use SolarCapture\Plugin\Admin\Admin_Assets;
use SolarCapture\Plugin\Admin\Admin_Notices;
use SolarCapture\Plugin\Admin\Delivery_Log;
use SolarCapture\Plugin\Admin\Lead_Admin;
use SolarCapture\Plugin\Admin\Lead_Export;
use SolarCapture\Plugin\Admin\Lead_Sales_Box;
use SolarCapture\Plugin\Admin\Dashboard_Widget;
use SolarCapture\Plugin\Admin\Settings\Team_Tab;
use SolarCapture\Plugin\Leads\Lead_Notifier;
use SolarCapture\Plugin\Leads\Sales_Team;
use SolarCapture\Plugin\Admin\Settings\Data_Tab;
use SolarCapture\Plugin\Admin\Settings\Form_Tab;
use SolarCapture\Plugin\Admin\Settings\Integrations_Tab;
use SolarCapture\Plugin\Admin\Settings_Page;
use SolarCapture\Plugin\Calcom\Api_Client;
use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Connection;
use SolarCapture\Plugin\Calcom\Reconciler;
use SolarCapture\Plugin\Capture\Lead_Capture;
use SolarCapture\Plugin\Capture\Lead_Form;
use SolarCapture\Plugin\Capture\Leads_Controller;
use SolarCapture\Plugin\Cli\Command;
use SolarCapture\Plugin\Database\Schema;
use SolarCapture\Plugin\Jobs\Delivery_Retention;
use SolarCapture\Plugin\Jobs\Lead_Reindex;
use SolarCapture\Plugin\Leads\Lead_Index;
use SolarCapture\Plugin\Leads\Lead_Post_Type;
use SolarCapture\Plugin\Leads\Lead_Reference;
use SolarCapture\Plugin\Leads\Lead_Roles;
use SolarCapture\Plugin\Leads\Lead_Store;
use SolarCapture\Plugin\Leads\Lead_Updater;
use SolarCapture\Plugin\Leads\Timeline;
use SolarCapture\Plugin\Pipeline\Delivery_Pipeline;
use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Refusal_Counter;
use SolarCapture\Plugin\Privacy\Privacy;
use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Webhook\Webhook_Controller;

defined( 'ABSPATH' ) || exit;

/**
 * The one object that owns every part; each part registers its own hooks.
 */
final class Plugin {

	private static ?Plugin $instance = null;

	public readonly Engine $engine;
	public readonly Schema $schema;
	public readonly Secrets $secrets;
	public readonly Delivery_Store $deliveries;
	public readonly Timeline $timeline;
	public readonly Lead_Index $lead_index;
	public readonly Lead_Store $leads;
	public readonly Lead_Reindex $reindex;
	public readonly Lead_Post_Type $post_type;
	public readonly Lead_Updater $lead_updater;
	public readonly Refusal_Counter $refusals;
	public readonly Delivery_Pipeline $pipeline;
	public readonly Webhook_Controller $controller;
	public readonly Settings_Page $settings_page;
	public readonly Lead_Admin $lead_admin;
	public readonly Lead_Export $lead_export;
	public readonly Sales_Team $sales_team;
	public readonly Lead_Sales_Box $sales_box;
	public readonly Lead_Notifier $notifier;
	public readonly Dashboard_Widget $dashboard;
	public readonly Delivery_Retention $retention;
	public readonly Endpoint_Check $endpoint_check;
	public readonly Delivery_Log $delivery_log;
	public readonly Admin_Notices $notices;
	public readonly Admin_Assets $assets;
	public readonly Privacy $privacy;
	public readonly Lead_Capture $capture;
	public readonly Leads_Controller $leads_controller;
	public readonly Lead_Form $lead_form;
	public readonly Api_Settings $api_settings;
	public readonly Api_Client $api;
	public readonly Connection $connection;
	public readonly Reconciler $reconciler;
	public readonly Command $cli;

	/**
	 * Loads the engine and registers every hook (classes load on first use). Safe to call twice.
	 *
	 * @param string $plugin_file Path of solar-capture.php.
	 */
	public static function bootstrap( string $plugin_file ): void {
		if ( null !== self::$instance ) {
			return;
		}
		Engine::load();

		self::$instance = new self();
		self::$instance->add_hooks( $plugin_file );
	}

	/**
	 * The running plugin, or null before bootstrap (or when the requirements guard stopped it).
	 */
	public static function instance(): ?Plugin {
		return self::$instance;
	}

	private function __construct() {
		$this->engine           = new Engine();
		$this->schema           = new Schema();
		$this->secrets          = new Secrets();
		$this->deliveries       = new Delivery_Store( $this->schema, $this->engine );
		$this->timeline         = new Timeline( $this->schema );
		$this->lead_index       = new Lead_Index( $this->schema );
		$this->leads            = new Lead_Store( $this->lead_index );
		$this->reindex          = new Lead_Reindex( $this->lead_index );
		$this->post_type        = new Lead_Post_Type();
		$this->lead_updater     = new Lead_Updater( $this->leads, $this->lead_index, $this->timeline );
		$this->refusals         = new Refusal_Counter( $this->schema );
		$this->pipeline         = new Delivery_Pipeline( $this->deliveries, $this->lead_updater, $this->leads, $this->refusals );
		$this->controller       = new Webhook_Controller( $this->secrets, $this->pipeline );
		$this->retention        = new Delivery_Retention( $this->deliveries, $this->refusals );
		$this->endpoint_check   = new Endpoint_Check( $this->controller, $this->secrets );
		$this->api_settings     = new Api_Settings();
		$this->api              = new Api_Client( $this->api_settings );
		$this->connection       = new Connection( $this->api_settings, $this->api, $this->secrets, $this->controller, $this->endpoint_check );
		$this->reconciler       = new Reconciler( $this->api_settings, $this->api, $this->pipeline, $this->timeline );
		$this->settings_page    = new Settings_Page(
			$this->secrets,
			$this->endpoint_check,
			$this->retention,
			$this->api_settings,
			$this->connection,
			$this->reconciler,
			new Integrations_Tab( $this->engine, $this->secrets, $this->deliveries, $this->controller, $this->endpoint_check, $this->api_settings, $this->reconciler ),
			new Data_Tab( $this->retention ),
			new Form_Tab( $this->api_settings ),
			new Team_Tab()
		);
		$this->delivery_log     = new Delivery_Log( $this->deliveries, $this->pipeline, $this->refusals );
		$this->lead_admin       = new Lead_Admin( $this->leads, $this->lead_index, $this->timeline );
		$this->lead_export      = new Lead_Export( $this->lead_index, $this->timeline );
		$this->sales_team       = new Sales_Team( $this->lead_index, $this->timeline );
		$this->sales_box        = new Lead_Sales_Box( $this->sales_team );
		$this->notifier         = new Lead_Notifier();
		$this->dashboard        = new Dashboard_Widget( $this->lead_index, $this->timeline );
		$this->notices          = new Admin_Notices( $this->secrets, $this->deliveries, $this->refusals, $this->settings_page, $this->delivery_log );
		$this->assets           = new Admin_Assets();
		$this->privacy          = new Privacy( $this->lead_index, $this->timeline, $this->deliveries );
		$this->capture          = new Lead_Capture( $this->leads, $this->lead_index, $this->timeline );
		$this->leads_controller = new Leads_Controller( $this->capture );
		$this->lead_form        = new Lead_Form( $this->capture );
		$this->cli              = new Command( $this->engine, $this->secrets, $this->api_settings, $this->connection, $this->reconciler, $this->reindex );
	}

	/**
	 * Registers the hooks of every part, plus activation and deactivation.
	 *
	 * @param string $plugin_file Path of solar-capture.php.
	 */
	private function add_hooks( string $plugin_file ): void {
		$parts = array( $this->schema, $this->secrets, $this->timeline, $this->post_type, $this->controller, $this->settings_page,
			$this->delivery_log, $this->lead_admin, $this->lead_export, $this->sales_team, $this->sales_box, $this->notifier, $this->dashboard, $this->retention, $this->notices, $this->assets, $this->privacy, $this->engine,
			$this->lead_index, $this->reindex, $this->leads_controller, $this->lead_form, $this->reconciler );
		foreach ( $parts as $part ) {
			$part->add_hooks();
		}

		add_action(
			'init',
			static function () use ( $plugin_file ): void {
				load_plugin_textdomain( 'solar-capture', false, dirname( plugin_basename( $plugin_file ) ) . '/languages' );
			}
		);
		// Sites upgraded from before lead references get their key with the upgrade, not on the first booking.
		add_action( 'solar_capture_schema_upgraded', array( Lead_Reference::class, 'key' ), 10, 0 );
		add_action( 'solar_capture_schema_upgraded', array( Lead_Roles::class, 'install' ), 10, 0 );
		add_action( 'solar_capture_schema_upgraded', array( Secrets::class, 'stop_autoloading' ), 10, 0 );
		// Schema 5 finds a person's deliveries by exact e-mail: link those stored before.
		add_action(
			'solar_capture_schema_upgraded',
			function ( $previous ): void {
				if ( is_string( $previous ) && (int) $previous < 5 ) {
					$this->deliveries->link_stored_emails();
				}
			}
		);
		if ( defined( 'WP_CLI' ) && WP_CLI && class_exists( 'WP_CLI' ) ) {
			$this->cli->register();
		}
		register_activation_hook( $plugin_file, array( $this, 'activate' ) );
		register_deactivation_hook( $plugin_file, array( $this, 'deactivate' ) );
	}

	/**
	 * Creates the tables and schedules the clean-up.
	 */
	public function activate(): void {
		$this->schema->install();
		Lead_Reference::key();
		Lead_Roles::install();
		$this->reindex->start();
		$this->post_type->register();
		$this->retention->schedule();
		$this->reconciler->schedule();
	}

	/**
	 * Stops the scheduled clean-up and reconciliation; data stays until the plugin is deleted (uninstall.php).
	 */
	public function deactivate(): void {
		$this->retention->unschedule();
		$this->reconciler->unschedule();
	}
}
