<?php
/**
 * Solar leads > Settings > Data: how long deliveries are kept, and what uninstalling deletes.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin\Settings;

use SolarCapture\Plugin\Admin\Admin_Screen;
use SolarCapture\Plugin\Admin\Settings_Page;
use SolarCapture\Plugin\Jobs\Delivery_Retention;

defined( 'ABSPATH' ) || exit;

/**
 * The options.php form of the Data tab; Settings_Page registers its options.
 */
final class Data_Tab {

	public function __construct( private Delivery_Retention $retention ) {
	}

	/**
	 * Everything the tab shows.
	 *
	 * @return array{days: int, next_run: int|false, last_run: mixed, time_format: string, delete_data: bool}
	 */
	public function view(): array {
		return array(
			'days'        => $this->retention->sanitize_days( get_option( Delivery_Retention::OPTION, Delivery_Retention::DEFAULT_DAYS ) ),
			'next_run'    => wp_next_scheduled( Delivery_Retention::CRON_HOOK ),
			'last_run'    => get_option( Delivery_Retention::LAST_RUN ),
			'time_format' => get_option( 'date_format' ) . ' ' . get_option( 'time_format' ),
			'delete_data' => (bool) get_option( Settings_Page::DELETE_DATA_OPTION, false ),
		);
	}

	/**
	 * Prints the tab (an options.php form).
	 */
	public function render(): void {
		$view = $this->view();
		settings_errors();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( Settings_Page::GROUP );
		echo '<h2>' . esc_html__( 'Delivery log', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody>';
		$days = $view['days'];
		$help = esc_html__( 'After this many days, refused, duplicate, ignored, unmatched and failed deliveries are deleted, and accepted deliveries lose their stored body (the personal data); the row stays, so a late repeat of the same event is still recognised. Leads and their timelines are not affected.', 'solar-capture' );
		$next = $view['next_run'];
		$run  = $view['last_run'];
		if ( false !== $next ) {
			$help .= '<br>' . esc_html(
				sprintf(
					/* translators: %s: date and time. */
					__( 'Next clean-up (WP-Cron, daily): %s.', 'solar-capture' ),
					wp_date( $view['time_format'], (int) $next )
				)
			);
		}
		if ( is_array( $run ) && isset( $run['time'], $run['count'] ) ) {
			$help .= ' ' . esc_html(
				sprintf(
					/* translators: 1: date and time, 2: number of deliveries. */
					__( 'Last clean-up: %1$s, %2$d deliveries deleted or emptied.', 'solar-capture' ),
					wp_date( $view['time_format'], (int) $run['time'] ),
					(int) $run['count']
				)
			);
		}
		Admin_Screen::form_row(
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
		Admin_Screen::form_row(
			__( 'On uninstall', 'solar-capture' ),
			sprintf(
				'<label><input type="checkbox" name="%1$s" value="1"%2$s> %3$s</label><p class="description">%4$s</p>',
				esc_attr( Settings_Page::DELETE_DATA_OPTION ),
				checked( $view['delete_data'], true, false ),
				esc_html__( 'Delete all leads when the plugin is deleted.', 'solar-capture' ),
				esc_html__( 'The delivery log, the timelines, the settings and the scheduled clean-up are always removed when the plugin is deleted; leads stay unless this is ticked.', 'solar-capture' )
			)
		);
		echo '</tbody></table>';
		submit_button();
		echo '</form>';
	}
}
