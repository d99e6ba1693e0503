<?php
/**
 * The enquiry form on the site: shortcode [solar_capture_form] and block solar-capture/lead-form.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Capture;

defined( 'ABSPATH' ) || exit;

/**
 * Renders the form on the server, so it works in classic themes and without JavaScript: a plain POST is
 * handled in the same request (errors beside their fields, values kept); with JavaScript the same form is
 * sent to POST /wp-json/solar-capture/v1/leads and the errors appear in place. After a submission the
 * booking step shows the link to the configured Cal.com event type, which carries the lead's signed
 * reference (the embed's script may replace the link with Cal.com's inline booking page).
 */
final class Lead_Form {

	public const SHORTCODE = 'solar_capture_form';
	public const BLOCK     = 'solar-capture/lead-form';

	/** The first-party cookie assets/attribution.js keeps the first touch in. */
	public const SOURCE_COOKIE = 'solar_capture_source';

	/**
	 * The form's fields are posted as solar_capture[...]: WordPress reads public query variables such as
	 * `name` from a POST too, and a page posted a field called name would be looked up as a post slug.
	 */
	public const FIELDS = 'solar_capture';

	/** @var array{lead_id: int, lead_ref: string, booking_url: string}|\WP_Error|null The plain POST's outcome. */
	private $posted = null;

	public function __construct( private Lead_Capture $capture ) {
	}

	public function add_hooks(): void {
		add_shortcode( self::SHORTCODE, array( $this, 'render' ) );
		add_action( 'init', array( $this, 'register_block' ) );
		add_action( 'init', array( $this, 'handle_plain_post' ), 20 );
		add_action( 'wp_enqueue_scripts', array( $this, 'register_assets' ) );
	}

	public function register_block(): void {
		wp_register_script( 'solar-capture-lead-form-editor', plugins_url( 'assets/lead-form-editor.js', SOLAR_CAPTURE_FILE ), array( 'wp-blocks', 'wp-element', 'wp-server-side-render', 'wp-i18n' ), SOLAR_CAPTURE_VERSION, true );
		register_block_type(
			dirname( SOLAR_CAPTURE_FILE ) . '/blocks/lead-form',
			array( 'render_callback' => array( $this, 'render' ) )
		);
	}

	/**
	 * The attribution script runs on every page, so the first page a visitor sees is the one kept.
	 */
	public function register_assets(): void {
		wp_enqueue_script( 'solar-capture-attribution', plugins_url( 'assets/attribution.js', SOLAR_CAPTURE_FILE ), array(), SOLAR_CAPTURE_VERSION, true );
		wp_register_style( 'solar-capture-lead-form', plugins_url( 'assets/lead-form.css', SOLAR_CAPTURE_FILE ), array(), SOLAR_CAPTURE_VERSION );
		wp_register_script( 'solar-capture-lead-form', plugins_url( 'assets/lead-form.js', SOLAR_CAPTURE_FILE ), array(), SOLAR_CAPTURE_VERSION, true );
	}

	/**
	 * A plain POST of the form (no JavaScript): submitted here, shown by render() in the same request.
	 */
	public function handle_plain_post(): void {
		if ( 'POST' !== ( $_SERVER['REQUEST_METHOD'] ?? '' ) || ! isset( $_POST[ self::FIELDS ] ) || ! is_array( $_POST[ self::FIELDS ] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Missing -- a public form for visitors without accounts; the honeypot, fill time and rate limit guard it.
			return;
		}
		$input = wp_unslash( $_POST[ self::FIELDS ] ); // phpcs:ignore WordPress.Security.NonceVerification.Missing, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- checked field by field in Lead_Capture.
		if ( is_array( $input ) && isset( $_COOKIE[ self::SOURCE_COOKIE ] ) ) {
			$input['source'] = wp_unslash( $_COOKIE[ self::SOURCE_COOKIE ] ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- Lead_Capture::source() keeps known keys, sanitised.
		}
		$this->posted = $this->capture->submit( is_array( $input ) ? $input : array(), (string) ( $_SERVER['REMOTE_ADDR'] ?? '' ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- hashed, never stored as such.
	}

	/**
	 * The form, or after a submission the booking step.
	 *
	 * @param array<string, mixed>|string $attributes Shortcode or block attributes (none used yet).
	 * @return string HTML.
	 */
	public function render( $attributes = array() ): string {
		wp_enqueue_style( 'solar-capture-lead-form' );
		wp_enqueue_script( 'solar-capture-lead-form' );
		if ( is_array( $this->posted ) ) {
			return $this->booking_step( $this->posted['booking_url'], $this->posted['lead_id'] );
		}
		$error  = $this->posted instanceof \WP_Error ? $this->posted : null;
		$field  = $error ? (string) ( $error->get_error_data()['field'] ?? '' ) : '';
		$values = $error && isset( $_POST[ self::FIELDS ] ) && is_array( $_POST[ self::FIELDS ] ) ? wp_unslash( $_POST[ self::FIELDS ] ) : array(); // phpcs:ignore WordPress.Security.NonceVerification.Missing, WordPress.Security.ValidatedSanitizedInput -- only shown back to the visitor, escaped.

		$html     = '<form class="solar-capture-form" method="post" novalidate data-endpoint="' . esc_url( rest_url( 'solar-capture/v1/leads' ) ) . '">';
		$html     .= '<input type="hidden" name="' . esc_attr( self::FIELDS ) . '[form]" value="' . esc_attr( Lead_Capture::FORM ) . '">';
		$html     .= '<input type="hidden" name="' . esc_attr( self::FIELDS ) . '[started]" value="' . esc_attr( Lead_Capture::started_token() ) . '">';
		$in_place = array_merge( array_keys( $this->fields() ), array_map( static fn ( string $slug ): string => 'answer_' . $slug, array_keys( Form_Settings::questions() ) ), array( 'consent' ) );
		if ( null !== $error && ! in_array( $field, $in_place, true ) ) {
			$html .= '<p class="solar-capture-form-error" role="alert">' . esc_html( $error->get_error_message() ) . '</p>';
		}
		$html .= '<p class="solar-capture-form-error solar-capture-form-summary" role="alert" hidden></p>';
		foreach ( $this->fields() as $name => $field_spec ) {
			$html .= $this->input( $name, $field_spec, (string) ( $values[ $name ] ?? '' ), $field === $name ? $error->get_error_message() : '' );
		}
		$answers = is_array( $values['answers'] ?? null ) ? $values['answers'] : array();
		foreach ( Form_Settings::questions() as $slug => $question ) {
			$html .= $this->question( $slug, $question, (string) ( $answers[ $slug ] ?? '' ), 'answer_' . $slug === $field ? $error->get_error_message() : '' );
		}
		$consent = Form_Settings::consent_text();
		if ( '' !== $consent ) {
			$html .= $this->consent( $consent, ! empty( $values['consent'] ), 'consent' === $field ? $error->get_error_message() : '' );
		}
		// Only robots see and fill this one.
		$html .= '<p class="solar-capture-form-trap" aria-hidden="true"><label>' . esc_html__( 'Website', 'solar-capture' ) . ' <input type="text" name="' . esc_attr( self::FIELDS ) . '[website]" value="" tabindex="-1" autocomplete="off"></label></p>';
		$html .= '<p><button type="submit" class="solar-capture-form-submit">' . esc_html__( 'Ask for a quote', 'solar-capture' ) . '</button></p>';
		$html .= '</form>';
		$html .= '<div class="solar-capture-booking" hidden data-thanks="' . esc_attr__( 'Thank you. Your enquiry has arrived. Pick a time for your free survey call:', 'solar-capture' ) . '" data-book="' . esc_attr__( 'Book your survey call', 'solar-capture' ) . '" data-booked="' . esc_attr__( 'Your survey call is booked. You will receive a confirmation by e-mail.', 'solar-capture' ) . '"' . self::embed_attributes() . '></div>';
		return '<div class="solar-capture-lead-form">' . $html . '</div>';
	}

	/**
	 * After a submission: thanks, and the way to book the survey call.
	 *
	 * @param string $booking_url The lead's booking link ('' when none is configured).
	 * @param int    $lead_id     The lead (0: not known, no embed).
	 */
	private function booking_step( string $booking_url, int $lead_id = 0 ): string {
		$embed = '' !== $booking_url && $lead_id > 0 ? self::embed_attributes() : '';
		if ( '' !== $embed ) {
			$embed .= ' data-booking-url="' . esc_attr( $booking_url ) . '" data-booked="' . esc_attr__( 'Your survey call is booked. You will receive a confirmation by e-mail.', 'solar-capture' ) . '"';
		}
		$html = '<div class="solar-capture-lead-form"><div class="solar-capture-booking" tabindex="-1"' . $embed . '>';
		$html .= '<p role="status">' . esc_html__( 'Thank you. Your enquiry has arrived.', 'solar-capture' ) . '</p>';
		if ( '' !== $booking_url ) {
			$html .= '<p>' . esc_html__( 'Pick a time for your free survey call:', 'solar-capture' ) . '</p>';
			$html .= '<p><a class="solar-capture-book" href="' . esc_url( $booking_url ) . '">' . esc_html__( 'Book your survey call', 'solar-capture' ) . '</a></p>';
		} else {
			$html .= '<p>' . esc_html__( 'We will be in touch to arrange your survey.', 'solar-capture' ) . '</p>';
		}
		return $html . '</div></div>';
	}

	/**
	 * The data attributes the script needs to embed Cal.com's booking page ('' when the step only links).
	 */
	private static function embed_attributes(): string {
		$embed = Booking_Link::embeds() ? Booking_Link::embed() : null;
		if ( null === $embed ) {
			return '';
		}
		return sprintf( ' data-cal-origin="%1$s" data-cal-link="%2$s" data-cal-script="%3$s"', esc_attr( $embed['origin'] ), esc_attr( $embed['calLink'] ), esc_url( $embed['script'] ) );
	}

	/**
	 * The contact fields: name => [label, type, required, autocomplete].
	 *
	 * @return array<string, array{0: string, 1: string, 2: bool, 3: string}>
	 */
	private function fields(): array {
		return array(
			'name'     => array( __( 'Name', 'solar-capture' ), 'text', true, 'name' ),
			'email'    => array( __( 'E-mail', 'solar-capture' ), 'email', true, 'email' ),
			'phone'    => array( __( 'Phone', 'solar-capture' ), 'tel', false, 'tel' ),
			'postcode' => array( __( 'Postcode or address', 'solar-capture' ), 'text', false, 'postal-code' ),
		);
	}

	/**
	 * One labelled input with its error tied to it.
	 *
	 * @param string                                          $name  Field name.
	 * @param array{0: string, 1: string, 2: bool, 3: string} $spec  Label, type, required, autocomplete.
	 * @param string                                          $value Value to show again.
	 * @param string                                          $error Error of this field ('' for none).
	 */
	private function input( string $name, array $spec, string $value, string $error ): string {
		list( $label, $type, $required, $autocomplete ) = $spec;
		$id = 'solar-capture-' . $name;
		return sprintf(
			'<p class="solar-capture-field"><label for="%1$s">%2$s%3$s</label> <input id="%1$s" type="%4$s" name="%5$s" value="%6$s" autocomplete="%7$s" maxlength="%8$d"%9$s%10$s>%11$s</p>',
			esc_attr( $id ),
			esc_html( $label ),
			$required ? ' <span aria-hidden="true">*</span>' : '',
			esc_attr( $type ),
			esc_attr( self::FIELDS . '[' . $name . ']' ),
			esc_attr( $value ),
			esc_attr( $autocomplete ),
			Lead_Capture::MAX_LENGTHS[ $name ],
			$required ? ' required aria-required="true"' : '',
			'' !== $error ? ' aria-invalid="true" aria-describedby="' . esc_attr( $id . '-error' ) . '"' : '',
			self::error_text( $id, $error )
		);
	}

	/**
	 * One configured question: a list of choices, or free text.
	 *
	 * @param string                                                  $slug     Question slug.
	 * @param array{label: string, choices: string[], required: bool} $question The question.
	 * @param string                                                  $value    Answer to show again.
	 * @param string                                                  $error    Its error ('' for none).
	 */
	private function question( string $slug, array $question, string $value, string $error ): string {
		$id    = 'solar-capture-answer-' . $slug;
		$attrs = ( $question['required'] ? ' required aria-required="true"' : '' ) . ( '' !== $error ? ' aria-invalid="true" aria-describedby="' . esc_attr( $id . '-error' ) . '"' : '' );
		$html  = '<p class="solar-capture-field"><label for="' . esc_attr( $id ) . '">' . esc_html( $question['label'] ) . ( $question['required'] ? ' <span aria-hidden="true">*</span>' : '' ) . '</label> ';
		if ( array() === $question['choices'] ) {
			$html .= '<input id="' . esc_attr( $id ) . '" type="text" name="' . esc_attr( self::FIELDS . '[answers][' . $slug . ']' ) . '" value="' . esc_attr( $value ) . '" maxlength="' . esc_attr( (string) Lead_Capture::MAX_LENGTHS['answer'] ) . '"' . $attrs . '>';
		} else {
			$html .= '<select id="' . esc_attr( $id ) . '" name="' . esc_attr( self::FIELDS . '[answers][' . $slug . ']' ) . '"' . $attrs . '><option value="">' . esc_html__( 'Choose…', 'solar-capture' ) . '</option>';
			foreach ( $question['choices'] as $choice ) {
				$html .= '<option value="' . esc_attr( $choice ) . '"' . selected( $value, $choice, false ) . '>' . esc_html( $choice ) . '</option>';
			}
			$html .= '</select>';
		}
		return $html . self::error_text( $id, $error ) . '</p>';
	}

	/**
	 * The consent checkbox with the site's text.
	 *
	 * @param string $text    The consent text.
	 * @param bool   $checked Ticked before.
	 * @param string $error   Its error ('' for none).
	 */
	private function consent( string $text, bool $checked, string $error ): string {
		$id = 'solar-capture-consent';
		return '<p class="solar-capture-field solar-capture-consent"><input id="' . esc_attr( $id ) . '" type="checkbox" name="' . esc_attr( self::FIELDS ) . '[consent]" value="1" required aria-required="true"' . checked( $checked, true, false )
			. ( '' !== $error ? ' aria-invalid="true" aria-describedby="' . esc_attr( $id . '-error' ) . '"' : '' ) . '> <label for="' . esc_attr( $id ) . '">' . esc_html( $text ) . '</label>'
			. self::error_text( $id, $error ) . '</p>';
	}

	/**
	 * The error under a field, tied to it by id.
	 *
	 * @param string $id    The field's id.
	 * @param string $error The error ('' for none: an empty placeholder the script fills).
	 */
	private static function error_text( string $id, string $error ): string {
		return '<span class="solar-capture-form-error" id="' . esc_attr( $id . '-error' ) . '"' . ( '' === $error ? ' hidden' : '' ) . '>' . esc_html( $error ) . '</span>';
	}
}
