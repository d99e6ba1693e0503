<?php
/**
 * Solar leads > Settings > Integrations: connecting Cal.com's webhook.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin\Settings;

use SolarCapture\Plugin\Admin\Admin_Screen;
use SolarCapture\Plugin\Admin\Delivery_Log;
use SolarCapture\Plugin\Admin\Settings_Page;
use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Calcom\Connection;
use SolarCapture\Plugin\Calcom\Reconciler;
use SolarCapture\Plugin\Engine;
use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Webhook\Webhook_Controller;

defined( 'ABSPATH' ) || exit;

/**
 * Cal.com's API connection (paste a key, press Connect) and the last reconciliation; then the endpoint
 * to copy, the shared secret (with rotation), the triggers, the last deliveries, a test delivery and the
 * engine, for a webhook set up by hand. view() does every lookup; the render methods only print.
 */
final class Integrations_Tab {

	public function __construct(
		private Engine $engine,
		private Secrets $secrets,
		private Delivery_Store $deliveries,
		private Webhook_Controller $controller,
		private Endpoint_Check $endpoint_check,
		private Api_Settings $api_settings,
		private Reconciler $reconciler
	) {
	}

	/**
	 * Everything the tab shows.
	 *
	 * @return array<string, mixed>
	 */
	public function view(): array {
		$key    = Settings_Page::TEST_RESULT_TRANSIENT . get_current_user_id();
		$result = get_transient( $key );
		if ( is_array( $result ) && isset( $result['ok'], $result['message'] ) ) {
			delete_transient( $key ); // Shown once.
		} else {
			$result = null;
		}
		$calcom_key = Settings_Page::CALCOM_RESULT_TRANSIENT . get_current_user_id();
		$calcom     = get_transient( $calcom_key );
		if ( is_array( $calcom ) && isset( $calcom['ok'], $calcom['message'] ) ) {
			delete_transient( $calcom_key );
		} else {
			$calcom = null;
		}
		$api_key = $this->api_settings->key();
		$next    = wp_next_scheduled( Reconciler::CRON_HOOK );
		return array(
			'calcom'               => array(
				'result'        => $calcom,
				'key'           => '' === $api_key ? '' : Api_Settings::mask( $api_key ),
				'key_constant'  => $this->api_settings->key_is_constant(),
				'base'          => $this->api_settings->base(),
				'base_constant' => $this->api_settings->base_is_constant(),
				'hosted'        => $this->api_settings->is_hosted(),
				'refusal'       => $this->api_settings->is_hosted() ? Connection::hosted_refusal( $this->controller->url() ) : null,
				'connection'    => '' === $api_key ? array() : $this->api_settings->connection(),
				'last_run'      => $this->reconciler->last_run(),
				'next_run'      => false === $next ? null : (int) $next,
			),
			'test_result'          => $result,
			'url'                  => $this->controller->url(),
			'pretty_permalinks'    => (bool) get_option( 'permalink_structure' ),
			'problems'             => $this->endpoint_check->problems(),
			'checked_at'           => $this->endpoint_check->checked_at(),
			'current'              => $this->secrets->current(),
			'previous'             => $this->secrets->previous(),
			'current_is_constant'  => $this->secrets->current_is_constant(),
			'previous_is_constant' => $this->secrets->previous_is_constant(),
			'last_match'           => array(
				Secrets::SLOT_CURRENT  => $this->secrets->last_match( Secrets::SLOT_CURRENT ),
				Secrets::SLOT_PREVIOUS => $this->secrets->last_match( Secrets::SLOT_PREVIOUS ),
			),
			'last_delivery'        => $this->deliveries->newest(),
			'last_ping'            => $this->deliveries->latest( Delivery_Store::ACCEPTED, 'PING' ),
			'engine'               => $this->engine->info(),
		);
	}

	/**
	 * Prints the tab: every lookup first (view()), then only printing.
	 */
	public function render(): void {
		$view = $this->view();
		$this->render_test_result( $view['test_result'] );
		$this->render_notice();
		$this->render_calcom( $view['calcom'] );

		echo '<details class="solar-capture-manual"' . ( array() === $view['calcom']['connection'] ? ' open' : '' ) . '><summary>' . esc_html__( 'Setting the webhook up by hand instead', 'solar-capture' ) . '</summary>';
		echo '<ol class="solar-capture-steps">';
		foreach ( array(
			__( 'Copy the endpoint URL below.', 'solar-capture' ),
			__( 'In Cal.com, open Settings > Developer > Webhooks > New.', 'solar-capture' ),
			__( 'Paste the URL as the Subscriber URL.', 'solar-capture' ),
			__( 'Enter the same shared secret here and in Cal.com (32 characters or more; Generate makes one).', 'solar-capture' ),
			__( 'Pick BOOKING_CREATED, BOOKING_RESCHEDULED and BOOKING_CANCELLED (and the others below that you use); leave Custom Payload empty.', 'solar-capture' ),
			__( 'Save, then press "Ping test" in Cal.com or "Send test delivery" here.', 'solar-capture' ),
		) as $text ) {
			echo '<li>' . esc_html( $text ) . '</li>';
		}
		echo '</ol></details>';

		$this->render_endpoint( $view );
		$this->render_secrets( $view );
		$this->render_triggers();
		$this->render_deliveries( $view );
		$this->render_engine( $view['engine'] );
	}

	/**
	 * The Cal.com account: Connect (key, optional self-hosted API base), or what is connected, with
	 * Check, Reconcile now and Disconnect; then the last reconciliation.
	 *
	 * @param array<string, mixed> $calcom From view()['calcom'].
	 */
	private function render_calcom( array $calcom ): void {
		$result = $calcom['result'];
		if ( null !== $result ) {
			printf( '<div class="notice notice-%1$s" id="solar-capture-calcom-result" data-ok="%2$s"><p>%3$s</p>', $result['ok'] ? 'success' : 'error', $result['ok'] ? '1' : '0', esc_html( (string) $result['message'] ) );
			if ( ! empty( $result['steps'] ) && is_array( $result['steps'] ) ) {
				echo '<ul class="solar-capture-connect-steps">';
				foreach ( $result['steps'] as $step ) {
					echo '<li>' . esc_html( (string) $step ) . '</li>';
				}
				echo '</ul>';
			}
			echo '</div>';
		}

		$connection = $calcom['connection'];
		$user       = is_array( $connection['user'] ?? null ) ? $connection['user'] : array();
		echo '<h2 id="solar-capture-calcom-heading">' . esc_html__( 'Cal.com account', 'solar-capture' ) . '</h2>';
		echo '<div id="solar-capture-calcom" data-connected="' . ( array() === $user ? '0' : '1' ) . '">';
		if ( array() === $user ) {
			echo '<p>' . esc_html__( 'Paste a Cal.com API key and press Connect. Solar Capture then sets up the webhook in Cal.com with a new shared secret, reads your event types for the lead form, sends a test delivery, and every hour looks for bookings whose webhook never came.', 'solar-capture' ) . '</p>';
			if ( null !== $calcom['refusal'] ) {
				echo '<div class="notice notice-warning inline" id="solar-capture-hosted-refusal"><p>' . esc_html( $calcom['refusal'] ) . ' ' . esc_html__( 'Connecting still saves the key, and reconciliation then finds new bookings every hour.', 'solar-capture' ) . '</p></div>';
			}
			Admin_Screen::open_action_form( Settings_Page::CONNECT_ACTION, '', 'id="solar-capture-connect-form"' );
			echo '<table class="form-table" role="presentation"><tbody>';
			if ( $calcom['key_constant'] ) {
				Admin_Screen::form_row( __( 'API key', 'solar-capture' ), '<code>' . esc_html( $calcom['key'] ) . '</code><p class="description">' . esc_html__( 'Set by SOLAR_CAPTURE_CALCOM_API_KEY in wp-config.php.', 'solar-capture' ) . '</p>' );
			} else {
				Admin_Screen::form_row(
					'<label for="solar-capture-api-key">' . esc_html__( 'API key', 'solar-capture' ) . '</label>',
					'<input type="password" id="solar-capture-api-key" name="solar_capture_api_key" class="regular-text code" autocomplete="off" spellcheck="false" aria-describedby="solar-capture-api-key-help">'
					. '<p class="description" id="solar-capture-api-key-help">' . esc_html__( 'In Cal.com: Settings > Developer > API keys > New. Copy the key (it starts with cal_live_) and paste it here. It is stored on this site only and never shown again.', 'solar-capture' ) . '</p>',
					false
				);
			}
			$base = $calcom['hosted'] ? '' : $calcom['base'];
			Admin_Screen::form_row(
				'<label for="solar-capture-api-base">' . esc_html__( 'Self-hosted Cal.com', 'solar-capture' ) . '</label>',
				$calcom['base_constant']
					? '<code>' . esc_html( $calcom['base'] ) . '</code><p class="description">' . esc_html__( 'Set by SOLAR_CAPTURE_CALCOM_API_BASE in wp-config.php.', 'solar-capture' ) . '</p>'
					: '<input type="url" id="solar-capture-api-base" name="solar_capture_api_base" class="regular-text code" value="' . esc_attr( $base ) . '" placeholder="https://cal.example.com/api"><p class="description">' . esc_html__( 'Only for a Cal.com you host yourself: the address of its API. Leave it empty for cal.com.', 'solar-capture' ) . '</p>',
				false
			);
			echo '</tbody></table>';
			submit_button( __( 'Connect Cal.com', 'solar-capture' ), 'primary', 'solar-capture-connect' );
			echo '</form></div>';
			return;
		}

		echo '<table class="form-table" role="presentation"><tbody>';
		Admin_Screen::form_row( __( 'Connected as', 'solar-capture' ), '<span id="solar-capture-calcom-user">' . esc_html( sprintf( '%1$s <%2$s>', (string) $user['username'], (string) $user['email'] ) ) . '</span>' );
		$webhook = empty( $connection['webhook_id'] )
			? '<span id="solar-capture-calcom-webhook" data-ok="0">' . esc_html( (string) ( $connection['webhook_error'] ?? __( 'Not set up.', 'solar-capture' ) ) ) . '</span>'
			: '<span id="solar-capture-calcom-webhook" data-ok="1">' . esc_html(
				sprintf(
					/* translators: 1: the endpoint URL, 2: number of triggers. */
					__( 'Sends to %1$s (%2$d triggers), signed with the current secret.', 'solar-capture' ),
					(string) $connection['subscriber'],
					count( (array) ( $connection['triggers'] ?? array() ) )
				)
			) . '</span> <code class="solar-capture-webhook-id">' . esc_html( (string) $connection['webhook_id'] ) . '</code>';
		Admin_Screen::form_row( __( 'Webhook', 'solar-capture' ), $webhook );
		$types = (array) ( $connection['event_types'] ?? array() );
		Admin_Screen::form_row(
			__( 'Event types', 'solar-capture' ),
			esc_html(
				array() === $types ? __( 'None found.', 'solar-capture' ) : implode( ', ', array_map( static fn ( $type ): string => (string) ( $type['title'] ?? '' ), $types ) )
			) . ' <a href="' . esc_url( Admin_Screen::url( Settings_Page::PAGE, array( 'tab' => Settings_Page::TAB_FORM ) ) ) . '">' . esc_html__( 'Pick the one the lead form books', 'solar-capture' ) . '</a>'
		);
		Admin_Screen::form_row( __( 'API key', 'solar-capture' ), '<code>' . esc_html( $calcom['key'] ) . '</code>' . ( $calcom['key_constant'] ? ' ' . esc_html__( '(SOLAR_CAPTURE_CALCOM_API_KEY in wp-config.php)', 'solar-capture' ) : '' ) . ' ' . esc_html( $calcom['base'] ) );
		Admin_Screen::form_row( __( 'Last reconciliation', 'solar-capture' ), $this->last_run_cell( $calcom['last_run'], $calcom['next_run'] ) );
		echo '</tbody></table><p>';
		Admin_Screen::open_action_form( Settings_Page::CONNECT_ACTION );
		submit_button( __( 'Check and repair', 'solar-capture' ), 'secondary', 'solar-capture-check-connection', false );
		echo '</form> ';
		Admin_Screen::open_action_form( Settings_Page::RECONCILE_ACTION );
		submit_button( __( 'Reconcile now', 'solar-capture' ), 'secondary', 'solar-capture-reconcile', false );
		echo '</form> ';
		Admin_Screen::open_action_form( Settings_Page::DISCONNECT_ACTION );
		submit_button( __( 'Disconnect', 'solar-capture' ), 'delete', 'solar-capture-disconnect', false );
		echo '</form></p></div>';
	}

	/**
	 * @param array<string, mixed>|null $run  Reconciler::last_run().
	 * @param int|null                  $next When the next run is scheduled.
	 */
	private function last_run_cell( ?array $run, ?int $next ): string {
		$html = null === $run
			? esc_html__( 'Not run yet.', 'solar-capture' )
			: '<span id="solar-capture-last-reconcile" data-status="' . esc_attr( (string) $run['status'] ) . '">' . esc_html(
				sprintf(
					/* translators: 1: how long ago, 2: what happened. */
					__( '%1$s ago: %2$s', 'solar-capture' ),
					human_time_diff( (int) $run['finished_at'] ),
					(string) $run['message']
				)
			) . '</span>';
		foreach ( (array) ( $run['error_samples'] ?? array() ) as $sample ) {
			$html .= '<br><span class="description">' . esc_html( (string) $sample ) . '</span>';
		}
		if ( null !== $next ) {
			/* translators: %s: time until the next run, e.g. "40 mins". */
			$html .= '<p class="description">' . esc_html( sprintf( __( 'Runs every hour; next in %s. From the command line: wp solar-capture reconcile', 'solar-capture' ), human_time_diff( $next ) ) ) . '</p>';
		}
		return $html;
	}

	/**
	 * @param array<string, mixed> $view From view().
	 */
	private function render_endpoint( array $view ): void {
		$url = $view['url'];
		echo '<h2 id="solar-capture-endpoint-heading">' . esc_html__( 'Webhook endpoint', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody><tr><th scope="row"><label for="solar-capture-endpoint">' . esc_html__( 'Subscriber URL', 'solar-capture' ) . '</label></th><td>';
		printf(
			'<input type="text" id="solar-capture-endpoint" class="large-text code" value="%1$s" readonly> <p><button type="button" class="button hide-if-no-js" id="solar-capture-copy-endpoint" data-solar-capture-copy="#solar-capture-endpoint" data-copied="%2$s">%3$s</button> <span class="solar-capture-copy-status" aria-live="polite"></span></p>',
			esc_attr( $url ),
			esc_attr__( 'Copied to the clipboard.', 'solar-capture' ),
			esc_html__( 'Copy endpoint URL', 'solar-capture' )
		);
		if ( ! $view['pretty_permalinks'] ) {
			echo '<p class="description">' . esc_html__( 'Permalinks are set to "Plain", so the endpoint uses the ?rest_route= form. It works as it is; if you switch to pretty permalinks later, copy the URL again.', 'solar-capture' ) . '</p>';
		}

		$problems = $view['problems'];
		foreach ( $problems as $problem ) {
			printf( '<div class="notice notice-warning inline solar-capture-endpoint-problem" data-problem="%1$s"><p>%2$s</p></div>', esc_attr( $problem['type'] ), esc_html( $problem['message'] ) );
		}
		if ( array() === $problems ) {
			echo '<p class="solar-capture-ok">' . esc_html__( 'The endpoint answers directly: no redirect, the REST API is open to Cal.com.', 'solar-capture' ) . '</p>';
		}
		$checked = $view['checked_at'];
		Admin_Screen::open_action_form( Settings_Page::CHECK_ACTION );
		if ( null !== $checked ) {
			echo '<span class="description">' . esc_html(
				sprintf(
					/* translators: %s: how long ago, e.g. "2 mins". */
					__( 'Checked %s ago.', 'solar-capture' ),
					human_time_diff( $checked )
				)
			) . '</span> ';
		}
		submit_button( __( 'Check again', 'solar-capture' ), 'small', 'submit', false );
		echo '</form>';
		echo '</td></tr></tbody></table>';
	}

	/**
	 * @param array<string, mixed> $view From view().
	 */
	private function render_secrets( array $view ): void {
		echo '<h2>' . esc_html__( 'Shared secret', 'solar-capture' ) . '</h2>';
		echo '<p>' . esc_html__( 'Cal.com signs every delivery with this secret and Solar Capture refuses any delivery whose signature does not match. The same value goes into the Secret field of the webhook in Cal.com.', 'solar-capture' ) . '</p>';

		$current  = $view['current'];
		$previous = $view['previous'];
		echo '<table class="form-table" role="presentation"><tbody>';

		$cell = '';
		if ( '' === $current ) {
			$cell = '<strong>' . esc_html__( 'Not set: every delivery is refused (503).', 'solar-capture' ) . '</strong>';
		} else {
			$cell = '<code class="solar-capture-masked" id="solar-capture-current-secret">' . esc_html( Secrets::mask( $current ) ) . '</code> '
				. esc_html( $this->length_and_match( $current, $view['last_match'][ Secrets::SLOT_CURRENT ] ) );
			if ( strlen( $current ) < Secrets::MIN_LENGTH ) {
				$cell .= '<div class="notice notice-warning inline"><p>' . esc_html(
					sprintf(
						/* translators: 1: length of the secret, 2: minimum length. */
						__( 'This secret is only %1$d characters long. Use %2$d or more: generate a new one below and keep this one as the previous secret until Cal.com uses the new one.', 'solar-capture' ),
						strlen( $current ),
						Secrets::MIN_LENGTH
					)
				) . '</p></div>';
			}
		}
		if ( $view['current_is_constant'] ) {
			$cell .= '<p class="description">' . esc_html__( 'Set by the SOLAR_CAPTURE_CALCOM_SECRET constant in wp-config.php, which wins over anything saved here. Change it there.', 'solar-capture' ) . '</p>';
		}
		Admin_Screen::form_row( __( 'Current secret', 'solar-capture' ), $cell );

		if ( '' !== $previous ) {
			$cell = '<code class="solar-capture-masked" id="solar-capture-previous-secret">' . esc_html( Secrets::mask( $previous ) ) . '</code> '
				. esc_html( $this->length_and_match( $previous, $view['last_match'][ Secrets::SLOT_PREVIOUS ] ) )
				. '<p class="description">' . esc_html__( 'Still accepted, so nothing is lost while Cal.com switches to the current secret. Remove it once Cal.com uses the current one (its last match stops moving).', 'solar-capture' ) . '</p>';
			if ( $view['previous_is_constant'] ) {
				$cell .= '<p class="description">' . esc_html__( 'Set by the SOLAR_CAPTURE_CALCOM_PREVIOUS_SECRET constant in wp-config.php; remove it there.', 'solar-capture' ) . '</p>';
			}
			Admin_Screen::form_row( __( 'Previous secret', 'solar-capture' ), $cell );
		}
		echo '</tbody></table>';

		if ( '' !== $previous && ! $view['previous_is_constant'] ) {
			Admin_Screen::open_action_form( Settings_Page::REMOVE_PREVIOUS_ACTION );
			submit_button( __( 'Remove previous secret', 'solar-capture' ), 'secondary', 'solar-capture-remove-previous', false );
			echo '</form>';
		}

		if ( $view['current_is_constant'] ) {
			return;
		}
		Admin_Screen::open_action_form( Settings_Page::SAVE_SECRET_ACTION, '', 'id="solar-capture-secret-form"' );
		echo '<table class="form-table" role="presentation"><tbody>';
		$field = sprintf(
			'<input type="text" id="solar-capture-new-secret" name="solar_capture_new_secret" class="regular-text code" value="" autocomplete="off" spellcheck="false" maxlength="%1$d" data-min-length="%2$d" data-short="%3$s" data-long="%4$s" aria-describedby="solar-capture-secret-help solar-capture-secret-length">'
			. ' <button type="button" class="button hide-if-no-js" id="solar-capture-generate-secret" data-solar-capture-generate="#solar-capture-new-secret" data-length="%5$d">%6$s</button>'
			. ' <button type="button" class="button hide-if-no-js" data-solar-capture-copy="#solar-capture-new-secret" data-copied="%7$s">%8$s</button>'
			. ' <span class="solar-capture-copy-status" aria-live="polite"></span>'
			. '<p class="description solar-capture-length" id="solar-capture-secret-length" aria-live="polite"></p>'
			. '<p class="description" id="solar-capture-secret-help">%9$s</p>',
			Secrets::MAX_LENGTH,
			Secrets::MIN_LENGTH,
			/* translators: %d: number of characters typed. Keep the placeholder: JavaScript fills it. */
			esc_attr__( '%d characters: too short, use 32 or more.', 'solar-capture' ),
			/* translators: %d: number of characters typed. Keep the placeholder: JavaScript fills it. */
			esc_attr__( '%d characters.', 'solar-capture' ),
			Secrets::GENERATED_LENGTH,
			esc_html__( 'Generate', 'solar-capture' ),
			esc_attr__( 'Copied to the clipboard.', 'solar-capture' ),
			esc_html__( 'Copy', 'solar-capture' ),
			esc_html__( 'Generate a secret (or type one of 32 characters or more), copy it into the Secret field of the webhook in Cal.com, then save it here. Once saved it is never shown again.', 'solar-capture' )
		);
		if ( '' !== $current ) {
			$field .= sprintf(
				'<p><label><input type="checkbox" name="solar_capture_keep_previous" value="1" checked> %s</label></p>',
				esc_html__( 'Keep the current secret accepted as the previous secret until I remove it (rotation: no delivery is refused while Cal.com switches).', 'solar-capture' )
			);
		}
		Admin_Screen::form_row( '<label for="solar-capture-new-secret">' . esc_html( '' === $current ? __( 'Secret', 'solar-capture' ) : __( 'New secret', 'solar-capture' ) ) . '</label>', $field, false );
		echo '</tbody></table>';
		submit_button( __( 'Save secret', 'solar-capture' ), 'primary', 'solar-capture-save-secret' );
		echo '</form>';
	}

	/**
	 * "(48 characters; last verified a delivery 5 mins ago)".
	 *
	 * @param string   $secret The secret.
	 * @param int|null $last   Unix time it last verified a delivery.
	 */
	private function length_and_match( string $secret, ?int $last ): string {
		return sprintf(
			/* translators: 1: number of characters, 2: when it last verified a delivery. */
			__( '(%1$d characters; %2$s)', 'solar-capture' ),
			strlen( $secret ),
			null === $last
				? __( 'has not verified a delivery yet', 'solar-capture' )
				/* translators: %s: how long ago, e.g. "5 mins". */
				: sprintf( __( 'last verified a delivery %s ago', 'solar-capture' ), human_time_diff( $last ) )
		);
	}

	private function render_triggers(): void {
		echo '<h2>' . esc_html__( 'Triggers to enable in Cal.com', 'solar-capture' ) . '</h2>';
		echo '<p>' . esc_html__( 'Tick these in the webhook form. Leave "Custom Payload" empty: Solar Capture reads Cal.com\'s default body.', 'solar-capture' ) . '</p>';
		$triggers = array(
			array( 'BOOKING_CREATED', true, __( 'A booking was made: creates the lead (or updates the one with the same e-mail) with status Booked, the appointment time, event type and phone.', 'solar-capture' ) ),
			array( 'BOOKING_RESCHEDULED', true, __( 'The appointment moved: the lead keeps its history and gets the new time and booking, status Rescheduled.', 'solar-capture' ) ),
			array( 'BOOKING_CANCELLED', true, __( 'The booking was cancelled: status Cancelled, with the reason given.', 'solar-capture' ) ),
			array( 'BOOKING_REQUESTED', false, __( 'Event types that need confirmation: status Requested until you confirm; a reschedule request waits without changing the booking.', 'solar-capture' ) ),
			array( 'BOOKING_REJECTED', false, __( 'You declined a requested booking: status Rejected.', 'solar-capture' ) ),
			array( 'BOOKING_PAID', false, __( 'Paid event types: status Booked once paid.', 'solar-capture' ) ),
			array( 'BOOKING_NO_SHOW_UPDATED', false, __( 'An attendee was marked as no-show: status No-show.', 'solar-capture' ) ),
			array( 'MEETING_ENDED', false, __( 'The video meeting ended: status Completed.', 'solar-capture' ) ),
		);
		echo '<table class="widefat striped solar-capture-triggers"><thead><tr><th scope="col">' . esc_html__( 'Trigger', 'solar-capture' ) . '</th><th scope="col">' . esc_html__( 'Needed', 'solar-capture' ) . '</th><th scope="col">' . esc_html__( 'What it does to a lead', 'solar-capture' ) . '</th></tr></thead><tbody>';
		foreach ( $triggers as list( $trigger, $required, $effect ) ) {
			echo '<tr><td><code>' . esc_html( $trigger ) . '</code></td><td>' . esc_html( $required ? __( 'Yes', 'solar-capture' ) : __( 'If you use it', 'solar-capture' ) ) . '</td><td>' . esc_html( $effect ) . '</td></tr>';
		}
		echo '</tbody></table>';
		echo '<p class="description">' . esc_html__( 'Every event is also kept on the lead\'s timeline. Other booking triggers (meeting started, location updated, ...) only add to the timeline; the rest (forms, recordings, ...) are logged and change no lead. A late event never overwrites a newer status.', 'solar-capture' ) . '</p>';
	}

	/**
	 * @param array<string, mixed> $view From view().
	 */
	private function render_deliveries( array $view ): void {
		echo '<h2>' . esc_html__( 'Deliveries', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody>';

		$last = $view['last_delivery'];
		if ( null === $last ) {
			$cell = esc_html__( 'Nothing received yet.', 'solar-capture' );
		} else {
			$cell = '<span id="solar-capture-last-delivery">' . esc_html(
				sprintf(
					/* translators: 1: date and time, 2: trigger, 3: result, 4: reason. */
					__( '%1$s: %2$s, %3$s (%4$s)', 'solar-capture' ),
					Delivery_Log::format_received( (string) $last->received_at ),
					'' !== (string) $last->trigger_event ? (string) $last->trigger_event : __( 'no trigger', 'solar-capture' ),
					Delivery_Log::result_label( (string) $last->result ),
					(string) $last->reason_code
				)
			) . '</span> <a href="' . esc_url( Delivery_Log::url() ) . '">' . esc_html__( 'Delivery log', 'solar-capture' ) . '</a>';
		}
		Admin_Screen::form_row( __( 'Last delivery received', 'solar-capture' ), $cell );

		$ping = $view['last_ping'];
		Admin_Screen::form_row(
			__( 'Last verified ping', 'solar-capture' ),
			null === $ping
				? esc_html__( 'None yet. Press "Ping test" in the webhook form in Cal.com, or "Send test delivery" below.', 'solar-capture' )
				: esc_html(
					sprintf(
						/* translators: %s: date and time of the last ping. */
						__( 'Connection works: the last ping arrived %s and its signature verified.', 'solar-capture' ),
						Delivery_Log::format_received( (string) $ping->received_at )
					)
				)
		);
		echo '</tbody></table>';

		Admin_Screen::open_action_form( Settings_Page::TEST_ACTION, '', 'id="solar-capture-test-form"' );
		submit_button( __( 'Send test delivery', 'solar-capture' ), 'secondary', 'solar-capture-send-test', false );
		echo ' <span class="description">' . esc_html__( 'Posts a signed PING to the endpoint above, from this server, the way Cal.com does, and shows what came back.', 'solar-capture' ) . '</span>';
		echo '</form>';
	}

	/**
	 * @param array{engine: string, version: string, sha256_hardware: ?bool} $engine \SolarCapture\engine_info().
	 */
	private function render_engine( array $engine ): void {
		echo '<h2>' . esc_html__( 'Engine', 'solar-capture' ) . '</h2>';
		echo '<table class="form-table" role="presentation"><tbody>';
		if ( 'native' === $engine['engine'] ) {
			$sha = $this->engine->sha_hardware();
			Admin_Screen::form_row(
				__( 'Engine', 'solar-capture' ),
				'<span id="solar-capture-engine">' . esc_html(
					sprintf(
						/* translators: %s: version of the PHP extension. */
						__( 'Native PHP extension solar_capture %s', 'solar-capture' ),
						$engine['version']
					)
				) . '</span>'
			);
			Admin_Screen::form_row( __( 'SHA-256 in hardware (SHA-NI)', 'solar-capture' ), esc_html( $sha ?? __( 'not reported', 'solar-capture' ) ) );
		} else {
			Admin_Screen::form_row(
				__( 'Engine', 'solar-capture' ),
				'<span id="solar-capture-engine">' . esc_html(
					sprintf(
						/* translators: %s: version of the bundled engine. */
						__( 'Pure-PHP engine %s (bundled). Results are identical; the native extension is about five times faster.', 'solar-capture' ),
						$engine['version']
					)
				) . '</span>'
			);
			Admin_Screen::form_row(
				__( 'Installing the extension', 'solar-capture' ),
				esc_html(
					sprintf(
						/* translators: 1: PHP version, 2: NTS or ZTS, 3: directory of extra .ini files. */
						__( 'Build libsolar_capture.so for PHP %1$s %2$s (cargo build --release in the Solar Capture source), add "extension=/path/to/libsolar_capture.so" to a .ini file of the PHP that runs WordPress (%3$s), restart PHP-FPM or the web server, and check with: php --ri solar_capture. This screen then shows the native engine.', 'solar-capture' ),
						PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION,
						PHP_ZTS ? 'ZTS' : 'NTS',
						'' !== (string) PHP_CONFIG_FILE_SCAN_DIR ? PHP_CONFIG_FILE_SCAN_DIR : __( 'php.ini', 'solar-capture' )
					)
				)
			);
		}
		echo '</tbody></table>';
	}

	/**
	 * @param array<string, mixed>|null $result The outcome of "Send test delivery", shown once.
	 */
	private function render_test_result( ?array $result ): void {
		if ( null === $result ) {
			return;
		}
		printf(
			'<div class="notice notice-%1$s" id="solar-capture-test-result" data-ok="%2$s"><p>%3$s</p></div>',
			$result['ok'] ? 'success' : 'error',
			$result['ok'] ? '1' : '0',
			esc_html( (string) $result['message'] )
		);
	}

	private function render_notice(): void {
		$messages = array(
			'secret_saved'       => array( 'success', __( 'Secret saved. It is not shown again: make sure the Secret field of the webhook in Cal.com holds the same value, then send a test delivery.', 'solar-capture' ) ),
			'secret_rotated'     => array( 'success', __( 'New secret saved; the one it replaced is still accepted as the previous secret. Enter the new secret in Cal.com, then remove the previous one here once it stops matching.', 'solar-capture' ) ),
			/* translators: %d: minimum length. */
			'secret_saved_short' => array( 'warning', sprintf( __( 'Secret saved, but it is shorter than %d characters. Generate a longer one.', 'solar-capture' ), Secrets::MIN_LENGTH ) ),
			'secret_empty'       => array( 'error', __( 'Nothing was saved: enter or generate a secret first.', 'solar-capture' ) ),
			'secret_constant'    => array( 'error', __( 'The secret is set by SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php; change it there.', 'solar-capture' ) ),
			'previous_removed'   => array( 'success', __( 'The previous secret was removed: only the current secret is accepted now.', 'solar-capture' ) ),
			'previous_constant'  => array( 'error', __( 'The previous secret is set by SOLAR_CAPTURE_CALCOM_PREVIOUS_SECRET in wp-config.php; remove it there.', 'solar-capture' ) ),
		);
		Admin_Screen::render_query_notice( $messages, 'solar-capture-notice' );
	}
}
