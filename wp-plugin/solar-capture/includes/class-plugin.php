<?php
/**
 * Wires the plugin's parts together.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

/**
 * The one object that owns every part; each part registers its own hooks.
 */
final class Plugin {

	private static ?Plugin $instance = null;

	public readonly Engine $engine;
	public readonly Schema $schema;
	public readonly Secrets $secrets;
	public readonly Deliveries $deliveries;
	public readonly Timeline $timeline;
	public readonly Leads $leads;
	public readonly Lead_Post_Type $post_type;
	public readonly Lead_Events $lead_events;
	public readonly Delivery_Processor $processor;
	public readonly Webhook_Controller $controller;
	public readonly Settings_Page $settings_page;
	public readonly Lead_Admin $lead_admin;
	public readonly Delivery_Retention $retention;
	public readonly Endpoint_Check $endpoint_check;
	public readonly Delivery_Log $delivery_log;
	public readonly Admin_Notices $notices;
	public readonly Admin_Assets $assets;
	public readonly Privacy $privacy;

	/**
	 * Loads the classes and the engine and registers every hook. Safe to call twice.
	 *
	 * @param string $plugin_file Path of solar-capture.php.
	 */
	public static function bootstrap( string $plugin_file ): void {
		if ( null !== self::$instance ) {
			return;
		}
		foreach ( array(
			'class-engine.php',
			'class-schema.php',
			'class-transaction.php',
			'class-storage-exception.php',
			'class-secrets.php',
			'class-deliveries.php',
			'class-timeline.php',
			'class-lead-post-type.php',
			'class-leads.php',
			'class-lead-events.php',
			'class-delivery-processor.php',
			'class-webhook-controller.php',
			'class-endpoint-check.php',
			'class-delivery-retention.php',
			'class-admin-screen.php',
			'class-settings-page.php',
			'class-delivery-log.php',
			'class-lead-admin.php',
			'class-admin-notices.php',
			'class-admin-assets.php',
			'class-privacy.php',
		) as $file ) {
			require_once __DIR__ . '/' . $file;
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
		$this->engine        = new Engine();
		$this->schema        = new Schema();
		$this->secrets       = new Secrets();
		$this->deliveries    = new Deliveries( $this->schema, $this->engine );
		$this->timeline      = new Timeline( $this->schema );
		$this->leads         = new Leads();
		$this->post_type     = new Lead_Post_Type();
		$this->lead_events   = new Lead_Events( $this->leads, $this->timeline );
		$this->processor     = new Delivery_Processor( $this->deliveries, $this->lead_events, $this->leads );
		$this->controller    = new Webhook_Controller( $this->secrets, $this->deliveries, $this->processor );
		$this->retention      = new Delivery_Retention( $this->deliveries );
		$this->endpoint_check = new Endpoint_Check( $this->controller, $this->secrets );
		$this->settings_page  = new Settings_Page( $this->engine, $this->secrets, $this->deliveries, $this->controller, $this->endpoint_check, $this->retention );
		$this->delivery_log   = new Delivery_Log( $this->deliveries, $this->processor );
		$this->lead_admin     = new Lead_Admin( $this->leads, $this->timeline );
		$this->notices        = new Admin_Notices( $this->secrets, $this->deliveries, $this->settings_page, $this->delivery_log );
		$this->assets         = new Admin_Assets();
		$this->privacy        = new Privacy( $this->timeline, $this->deliveries );
	}

	/**
	 * Registers the hooks of every part, plus activation and deactivation.
	 *
	 * @param string $plugin_file Path of solar-capture.php.
	 */
	private function add_hooks( string $plugin_file ): void {
		$parts = array( $this->schema, $this->secrets, $this->timeline, $this->post_type, $this->controller, $this->settings_page,
			$this->delivery_log, $this->lead_admin, $this->retention, $this->notices, $this->assets, $this->privacy, $this->engine );
		foreach ( $parts as $part ) {
			$part->add_hooks();
		}

		add_action(
			'init',
			static function () use ( $plugin_file ): void {
				load_plugin_textdomain( 'solar-capture', false, dirname( plugin_basename( $plugin_file ) ) . '/languages' );
			}
		);
		register_activation_hook( $plugin_file, array( $this, 'activate' ) );
		register_deactivation_hook( $plugin_file, array( $this, 'deactivate' ) );
	}

	/**
	 * Creates the tables and schedules the clean-up.
	 */
	public function activate(): void {
		$this->schema->install();
		$this->post_type->register();
		$this->retention->schedule();
	}

	/**
	 * Stops the scheduled clean-up; data stays until the plugin is deleted (uninstall.php).
	 */
	public function deactivate(): void {
		$this->retention->unschedule();
	}
}
