<?php
/**
 * The questions of Cal.com's booking form, as the booker saw them.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

defined( 'ABSPATH' ) || exit;

/**
 * The normalised event keeps each answer by field name (contract section 2); the booking form's own
 * labels ("How big is your roof?") are only in the body. They are read from it once, when the event is
 * kept on the timeline, so the lead screen shows each answer under its question.
 */
final class Booking_Answers {

	/**
	 * Field name => label, from `payload.responses` (or the root's, for flat bodies).
	 *
	 * @param string $body The verified body.
	 * @return array<string, string>
	 */
	public static function labels( string $body ): array {
		$root = json_decode( $body, true, 129 );
		if ( ! is_array( $root ) ) {
			return array();
		}
		$payload   = is_array( $root['payload'] ?? null ) ? $root['payload'] : $root;
		$responses = is_array( $payload['responses'] ?? null ) ? $payload['responses'] : array();
		$labels    = array();
		foreach ( $responses as $field => $entry ) {
			if ( is_array( $entry ) && is_string( $entry['label'] ?? null ) && '' !== trim( $entry['label'] ) ) {
				$labels[ (string) $field ] = mb_substr( trim( $entry['label'] ), 0, 200 );
			}
		}
		return $labels;
	}

	/**
	 * The timeline's record of an event's answers: field => [label, answer], JSON (null for none).
	 *
	 * @param array<string, mixed>  $responses The normalised event's responses.
	 * @param array<string, string> $labels    From labels().
	 */
	public static function record( array $responses, array $labels ): ?string {
		if ( array() === $responses ) {
			return null;
		}
		$record = array();
		foreach ( $responses as $field => $answer ) {
			$record[ (string) $field ] = array(
				'label'  => $labels[ (string) $field ] ?? (string) $field,
				'answer' => $answer,
			);
		}
		return (string) wp_json_encode( $record, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES );
	}

	/**
	 * A timeline record's answers as label => text (lists joined by ", ", booleans as Yes/No).
	 *
	 * @param mixed $json The timeline entry's answers column (from record()).
	 * @return array<string, string>
	 */
	public static function as_text( $json ): array {
		$answers = is_string( $json ) ? json_decode( $json, true ) : null;
		$texts   = array();
		foreach ( is_array( $answers ) ? $answers : array() as $field => $entry ) {
			$answer = is_array( $entry ) && array_key_exists( 'answer', $entry ) ? $entry['answer'] : $entry;
			$label  = is_array( $entry ) && is_string( $entry['label'] ?? null ) ? $entry['label'] : (string) $field;
			if ( is_array( $answer ) ) {
				$text = implode( ', ', array_map( 'strval', array_filter( $answer, 'is_scalar' ) ) );
			} elseif ( is_bool( $answer ) ) {
				$text = $answer ? __( 'Yes', 'solar-capture' ) : __( 'No', 'solar-capture' );
			} else {
				$text = (string) $answer;
			}
			$texts[ $label ] = $text;
		}
		return $texts;
	}
}
