<?php
/**
 * Solar leads > Settings > Lead form: the booking step's Cal.com event type, the questions, the consent.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin\Settings;

use SolarCapture\Plugin\Admin\Admin_Screen;
use SolarCapture\Plugin\Admin\Settings_Page;
use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Capture\Booking_Link;
use SolarCapture\Plugin\Capture\Form_Settings;

defined( 'ABSPATH' ) || exit;

/**
 * The options.php form of the Lead form tab; Settings_Page registers its options.
 */
final class Form_Tab {

	public function __construct( private Api_Settings $api_settings ) {
	}

	/**
	 * Everything the tab shows.
	 *
	 * @return array{link: string, origin: string, questions: string, consent: string, example: string, unbooked_hours: int, embeds: bool}
	 */
	public function view(): array {
		return array(
			'link'      => (string) get_option( Booking_Link::OPTION, '' ),
			'origin'    => (string) get_option( Booking_Link::ORIGIN_OPTION, Booking_Link::DEFAULT_ORIGIN ),
			'questions' => Form_Settings::questions_as_text(),
			'consent'   => Form_Settings::consent_text(),
			'example'        => Booking_Link::base(),
			'unbooked_hours' => Form_Settings::unbooked_hours(),
			'embeds'         => Booking_Link::embeds(),
			// Read from Cal.com when it was connected (Integrations): offered as choices.
			'event_types'    => (array) ( $this->api_settings->connection()['event_types'] ?? array() ),
		);
	}

	/**
	 * Prints the tab.
	 */
	public function render(): void {
		$view = $this->view();
		settings_errors();
		echo '<form method="post" action="' . esc_url( admin_url( 'options.php' ) ) . '">';
		settings_fields( Settings_Page::FORM_GROUP );
		echo '<p>' . esc_html__( 'Add the form to a page with the "Solar enquiry form" block or the shortcode [solar_capture_form]. After a visitor sends it, the page offers the survey booking on Cal.com, and the booking lands on their lead.', 'solar-capture' ) . '</p>';
		echo '<h2>' . esc_html__( 'Booking step', 'solar-capture' ) . '</h2><table class="form-table" role="presentation"><tbody>';
		self::row(
			'solar-capture-booking-link',
			__( 'Cal.com event type', 'solar-capture' ),
			sprintf( '<input type="text" id="solar-capture-booking-link" name="%1$s" value="%2$s" class="regular-text code" placeholder="your-name/solar-survey" list="solar-capture-event-types">', esc_attr( Booking_Link::OPTION ), esc_attr( $view['link'] ) ) . self::event_type_choices( $view['event_types'] ),
			__( 'The user (or team) and event slug of the survey call, as in its Cal.com link, or the full booking URL. Empty: the form thanks the visitor without a booking step.', 'solar-capture' )
				. ( '' === $view['example'] ? '' : ' ' . __( 'Booking page:', 'solar-capture' ) . ' ' . $view['example'] )
		);
		self::row(
			'',
			__( 'Booking step', 'solar-capture' ),
			sprintf(
				'<label><input type="radio" name="%1$s" value="embed"%2$s> %3$s</label><br><label><input type="radio" name="%1$s" value="link"%4$s> %5$s</label>',
				esc_attr( Booking_Link::MODE_OPTION ),
				checked( $view['embeds'], true, false ),
				esc_html__( 'Cal.com\'s booking page inside the site, under the form (the link stays as a fallback)', 'solar-capture' ),
				checked( $view['embeds'], false, false ),
				esc_html__( 'A button to the booking page on Cal.com', 'solar-capture' )
			),
			''
		);
		self::row(
			'solar-capture-booking-origin',
			__( 'Cal.com address', 'solar-capture' ),
			sprintf( '<input type="url" id="solar-capture-booking-origin" name="%1$s" value="%2$s" class="regular-text code">', esc_attr( Booking_Link::ORIGIN_OPTION ), esc_attr( $view['origin'] ) ),
			__( 'https://cal.com, or the address of your self-hosted Cal.com.', 'solar-capture' )
		);
		echo '</tbody></table><h2>' . esc_html__( 'Questions and consent', 'solar-capture' ) . '</h2><table class="form-table" role="presentation"><tbody>';
		self::row(
			'solar-capture-questions',
			__( 'Questions', 'solar-capture' ),
			sprintf( '<textarea id="solar-capture-questions" name="%1$s" rows="6" class="large-text code">%2$s</textarea>', esc_attr( Form_Settings::QUESTIONS_OPTION ), esc_textarea( $view['questions'] ) ),
			__( 'One question a line: Label | choice; choice; choice | required. Without choices the answer is free text; without "required" it is optional.', 'solar-capture' )
		);
		self::row(
			'solar-capture-consent-text',
			__( 'Consent text', 'solar-capture' ),
			sprintf( '<textarea id="solar-capture-consent-text" name="%1$s" rows="2" class="large-text">%2$s</textarea>', esc_attr( Form_Settings::CONSENT_OPTION ), esc_textarea( $view['consent'] ) ),
			__( 'When set, the form shows a checkbox with this text and requires it; each lead keeps the text it agreed to, with the time.', 'solar-capture' )
		);
		self::row(
			'solar-capture-unbooked-hours',
			__( 'Not booked after', 'solar-capture' ),
			sprintf( '<input type="number" id="solar-capture-unbooked-hours" name="%1$s" value="%2$d" min="1" max="8760" step="1" class="small-text"> %3$s', esc_attr( Form_Settings::UNBOOKED_HOURS_OPTION ), $view['unbooked_hours'], esc_html__( 'hours', 'solar-capture' ) ),
			__( 'Enquiries still without a booking after this long are listed under "Enquiry, not booked" in the lead list\'s status filter, for a call back.', 'solar-capture' )
		);
		echo '</tbody></table>';
		submit_button();
		echo '</form>';
	}

	/**
	 * One setting: its label (tied to the control when $id is given), the control, and the help below it.
	 *
	 * @param string $id      The control's id ('' for a group of controls).
	 * @param string $label   Label text.
	 * @param string $control The control, escaped.
	 * @param string $help    Help text ('' for none).
	 */
	private static function row( string $id, string $label, string $control, string $help ): void {
		Admin_Screen::form_row(
			'' === $id ? esc_html( $label ) : '<label for="' . esc_attr( $id ) . '">' . esc_html( $label ) . '</label>',
			$control . ( '' === $help ? '' : '<p class="description">' . esc_html( $help ) . '</p>' ),
			false
		);
	}

	/**
	 * The connected account's event types as choices of the event type field ('' when none).
	 *
	 * @param array<int, array<string, mixed>> $types Connection::read_event_types() entries.
	 * @return string HTML.
	 */
	private static function event_type_choices( array $types ): string {
		if ( array() === $types ) {
			return '';
		}
		$html = '<datalist id="solar-capture-event-types">';
		foreach ( $types as $type ) {
			$label = sprintf(
				/* translators: 1: event type title, 2: minutes. */
				__( '%1$s (%2$d min)', 'solar-capture' ),
				(string) ( $type['title'] ?? '' ),
				(int) ( $type['length'] ?? 0 )
			) . ( empty( $type['hidden'] ) ? '' : ' ' . __( '(hidden)', 'solar-capture' ) );
			$html .= '<option value="' . esc_attr( (string) ( $type['booking_url'] ?? '' ) ) . '" label="' . esc_attr( $label ) . '"></option>';
		}
		return $html . '</datalist>';
	}
}
