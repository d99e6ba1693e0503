<?php
/**
 * What the site's enquiry form asks: its questions and its consent text.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Capture;

defined( 'ABSPATH' ) || exit;

/**
 * The questions of the form (defaults for a solar installer) and the consent text. Stored as options;
 * the settings screen edits them.
 */
final class Form_Settings {

	public const QUESTIONS_OPTION = 'solar_capture_form_questions';
	public const CONSENT_OPTION   = 'solar_capture_consent_text';
	/** Hours after which an enquiry without a booking shows in the lead list's "not booked" view. */
	public const UNBOOKED_HOURS_OPTION  = 'solar_capture_unbooked_hours';
	public const DEFAULT_UNBOOKED_HOURS = 24;

	/**
	 * The questions: slug => label, choices (empty: free text) and whether an answer is required.
	 *
	 * @return array<string, array{label: string, choices: string[], required: bool}>
	 */
	public static function questions(): array {
		$stored = get_option( self::QUESTIONS_OPTION, null );
		$list   = is_array( $stored ) ? $stored : self::default_questions();
		$out    = array();
		foreach ( $list as $slug => $question ) {
			$slug = sanitize_key( (string) $slug );
			if ( '' === $slug || ! is_array( $question ) || ! is_string( $question['label'] ?? null ) ) {
				continue;
			}
			$out[ $slug ] = array(
				'label'    => $question['label'],
				'choices'  => array_values( array_filter( array_map( 'strval', (array) ( $question['choices'] ?? array() ) ), 'strlen' ) ),
				'required' => ! empty( $question['required'] ),
			);
		}
		return $out;
	}

	/**
	 * The consent text shown beside the checkbox ('' for no checkbox).
	 */
	public static function consent_text(): string {
		return trim( (string) get_option( self::CONSENT_OPTION, '' ) );
	}

	/**
	 * Hours after which an enquiry without a booking counts as "not booked".
	 */
	public static function unbooked_hours(): int {
		return self::sanitize_hours( get_option( self::UNBOOKED_HOURS_OPTION, self::DEFAULT_UNBOOKED_HOURS ) );
	}

	/**
	 * A whole number of hours from 1 to a year; anything else gives the default.
	 *
	 * @param mixed $value Submitted value.
	 */
	public static function sanitize_hours( $value ): int {
		return is_numeric( $value ) ? max( 1, min( 8760, (int) $value ) ) : self::DEFAULT_UNBOOKED_HOURS;
	}

	/**
	 * What a solar installer asks before a survey.
	 *
	 * @return array<string, array{label: string, choices: string[], required: bool}>
	 */
	public static function default_questions(): array {
		return array(
			'homeowner'         => array(
				'label'    => __( 'Do you own the property?', 'solar-capture' ),
				'choices'  => array( __( 'Yes', 'solar-capture' ), __( 'No', 'solar-capture' ) ),
				'required' => true,
			),
			'roof_type'         => array(
				'label'    => __( 'Roof type', 'solar-capture' ),
				'choices'  => array( __( 'Pitched', 'solar-capture' ), __( 'Flat', 'solar-capture' ), __( 'Other or not sure', 'solar-capture' ) ),
				'required' => false,
			),
			'monthly_bill'      => array(
				'label'    => __( 'Monthly electricity bill', 'solar-capture' ),
				'choices'  => array( __( 'Under 50', 'solar-capture' ), __( '50 to 100', 'solar-capture' ), __( '100 to 200', 'solar-capture' ), __( 'Over 200', 'solar-capture' ) ),
				'required' => false,
			),
			'installation_time' => array(
				'label'    => __( 'Preferred installation time', 'solar-capture' ),
				'choices'  => array( __( 'As soon as possible', 'solar-capture' ), __( 'Within 3 months', 'solar-capture' ), __( 'Within a year', 'solar-capture' ), __( 'Just researching', 'solar-capture' ) ),
				'required' => false,
			),
		);
	}

	/**
	 * Questions from the settings textarea: one per line, "Label | choice; choice | required" (the choices
	 * and "required" may be left out).
	 *
	 * @param mixed $value Submitted text.
	 * @return array<string, array{label: string, choices: string[], required: bool}>
	 */
	public static function sanitize_questions( $value ): array {
		if ( is_array( $value ) ) {
			return $value;
		}
		$questions = array();
		foreach ( preg_split( '/\R/', (string) $value ) as $line ) {
			$parts = array_map( 'trim', explode( '|', $line ) );
			$label = sanitize_text_field( $parts[0] ?? '' );
			if ( '' === $label ) {
				continue;
			}
			$slug = sanitize_key( str_replace( array( ' ', '-' ), '_', remove_accents( strtolower( $label ) ) ) );
			$slug = substr( '' === $slug ? 'question' : $slug, 0, 40 );
			while ( isset( $questions[ $slug ] ) ) {
				$slug .= '_2';
			}
			$questions[ $slug ] = array(
				'label'    => $label,
				'choices'  => array_values( array_filter( array_map( 'sanitize_text_field', array_map( 'trim', explode( ';', $parts[1] ?? '' ) ) ), 'strlen' ) ),
				'required' => 'required' === strtolower( $parts[2] ?? '' ),
			);
		}
		return array_slice( $questions, 0, Lead_Capture::MAX_ANSWERS, true );
	}

	/**
	 * The questions as the settings textarea shows them.
	 */
	public static function questions_as_text(): string {
		$lines = array();
		foreach ( self::questions() as $question ) {
			$lines[] = $question['label'] . ( array() !== $question['choices'] || $question['required'] ? ' | ' . implode( '; ', $question['choices'] ) : '' ) . ( $question['required'] ? ' | required' : '' );
		}
		return implode( "\n", $lines );
	}
}
