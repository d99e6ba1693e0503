<?php
/**
 * Solar leads > Settings > Sales team: owners, stages and lead e-mails.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin\Settings;

use SolarCapture\Plugin\Admin\Admin_Screen;
use SolarCapture\Plugin\Admin\Settings_Page;
use SolarCapture\Plugin\Leads\Lead_Notifier;
use SolarCapture\Plugin\Leads\Lead_Roles;
use SolarCapture\Plugin\Leads\Sales_Team;

defined( 'ABSPATH' ) || exit;

/**
 * The options.php form of the Sales team tab; Settings_Page registers its options.
 */
final class Team_Tab {

	public function render(): void {
		settings_errors();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( Settings_Page::TEAM_GROUP );
		echo '<h2>' . esc_html__( 'Owners', 'solar-capture' ) . '</h2><p>' . esc_html__( 'A booking\'s lead belongs to the WordPress user whose e-mail is the Cal.com host\'s (the assigned host of a round-robin event too). An owner chosen by hand on the lead stays.', 'solar-capture' ) . '</p><table class="form-table" role="presentation"><tbody>';
		$users = wp_dropdown_users(
			array(
				'name'              => Sales_Team::DEFAULT_OWNER_OPTION,
				'id'                => 'solar-capture-default-owner',
				'selected'          => (int) get_option( Sales_Team::DEFAULT_OWNER_OPTION, 0 ),
				'show_option_none'  => __( 'Nobody', 'solar-capture' ),
				'option_none_value' => '0',
				'capability'        => array( Lead_Roles::EDIT_CAP ),
				'echo'              => false,
			)
		);
		Admin_Screen::form_row(
			'<label for="solar-capture-default-owner">' . esc_html__( 'Enquiries not booked yet go to', 'solar-capture' ) . '</label>',
			$users, // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- wp_dropdown_users() escapes.
			false
		);
		Admin_Screen::form_row(
			'<label for="solar-capture-host-map">' . esc_html__( 'Hosts whose e-mails differ', 'solar-capture' ) . '</label>',
			sprintf(
				'<textarea id="solar-capture-host-map" name="%1$s" rows="4" class="large-text code" placeholder="anna@calendar.example = anna@installer.example">%2$s</textarea><p class="description">%3$s</p>',
				esc_attr( Sales_Team::HOST_MAP_OPTION ),
				esc_textarea( (string) get_option( Sales_Team::HOST_MAP_OPTION, '' ) ),
				esc_html__( 'One per line: the host\'s Cal.com e-mail = the WordPress user\'s e-mail or login.', 'solar-capture' )
			),
			false
		);
		echo '</tbody></table><h2>' . esc_html__( 'Stages', 'solar-capture' ) . '</h2><table class="form-table" role="presentation"><tbody>';
		Admin_Screen::form_row(
			'<label for="solar-capture-stages">' . esc_html__( 'Sales stages', 'solar-capture' ) . '</label>',
			sprintf(
				'<textarea id="solar-capture-stages" name="%1$s" rows="7" class="regular-text">%2$s</textarea><p class="description">%3$s</p>',
				esc_attr( Sales_Team::STAGES_OPTION ),
				esc_textarea( implode( "\n", Sales_Team::stages() ) ),
				esc_html__( 'One per line, in order. Apart from the booking status: where the sale stands.', 'solar-capture' )
			),
			false
		);
		echo '</tbody></table><h2>' . esc_html__( 'Lead e-mails', 'solar-capture' ) . '</h2><p>' . esc_html__( 'Each enquiry, booking, reschedule, cancellation and no-show is e-mailed to the lead\'s owner and to these addresses. Users can turn them off on their profile.', 'solar-capture' ) . '</p><table class="form-table" role="presentation"><tbody>';
		Admin_Screen::form_row(
			'<label for="solar-capture-notify">' . esc_html__( 'Also send to', 'solar-capture' ) . '</label>',
			sprintf(
				'<input type="text" id="solar-capture-notify" name="%1$s" value="%2$s" class="regular-text" placeholder="office@installer.example">',
				esc_attr( Lead_Notifier::ADDRESSES_OPTION ),
				esc_attr( (string) get_option( Lead_Notifier::ADDRESSES_OPTION, '' ) )
			),
			false
		);
		echo '</tbody></table>';
		submit_button();
		echo '</form>';
	}

	/**
	 * Settings: e-mail addresses separated by commas or spaces; anything else is dropped.
	 *
	 * @param mixed $value Submitted text.
	 */
	public static function sanitize_addresses( $value ): string {
		$addresses = array_filter( preg_split( '/[\s,;]+/', is_string( $value ) ? $value : '' ) ?: array(), 'is_email' );
		return implode( ', ', array_map( 'sanitize_email', $addresses ) );
	}
}
