<?php
/**
 * A visitor's enquiry from the site: checked, then stored as a lead (or added to the lead of that e-mail).
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Capture;

use SolarCapture\Plugin\Database\Storage_Exception;
use SolarCapture\Plugin\Database\Transaction;
use SolarCapture\Plugin\Leads\Lead_Index;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Reference;
use SolarCapture\Plugin\Leads\Lead_Store;
use SolarCapture\Plugin\Leads\Timeline;
use SolarCapture\Plugin\Pipeline\Delivery_Source;

defined( 'ABSPATH' ) || exit;

/**
 * Contract section 4. A new e-mail makes a lead with status `new`; an e-mail that has a lead updates it
 * (phone, address, answers; never its name or e-mail) and adds "form submitted" to its timeline. The
 * answer is the same either way, so it tells nothing about an existing lead. The e-mail key is claimed
 * like a booking's (Lead_Index), so two submissions of one e-mail at once still make one lead.
 */
final class Lead_Capture {

	/** Longest value of each field, in characters. */
	public const MAX_LENGTHS = array(
		'name'     => 200,
		'email'    => 191,
		'phone'    => 50,
		'postcode' => 200,
		'answer'   => 500,
	);

	/** The `form` field the site's own form sends: its questions, consent and fill time are checked too. */
	public const FORM = 'solar-capture';

	/** Seconds a person needs at least to fill in the form; faster is a robot. */
	public const MIN_FILL_SECONDS = 3;

	/** The attribution keys kept (assets/attribution.js). */
	public const SOURCE_KEYS = array( 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'gclid', 'fbclid', 'referrer', 'landing' );

	/** Answers a submission may carry (the form's configured questions), at most. */
	public const MAX_ANSWERS = 30;

	/** Submissions one client may send per window before 429. */
	private const RATE_LIMIT  = 10;
	private const RATE_WINDOW = 600;


	public function __construct( private Lead_Store $leads, private Lead_Index $index, private Timeline $timeline ) {
	}

	/**
	 * Checks and stores a submission.
	 *
	 * @param array<string, mixed> $input  The submitted fields (name, email, phone, postcode, answers, website).
	 * @param string               $client Who sends it (the IP address), for the rate limit; never stored as such.
	 * @return array{lead_id: int, lead_ref: string, booking_url: string}|\WP_Error
	 */
	public function submit( array $input, string $client ) {
		if ( $this->over_rate_limit( $client ) ) {
			return new \WP_Error( 'solar_capture_too_many_requests', __( 'Too many enquiries from this connection. Please wait a few minutes and send the form again.', 'solar-capture' ), array( 'status' => 429 ) );
		}
		$fields = $this->validate( $input );
		if ( is_wp_error( $fields ) ) {
			return $fields;
		}
		$fields['client'] = self::client_hash( $client );
		try {
			// Another enquiry of the same e-mail may claim it first: the next attempt updates its lead.
			list( $lead_id, $created ) = Transaction::run_retrying( fn (): array => $this->store( $fields ), fn () => $this->leads->forget_written() );
		} catch ( Storage_Exception $e ) {
			$this->leads->forget_written();
			return self::unavailable();
		}
		$this->leads->clear_written();
		/**
		 * Fires after an enquiry from the site's form was committed to a lead.
		 *
		 * @param int                  $lead_id The lead.
		 * @param bool                 $created Whether the enquiry made a new lead (not matched one by e-mail).
		 * @param array<string, mixed> $fields  The checked fields (name, email, phone, postcode, answers).
		 */
		do_action( 'solar_capture_lead_captured', $lead_id, $created, $fields );
		return array(
			'lead_id'     => $lead_id,
			'lead_ref'    => Lead_Reference::of( $lead_id ),
			'booking_url' => Booking_Link::for_lead( $lead_id, $fields['name'], $fields['email'] ),
		);
	}

	/**
	 * The fields, trimmed and checked; an error names the field and the fix.
	 *
	 * @param array<string, mixed> $input Submitted fields.
	 * @return array{name: string, email: string, phone: string, postcode: string, answers: array<string, string>}|\WP_Error
	 */
	public function validate( array $input ) {
		// A field people can't see: only robots fill it in.
		if ( '' !== trim( self::text( $input['website'] ?? '' ) ) ) {
			return self::invalid( 'spam', __( 'The enquiry could not be accepted. If you are a person, leave the hidden "website" field empty and send it again.', 'solar-capture' ) );
		}
		$fields = array(
			'name'     => trim( self::text( $input['name'] ?? '' ) ),
			'email'    => Lead::normalize_email( self::text( $input['email'] ?? '' ) ),
			'phone'    => trim( self::text( $input['phone'] ?? '' ) ),
			'postcode' => trim( self::text( $input['postcode'] ?? '' ) ),
			'answers'  => array(),
		);
		if ( '' === $fields['name'] ) {
			return self::invalid( 'name', __( 'Please enter your name.', 'solar-capture' ) );
		}
		if ( '' === $fields['email'] || ! is_email( $fields['email'] ) ) {
			return self::invalid( 'email', __( 'Please enter a valid e-mail address, such as name@example.com.', 'solar-capture' ) );
		}
		if ( '' !== $fields['phone'] && 1 !== preg_match( '~\A\+?[0-9 ()./-]{3,}\z~', $fields['phone'] ) ) {
			return self::invalid( 'phone', __( 'Please enter a phone number with digits only (spaces, +, brackets and dashes are fine), or leave it empty.', 'solar-capture' ) );
		}
		foreach ( array( 'name', 'email', 'phone', 'postcode' ) as $field ) {
			if ( mb_strlen( $fields[ $field ], 'UTF-8' ) > self::MAX_LENGTHS[ $field ] ) {
				/* translators: %d: the longest value accepted, in characters. */
				return self::invalid( $field, sprintf( __( 'This field is too long: at most %d characters.', 'solar-capture' ), self::MAX_LENGTHS[ $field ] ) );
			}
		}
		if ( self::FORM === ( $input['form'] ?? '' ) ) {
			$problem = $this->form_problem( $input );
			if ( null !== $problem ) {
				return $problem;
			}
			$consent = Form_Settings::consent_text();
			if ( '' !== $consent ) {
				$fields['consent'] = $consent;
			}
		}
		$answers = $input['answers'] ?? array();
		if ( ! is_array( $answers ) || count( $answers ) > self::MAX_ANSWERS ) {
			return self::invalid( 'answers', __( 'The answers could not be read: send them as a list of question and answer.', 'solar-capture' ) );
		}
		foreach ( $answers as $question => $answer ) {
			$question = sanitize_key( (string) $question );
			$answer   = trim( self::text( $answer ) );
			if ( '' === $question || mb_strlen( $answer, 'UTF-8' ) > self::MAX_LENGTHS['answer'] ) {
				/* translators: %d: the longest answer accepted, in characters. */
				return self::invalid( 'answers', sprintf( __( 'An answer is too long: at most %d characters each.', 'solar-capture' ), self::MAX_LENGTHS['answer'] ) );
			}
			$fields['answers'][ $question ] = $answer;
		}
		$fields['source'] = self::source( $input['source'] ?? null );
		return $fields;
	}

	/**
	 * The first-touch attribution sent with a submission (assets/attribution.js): known keys only, short
	 * text values, as an array; the form's script sends it as JSON or the cookie arrives with a plain POST.
	 *
	 * @param mixed $value An array, or its JSON.
	 * @return array<string, string>
	 */
	public static function source( $value ): array {
		if ( is_string( $value ) ) {
			$value = json_decode( $value, true );
		}
		$source = array();
		foreach ( self::SOURCE_KEYS as $key ) {
			if ( is_array( $value ) && is_scalar( $value[ $key ] ?? null ) && '' !== trim( (string) $value[ $key ] ) ) {
				$source[ $key ] = mb_substr( sanitize_text_field( (string) $value[ $key ] ), 0, 200 );
			}
		}
		return $source;
	}

	/**
	 * The source a lead is listed under: utm_source, else the referring site, else "direct" ('' when unknown).
	 *
	 * @param array<string, string> $source From source().
	 */
	public static function source_label( array $source ): string {
		if ( isset( $source['utm_source'] ) ) {
			return strtolower( $source['utm_source'] );
		}
		if ( isset( $source['gclid'] ) ) {
			return 'google ads';
		}
		if ( isset( $source['fbclid'] ) ) {
			return 'facebook ads';
		}
		if ( isset( $source['referrer'] ) ) {
			$host = wp_parse_url( $source['referrer'], PHP_URL_HOST );
			return is_string( $host ) ? preg_replace( '/^www\./', '', strtolower( $host ) ) : '';
		}
		return array() === $source ? '' : 'direct';
	}

	/**
	 * What is wrong with a submission of the site's own form beyond its fields: a required question left
	 * out, an answer that is not one of the choices, consent not given, or a form sent faster than a
	 * person can fill it in.
	 *
	 * @param array<string, mixed> $input Submitted fields.
	 */
	private function form_problem( array $input ): ?\WP_Error {
		$started = self::text( $input['started'] ?? '' );
		$time    = self::started_at( $started );
		if ( null === $time || time() - $time < self::MIN_FILL_SECONDS ) {
			return self::invalid( 'too_fast', __( 'The form was sent too quickly. Please check your answers and send it again.', 'solar-capture' ) );
		}
		$answers = is_array( $input['answers'] ?? null ) ? $input['answers'] : array();
		foreach ( Form_Settings::questions() as $slug => $question ) {
			$answer = trim( self::text( $answers[ $slug ] ?? '' ) );
			if ( '' === $answer && $question['required'] ) {
				/* translators: %s: the question. */
				return self::invalid( 'answer_' . $slug, sprintf( __( 'Please answer: %s', 'solar-capture' ), $question['label'] ) );
			}
			if ( '' !== $answer && array() !== $question['choices'] && ! in_array( $answer, $question['choices'], true ) ) {
				/* translators: %s: the question. */
				return self::invalid( 'answer_' . $slug, sprintf( __( 'Please choose one of the answers offered for: %s', 'solar-capture' ), $question['label'] ) );
			}
		}
		if ( '' !== Form_Settings::consent_text() && empty( $input['consent'] ) ) {
			return self::invalid( 'consent', __( 'Please tick the box to agree, so that we may contact you about your enquiry.', 'solar-capture' ) );
		}
		return null;
	}

	/**
	 * A signed "form shown at" time for the form to send back (started_at() reads it).
	 */
	public static function started_token(): string {
		$time = (string) time();
		return $time . '.' . self::started_mac( $time );
	}

	/**
	 * The time a started_token() was made, or null when it is not one.
	 *
	 * @param string $token The token sent back.
	 */
	private static function started_at( string $token ): ?int {
		$parts = explode( '.', $token, 2 );
		if ( 2 !== count( $parts ) || 1 !== preg_match( '/\A[0-9]{1,12}\z/', $parts[0] ) ) {
			return null;
		}
		return hash_equals( self::started_mac( $parts[0] ), $parts[1] ) ? (int) $parts[0] : null;
	}

	/**
	 * The signature of a "form shown at" time.
	 *
	 * @param string $time Unix seconds.
	 */
	private static function started_mac( string $time ): string {
		return substr( hash_hmac( 'sha256', 'solar-capture-form:' . $time, Lead_Reference::key() ), 0, 16 );
	}

	/**
	 * In the transaction: the lead of this e-mail, or a new one.
	 *
	 * @param array{name: string, email: string, phone: string, postcode: string, answers: array<string, string>} $fields Checked fields.
	 * @return array{0: int, 1: bool} Lead id, and whether it was created.
	 */
	private function store( array $fields ): array {
		return $this->index->deferring(
			function () use ( $fields ): array {
				$lead_id = $this->leads->find_by_email( $fields['email'] );
				$created = null === $lead_id;
				if ( $created ) {
					$lead_id = $this->leads->create( $fields['name'] );
					$this->index->claim( $lead_id, array(), $fields['email'] );
					$this->leads->set_meta( $lead_id, Lead::META_EMAIL, $fields['email'] );
					$this->leads->set_meta( $lead_id, Lead::META_STATUS, 'new' );
				} else {
					$this->index->lock_lead( $lead_id );
				}
				if ( '' !== $fields['phone'] ) {
					$this->leads->set_meta( $lead_id, Lead::META_PHONE, $fields['phone'] );
				}
				if ( '' !== $fields['postcode'] ) {
					$this->leads->set_meta( $lead_id, Lead::META_POSTCODE, $fields['postcode'] );
				}
				// First touch: a lead keeps where it first came from.
				if ( array() !== $fields['source'] && null === $this->leads->fresh_meta( $lead_id, Lead::META_SOURCE ) ) {
					$this->leads->set_meta( $lead_id, Lead::META_SOURCE, (string) wp_json_encode( $fields['source'], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) );
				}
				if ( isset( $fields['consent'] ) ) {
					// What the visitor agreed to, word for word, when, and from where (a keyed hash, not the address).
					$this->leads->set_meta(
						$lead_id,
						Lead::META_CONSENT,
						(string) wp_json_encode(
							array(
								'text'   => $fields['consent'],
								'time'   => gmdate( 'c' ),
								'client' => $fields['client'],
							),
							JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES
						)
					);
				}
				if ( array() !== $fields['answers'] ) {
					$this->leads->set_meta( $lead_id, Lead::META_FORM_ANSWERS, (string) wp_json_encode( $fields['answers'], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) );
				}
				$this->leads->flush_meta( $lead_id );
				$this->timeline->add(
					$lead_id,
					null,
					array(
						'trigger'       => 'FORM_SUBMITTED',
						'created_at_ms' => (int) floor( microtime( true ) * 1000 ),
						'source'        => Delivery_Source::FORM,
					),
					$created,
					Timeline::NOTE_FORM_SUBMITTED
				);
				$this->index->sync( array( $lead_id ) );
				return array( $lead_id, $created );
			}
		);
	}

	/**
	 * Counts a submission of this client and says whether it is one too many (per 10 minutes). The client
	 * is kept as a keyed hash, never as its address.
	 *
	 * @param string $client IP address.
	 */
	private function over_rate_limit( string $client ): bool {
		$key   = 'solar_capture_form_' . self::client_hash( $client );
		$count = (int) get_transient( $key );
		/**
		 * Filters how many enquiries one client may send per 10 minutes (default 10).
		 *
		 * @param int $limit Submissions.
		 */
		$limit = (int) apply_filters( 'solar_capture_form_rate_limit', self::RATE_LIMIT );
		if ( $count >= max( 1, $limit ) ) {
			return true;
		}
		set_transient( $key, $count + 1, self::RATE_WINDOW );
		return false;
	}

	/**
	 * A client (IP address) as a keyed hash: recognisable for the rate limit and the consent record,
	 * never readable back.
	 *
	 * @param string $client IP address.
	 */
	private static function client_hash( string $client ): string {
		return substr( hash_hmac( 'sha256', 'solar-capture-client:' . $client, Lead_Reference::key() ), 0, 24 );
	}

	/**
	 * @param mixed $value A submitted value.
	 */
	private static function text( $value ): string {
		return is_scalar( $value ) ? wp_check_invalid_utf8( (string) $value ) : '';
	}

	/**
	 * @param string $field   The field (its code is solar_capture_invalid_<field>).
	 * @param string $message What to do.
	 */
	private static function invalid( string $field, string $message ): \WP_Error {
		return new \WP_Error(
			'solar_capture_invalid_' . $field,
			$message,
			array(
				'status' => 400,
				'field'  => $field,
			)
		);
	}

	private static function unavailable(): \WP_Error {
		return new \WP_Error( 'solar_capture_storage_unavailable', __( 'Your enquiry could not be saved just now. Please send the form again in a moment.', 'solar-capture' ), array( 'status' => 503 ) );
	}
}
