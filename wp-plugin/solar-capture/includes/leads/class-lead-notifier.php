<?php
/**
 * E-mails to the sales team when something happens to a lead.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

use SolarCapture\Plugin\Capture\Booking_Link;
use SolarCapture\Plugin\Capture\Form_Settings;
use SolarCapture\Plugin\Capture\Lead_Capture;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Pipeline\Delivery_Outcome;

defined( 'ABSPATH' ) || exit;

/**
 * One e-mail per event that changed a lead: a form enquiry, a booking, a reschedule, a cancellation (with
 * its reason), a no-show. It goes to the lead's owner and the configured addresses, except users who
 * opted out on their profile. The pipeline fires solar_capture_lead_updated once per stored event, after
 * its transaction committed (a duplicate delivery is not stored again, and reconciliation applies only
 * what no webhook did), so each event is mailed once. Mail is queued and sent at the end of the request,
 * after the webhook's answer has gone out (fastcgi_finish_request() under php-fpm): a slow mail server
 * never delays Cal.com.
 */
final class Lead_Notifier {

	public const ADDRESSES_OPTION = 'solar_capture_notify_addresses';
	/** User meta: "1" when the user wants no lead e-mails. */
	public const OPT_OUT_META = 'solar_capture_no_lead_emails';

	/** Triggers that are news to the team, by the lead's status they set. */
	private const NEWS = array(
		'BOOKING_CREATED'         => 'booked',
		'BOOKING_REQUESTED'       => 'requested',
		'BOOKING_RESCHEDULED'     => 'rescheduled',
		'BOOKING_CANCELLED'       => 'cancelled',
		'BOOKING_NO_SHOW_UPDATED' => 'no_show',
		'FORM_SUBMITTED'          => 'new',
	);

	/** @var list<array{to: string[], subject: string, html: string, text: string}> Mail waiting for the end of the request. */
	private array $queue = array();

	public function add_hooks(): void {
		add_action( 'solar_capture_lead_updated', array( $this, 'on_booking_event' ), 20, 4 );
		add_action( 'solar_capture_lead_captured', array( $this, 'on_enquiry' ), 20, 2 );
		add_action( 'shutdown', array( $this, 'send_queued' ), 1 );
		add_action( 'show_user_profile', array( $this, 'profile_field' ) );
		add_action( 'edit_user_profile', array( $this, 'profile_field' ) );
		add_action( 'personal_options_update', array( $this, 'save_profile_field' ) );
		add_action( 'edit_user_profile_update', array( $this, 'save_profile_field' ) );
	}

	/**
	 * Hook: a booking event was committed to a lead.
	 *
	 * @param int                  $lead_id     The lead.
	 * @param array<string, mixed> $event       Normalised event.
	 * @param int                  $delivery_id Delivery row.
	 * @param Delivery_Outcome     $outcome     What became of it.
	 */
	public function on_booking_event( $lead_id, $event, $delivery_id = 0, $outcome = null ): void {
		$trigger = is_array( $event ) ? (string) ( $event['trigger'] ?? '' ) : '';
		// Only what changed the lead: an event older than the lead's newest is history, not news.
		if ( ! isset( self::NEWS[ $trigger ] ) || ( $outcome instanceof Delivery_Outcome && ! $outcome->applied && ! $outcome->created ) ) {
			return;
		}
		$this->queue( (int) $lead_id, $trigger, $event );
	}

	/**
	 * Hook: an enquiry from the site's form.
	 *
	 * @param int  $lead_id The lead.
	 * @param bool $created Whether it is a new lead.
	 */
	public function on_enquiry( $lead_id, $created = true ): void {
		$this->queue( (int) $lead_id, 'FORM_SUBMITTED', array() );
	}

	/**
	 * Who gets the e-mails of a lead: its owner and the configured addresses, minus those who opted out.
	 *
	 * @param int $lead_id The lead.
	 * @return string[]
	 */
	public static function recipients( int $lead_id ): array {
		$to    = array();
		$owner = get_userdata( (int) get_post_field( 'post_author', $lead_id ) );
		if ( $owner instanceof \WP_User ) {
			$to[] = $owner->user_email;
		}
		foreach ( preg_split( '/[\s,;]+/', (string) get_option( self::ADDRESSES_OPTION, '' ) ) ?: array() as $address ) {
			if ( is_email( $address ) ) {
				$to[] = $address;
			}
		}
		$to = array_values(
			array_filter(
				array_unique( array_map( 'strtolower', $to ) ),
				static function ( string $address ): bool {
					$user = get_user_by( 'email', $address );
					return ! ( $user instanceof \WP_User && '1' === get_user_meta( $user->ID, self::OPT_OUT_META, true ) );
				}
			)
		);
		return $to;
	}

	/**
	 * Builds the e-mail of an event and queues it.
	 *
	 * @param int                  $lead_id The lead.
	 * @param string               $trigger What happened.
	 * @param array<string, mixed> $event   The normalised event (empty for an enquiry).
	 */
	private function queue( int $lead_id, string $trigger, array $event ): void {
		$to   = self::recipients( $lead_id );
		$post = get_post( $lead_id );
		if ( array() === $to || ! $post instanceof \WP_Post ) {
			return;
		}
		$name    = $post->post_title;
		$subject = array(
			'FORM_SUBMITTED'          => __( 'New enquiry: %s', 'solar-capture' ),
			'BOOKING_CREATED'         => __( 'Survey booked: %s', 'solar-capture' ),
			'BOOKING_REQUESTED'       => __( 'Survey requested: %s', 'solar-capture' ),
			'BOOKING_RESCHEDULED'     => __( 'Survey rescheduled: %s', 'solar-capture' ),
			'BOOKING_CANCELLED'       => __( 'Survey cancelled: %s', 'solar-capture' ),
			'BOOKING_NO_SHOW_UPDATED' => __( 'No-show: %s', 'solar-capture' ),
		)[ $trigger ];
		$rows    = $this->facts( $lead_id, $trigger, $event );
		$uid     = (string) get_post_meta( $lead_id, Lead::META_BOOKING_UID, true );
		$links   = array( __( 'Open the lead', 'solar-capture' ) => admin_url( 'post.php?post=' . $lead_id . '&action=edit' ) );
		if ( '' !== $uid && 'BOOKING_CANCELLED' !== $trigger ) {
			$app = Booking_Link::origin();
			$links[ __( 'Reschedule on Cal.com', 'solar-capture' ) ] = $app . '/reschedule/' . rawurlencode( $uid );
			$links[ __( 'Cancel on Cal.com', 'solar-capture' ) ]     = $app . '/booking/' . rawurlencode( $uid ) . '?cancel=true';
		}
		$html = '<table cellpadding="4">';
		$text = '';
		foreach ( $rows as $label => $value ) {
			$html .= '<tr><th align="left" valign="top">' . esc_html( $label ) . '</th><td>' . nl2br( esc_html( $value ) ) . '</td></tr>';
			$text .= $label . ': ' . $value . "\n";
		}
		$html .= '</table><p>';
		$text .= "\n";
		foreach ( $links as $label => $url ) {
			$html .= '<a href="' . esc_url( $url ) . '">' . esc_html( $label ) . '</a> &nbsp; ';
			$text .= $label . ': ' . $url . "\n";
		}
		$this->queue[] = array(
			'to'      => $to,
			/* translators: %s: the lead's name. */
			'subject' => sprintf( $subject, $name ),
			'html'    => '<html><body>' . $html . '</p></body></html>',
			'text'    => $text,
		);
	}

	/**
	 * The lines of an e-mail: who, how to reach them, when, what they answered, where they came from.
	 *
	 * @param int                  $lead_id The lead.
	 * @param string               $trigger What happened.
	 * @param array<string, mixed> $event   The normalised event.
	 * @return array<string, string> Label => value, empty ones left out.
	 */
	private function facts( int $lead_id, string $trigger, array $event ): array {
		$format  = get_option( 'date_format' ) . ' ' . get_option( 'time_format' );
		$start   = get_post_meta( $lead_id, Lead::META_BOOKING_START, true );
		$answers = array();
		foreach ( Booking_Answers::as_text( Booking_Answers::record( is_array( $event['responses'] ?? null ) ? $event['responses'] : array(), is_array( $event['response_labels'] ?? null ) ? $event['response_labels'] : array() ) ) as $label => $answer ) {
			$answers[] = $label . ': ' . $answer;
		}
		$form = json_decode( (string) get_post_meta( $lead_id, Lead::META_FORM_ANSWERS, true ), true );
		foreach ( is_array( $form ) ? $form : array() as $slug => $answer ) {
			$answers[] = ( Form_Settings::questions()[ $slug ]['label'] ?? (string) $slug ) . ': ' . ( is_scalar( $answer ) ? (string) $answer : '' );
		}
		$facts = array(
			__( 'Lead', 'solar-capture' )        => get_the_title( $lead_id ),
			__( 'E-mail', 'solar-capture' )      => (string) get_post_meta( $lead_id, Lead::META_EMAIL, true ),
			__( 'Phone', 'solar-capture' )       => (string) get_post_meta( $lead_id, Lead::META_PHONE, true ),
			__( 'Status', 'solar-capture' )      => Lead::status_label( self::NEWS[ $trigger ] ),
			/* translators: %s: the site's time zone. */
			sprintf( __( 'Appointment (%s)', 'solar-capture' ), wp_timezone_string() ) => is_numeric( $start ) && 'FORM_SUBMITTED' !== $trigger ? (string) wp_date( $format, (int) $start ) : '',
			__( 'Event type', 'solar-capture' )  => (string) get_post_meta( $lead_id, Lead::META_EVENT_TYPE, true ),
			__( 'Reason', 'solar-capture' )      => (string) ( $event['cancellation_reason'] ?? $event['reschedule_reason'] ?? '' ),
			__( 'Answers', 'solar-capture' )     => implode( "\n", $answers ),
			__( 'Source', 'solar-capture' )      => Lead_Capture::source_label( Lead_Capture::source( (string) get_post_meta( $lead_id, Lead::META_SOURCE, true ) ) ),
		);
		return array_filter( $facts, static fn ( string $value ): bool => '' !== $value );
	}

	/**
	 * Hook (shutdown): sends what was queued, after the answer went out.
	 */
	public function send_queued(): void {
		if ( array() === $this->queue ) {
			return;
		}
		if ( function_exists( 'fastcgi_finish_request' ) ) {
			fastcgi_finish_request();
		}
		$queue       = $this->queue;
		$this->queue = array();
		foreach ( $queue as $mail ) {
			$alt = static function ( $phpmailer ) use ( $mail ): void {
				$phpmailer->AltBody = $mail['text']; // phpcs:ignore WordPress.NamingConventions.ValidVariableName.UsedPropertyNotSnakeCase -- PHPMailer's.
			};
			add_action( 'phpmailer_init', $alt );
			wp_mail( $mail['to'], $mail['subject'], $mail['html'], array( 'Content-Type: text/html; charset=UTF-8' ) );
			remove_action( 'phpmailer_init', $alt );
		}
	}

	/**
	 * What is queued (tests; the answer to the sender has not waited for any of it).
	 *
	 * @return list<array{to: string[], subject: string, html: string, text: string}>
	 */
	public function queued(): array {
		return $this->queue;
	}

	/**
	 * @param \WP_User $user The profile's user.
	 */
	public function profile_field( $user ): void {
		if ( ! $user instanceof \WP_User || ! user_can( $user, Lead_Roles::EDIT_CAP ) ) {
			return;
		}
		echo '<h2>' . esc_html__( 'Solar Capture', 'solar-capture' ) . '</h2><table class="form-table" role="presentation"><tr><th scope="row">' . esc_html__( 'Lead e-mails', 'solar-capture' ) . '</th><td><label><input type="checkbox" name="solar_capture_no_lead_emails" value="1"' . checked( '1', get_user_meta( $user->ID, self::OPT_OUT_META, true ), false ) . '> ' . esc_html__( 'Send me no e-mails about leads (enquiries, bookings, reschedules, cancellations, no-shows)', 'solar-capture' ) . '</label></td></tr></table>';
	}

	/**
	 * @param int $user_id The profile's user.
	 */
	public function save_profile_field( $user_id ): void {
		if ( ! current_user_can( 'edit_user', (int) $user_id ) ) {
			return;
		}
		// WordPress checked the profile form's nonce before this action.
		update_user_meta( (int) $user_id, self::OPT_OUT_META, empty( $_POST['solar_capture_no_lead_emails'] ) ? '0' : '1' ); // phpcs:ignore WordPress.Security.NonceVerification.Missing
	}
}
