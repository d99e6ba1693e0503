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
}
