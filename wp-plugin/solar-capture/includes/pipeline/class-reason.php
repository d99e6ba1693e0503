<?php
/**
 * Every reason a delivery can end with: a stored code, and the words an admin reads for it.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

defined( 'ABSPATH' ) || exit;

/**
 * The reason catalogue. Deliveries store a code (column reason_code); screens, notices, log and the
 * webhook's answers turn it into words here and nowhere else. A refusal's code is also the suffix of
 * its REST error code (solar_capture_<code>).
 */
final class Reason {

	// Accepted.
	public const PING                  = 'ping';
	public const APPLIED               = 'applied';
	public const OLDER_THAN_LAST_EVENT = 'older_than_last_event';
	public const PENDING_RESCHEDULE    = 'pending_reschedule';
	public const NO_STATUS_EFFECT      = 'no_status_effect';
	// Ignored, unmatched, duplicate.
	public const NO_LEAD_EFFECT   = 'no_lead_effect';
	public const NO_MATCHING_LEAD = 'no_matching_lead';
	public const DUPLICATE        = 'duplicate';
	// Refused before a signature verified.
	public const BODY_TOO_LARGE      = 'body_too_large';
	public const NO_SECRET           = 'no_secret';
	public const SIGNATURE_MISSING   = 'signature_missing';
	public const NO_SECRET_PROVIDED  = 'no_secret_provided';
	public const SIGNATURE_MALFORMED = 'signature_malformed';
	public const INVALID_SIGNATURE   = 'invalid_signature';
	// Refused after: the body can't be used.
	public const NOT_JSON        = 'not_json';
	public const NOT_AN_EVENT    = 'not_an_event';
	public const CUSTOM_TEMPLATE = 'custom_template';
	// Failed: nothing was changed.
	public const STORAGE_UNAVAILABLE = 'storage_unavailable';
	public const ENGINE_ERROR        = 'engine_error';
	public const PROCESSING_FAILED   = 'processing_failed';
	/** A claimed row while its transaction runs; never committed as a final state. */
	public const PROCESSING = 'processing';
	// A failed or unmatched delivery after "Process again".
	public const PROCESSED_AGAIN   = 'processed_again';
	public const ALREADY_PROCESSED = 'already_processed';

	/** The codes a refused request can have before its signature verified (anybody can cause these). */
	public const BEFORE_SIGNATURE = array( self::BODY_TOO_LARGE, self::NO_SECRET, self::SIGNATURE_MISSING, self::NO_SECRET_PROVIDED, self::SIGNATURE_MALFORMED, self::INVALID_SIGNATURE );

	/** What the sender of a webhook is answered for each code (a retrying sender retries 5xx). */
	private const HTTP_STATUS = array(
		self::BODY_TOO_LARGE      => 413,
		self::NO_SECRET           => 503,
		self::SIGNATURE_MISSING   => 401,
		self::NO_SECRET_PROVIDED  => 401,
		self::SIGNATURE_MALFORMED => 401,
		self::INVALID_SIGNATURE   => 401,
		self::NOT_JSON            => 400,
		self::NOT_AN_EVENT        => 400,
		self::CUSTOM_TEMPLATE     => 422,
		self::STORAGE_UNAVAILABLE => 503,
		self::ENGINE_ERROR        => 500,
		self::PROCESSING_FAILED   => 500,
	);

	/**
	 * Every code.
	 *
	 * @return string[]
	 */
	public static function codes(): array {
		return array_keys( self::texts() );
	}

	/**
	 * What happened, in a few words ('' for an unknown code).
	 *
	 * @param string $code A reason code.
	 */
	public static function label( string $code ): string {
		return self::texts()[ $code ][0] ?? '';
	}

	/**
	 * What to do about it ('' when nothing needs doing).
	 *
	 * @param string $code A reason code.
	 */
	public static function fix( string $code ): string {
		return self::texts()[ $code ][1] ?? '';
	}

	/**
	 * Label, the detail recorded with the delivery when there is one, and the fix, as one text.
	 *
	 * @param string $code   A reason code.
	 * @param string $detail What the engine or the database said (e.g. "payload.startTime: not an RFC 3339 time").
	 */
	public static function sentence( string $code, string $detail = '' ): string {
		$label = self::label( $code );
		if ( '' === $label ) {
			return $detail;
		}
		$text = '' === $detail ? $label : $label . ': ' . $detail;
		$fix  = self::fix( $code );
		return '' === $fix ? $text . '.' : $text . '. ' . $fix;
	}

	/**
	 * The HTTP status a webhook sender gets for a delivery that ended with $code (200 when it was stored).
	 *
	 * @param string $code A reason code.
	 */
	public static function http_status( string $code ): int {
		return self::HTTP_STATUS[ $code ] ?? 200;
	}

	/**
	 * The reason code of a row stored before codes existed, from its free-text reason (schema upgrade).
	 *
	 * @param string $reason The old reason text.
	 */
	public static function from_legacy_text( string $reason ): string {
		$prefixes = array(
			'signature: solar_capture_signature_missing'   => self::SIGNATURE_MISSING,
			'signature: solar_capture_no_secret_provided'  => self::NO_SECRET_PROVIDED,
			'signature: solar_capture_signature_malformed' => self::SIGNATURE_MALFORMED,
			'signature: '                                  => self::INVALID_SIGNATURE,
			'no secret configured'                         => self::NO_SECRET,
			'body too large'                               => self::BODY_TOO_LARGE,
			'CUSTOM_TEMPLATE'                              => self::CUSTOM_TEMPLATE,
			'NOT_JSON'                                     => self::NOT_JSON,
			'NOT_AN_EVENT'                                 => self::NOT_AN_EVENT,
			'storage:'                                     => self::STORAGE_UNAVAILABLE,
			'engine error'                                 => self::ENGINE_ERROR,
			'error:'                                       => self::PROCESSING_FAILED,
			'processing'                                   => self::PROCESSING_FAILED,
			'processed again'                              => self::PROCESSED_AGAIN,
			'already processed'                            => self::ALREADY_PROCESSED,
			'duplicate'                                    => self::DUPLICATE,
		);
		foreach ( $prefixes as $prefix => $code ) {
			if ( str_starts_with( $reason, $prefix ) ) {
				return $code;
			}
		}
		// "applied (uid)", "older_than_last_event (email)", "ping", "no_matching_lead", ...
		$word = strtok( $reason, ' ' );
		return false !== $word && isset( self::texts()[ $word ] ) ? $word : self::PROCESSING_FAILED;
	}

	/**
	 * The label and the fix of every code.
	 *
	 * @return array<string, array{0: string, 1: string}>
	 */
	private static function texts(): array {
		$secret_here = __( 'under Solar leads > Settings > Integrations (or SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php)', 'solar-capture' );
		$cal_webhook = __( 'the webhook in Cal.com (Settings > Developer > Webhooks)', 'solar-capture' );
		return array(
			self::PING                  => array( __( 'Connection works: Solar Capture received and verified the ping', 'solar-capture' ), '' ),
			self::APPLIED               => array( __( 'Received and applied to the lead', 'solar-capture' ), '' ),
			self::OLDER_THAN_LAST_EVENT => array( __( 'Received and kept on the lead\'s timeline; it is older than the newest event applied, so the status stays', 'solar-capture' ), '' ),
			self::PENDING_RESCHEDULE    => array( __( 'Received: a reschedule waits for the organiser\'s confirmation, the booking stays as it is', 'solar-capture' ), '' ),
			self::NO_STATUS_EFFECT      => array( __( 'Received and kept on the lead\'s timeline; this trigger changes no status', 'solar-capture' ), '' ),
			self::NO_LEAD_EFFECT        => array( __( 'Received. This trigger has no effect on leads', 'solar-capture' ), '' ),
			self::NO_MATCHING_LEAD      => array( __( 'Received and stored, but no lead matches this booking yet', 'solar-capture' ), __( 'Use "Process again" under Solar leads > Delivery log once the lead exists.', 'solar-capture' ) ),
			self::DUPLICATE             => array( __( 'Already received: this event was stored before and is not applied twice', 'solar-capture' ), '' ),
			self::BODY_TOO_LARGE        => array( __( 'The body is larger than Solar Capture accepts', 'solar-capture' ), __( 'If Cal.com really sends bookings this large, raise the limit with the solar_capture_max_body_bytes filter.', 'solar-capture' ) ),
			/* translators: %s: where the secret is set. */
			self::NO_SECRET             => array( __( 'No Cal.com webhook secret is configured, so every delivery is refused', 'solar-capture' ), sprintf( __( 'Set one %s and enter the same value in the Secret field of the webhook in Cal.com; Cal.com can then send again.', 'solar-capture' ), $secret_here ) ),
			self::SIGNATURE_MISSING     => array( __( 'The request has no X-Cal-Signature-256 header', 'solar-capture' ), __( 'This URL only accepts signed Cal.com webhooks: add it in Cal.com under Settings > Developer > Webhooks, with the secret set under Solar leads > Settings > Integrations.', 'solar-capture' ) ),
			/* translators: %s: where the secret is set. */
			self::NO_SECRET_PROVIDED    => array( __( 'Cal.com sent "no-secret-provided": its webhook has no secret', 'solar-capture' ), sprintf( __( 'Enter the secret set %s in the Secret field of the webhook in Cal.com.', 'solar-capture' ), $secret_here ) ),
			self::SIGNATURE_MALFORMED   => array( __( 'The X-Cal-Signature-256 header is not an HMAC-SHA256 in hex (64 hex digits, optionally prefixed "sha256=")', 'solar-capture' ), __( 'Send the request from Cal.com, or sign the exact body with the shared secret.', 'solar-capture' ) ),
			/* translators: %s: where the secret is set. */
			self::INVALID_SIGNATURE     => array( __( 'The signature does not match the body under the configured secret: Cal.com and this site use different secrets', 'solar-capture' ), sprintf( __( 'Make sure the Secret field of the webhook in Cal.com holds exactly the secret set %s, and that nothing rewrites the body on the way.', 'solar-capture' ), $secret_here ) ),
			self::NOT_JSON              => array( __( 'Solar Capture can\'t read this body as JSON', 'solar-capture' ), __( 'Send Cal.com\'s default webhook body unchanged, and check that no proxy or security plugin between Cal.com and WordPress rewrites it.', 'solar-capture' ) ),
			self::NOT_AN_EVENT          => array( __( 'The body is JSON but not a Cal.com webhook event', 'solar-capture' ), __( 'Point only Cal.com webhooks at this URL, with the Custom Payload field left empty.', 'solar-capture' ) ),
			/* translators: %s: where the webhook is edited in Cal.com. */
			self::CUSTOM_TEMPLATE       => array( __( 'Cal.com is sending a custom payload template, which Solar Capture cannot read, so bookings are refused', 'solar-capture' ), sprintf( __( 'Open %s and clear its Custom Payload field, so Cal.com sends its default body.', 'solar-capture' ), $cal_webhook ) ),
			self::STORAGE_UNAVAILABLE   => array( __( 'Solar Capture could not store this delivery, so nothing was changed', 'solar-capture' ), __( 'The sender is asked to send it again (503). If this persists, check that the database is reachable and that the Solar Capture tables exist (deactivate and activate the plugin to recreate them).', 'solar-capture' ) ),
			self::ENGINE_ERROR          => array( __( 'Solar Capture\'s engine failed on this body; the delivery is kept', 'solar-capture' ), __( 'Update the plugin, then use "Process again" under Solar leads > Delivery log.', 'solar-capture' ) ),
			self::PROCESSING_FAILED     => array( __( 'Solar Capture could not process this delivery; nothing was changed', 'solar-capture' ), __( 'Details are in the PHP error log. Fix the cause, then use "Process again" under Solar leads > Delivery log.', 'solar-capture' ) ),
			self::PROCESSING            => array( __( 'Being processed', 'solar-capture' ), '' ),
			self::PROCESSED_AGAIN       => array( __( 'Processed again as a new delivery', 'solar-capture' ), '' ),
			self::ALREADY_PROCESSED     => array( __( 'Processed again, but the same event had already been stored by a later delivery', 'solar-capture' ), '' ),
		);
	}
}
