<?php
/**
 * Admin notices for what makes Cal.com deliveries fail, each with its fix.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Pipeline\Delivery_Store;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Pipeline\Refusal_Counter;
use SolarCapture\Plugin\Webhook\Secrets;

defined( 'ABSPATH' ) || exit;

/**
 * If the two secrets differ every call is refused: the admin must see that on the screens they use,
 * not find it in a log.
 */
final class Admin_Notices {

	public function __construct(
		private Secrets $secrets,
		private Delivery_Store $deliveries,
		private Refusal_Counter $refusals,
		private Settings_Page $settings_page,
		private Delivery_Log $log
	) {
	}

	public function add_hooks(): void {
		add_action( 'admin_notices', array( $this, 'render' ) );
	}

	/**
	 * Prints the notices on the dashboard, the Plugins screen and Solar Capture's own screens.
	 */
	public function render(): void {
		if ( ! current_user_can( Settings_Page::CAPABILITY ) || ! $this->on_relevant_screen() ) {
			return;
		}
		foreach ( $this->notices() as $notice ) {
			printf(
				'<div class="notice notice-%1$s solar-capture-notice" data-solar-capture-notice="%2$s"><p><strong>%3$s</strong> %4$s <a href="%5$s">%6$s</a></p></div>',
				esc_attr( $notice['type'] ),
				esc_attr( $notice['id'] ),
				esc_html__( 'Solar Capture:', 'solar-capture' ),
				esc_html( $notice['message'] ),
				esc_url( $notice['link'] ),
				esc_html( $notice['link_text'] )
			);
		}
	}

	/**
	 * The notices that apply now.
	 *
	 * @return list<array{id: string, type: string, message: string, link: string, link_text: string}>
	 */
	public function notices(): array {
		$notices      = array();
		$integrations = $this->settings_page->page_url();
		$open         = __( 'Open Integrations', 'solar-capture' );
		$current      = $this->secrets->current();

		if ( array() === $this->secrets->by_slot() ) {
			$notices[] = array(
				'id'        => 'no_secret',
				'type'      => 'error',
				'message'   => __( 'no webhook secret is set, so every delivery from Cal.com is refused (503). Fix: under Solar leads > Settings > Integrations, generate a secret, save it, and enter the same value in the Secret field of the webhook in Cal.com.', 'solar-capture' ),
				'link'      => $integrations,
				'link_text' => $open,
			);
		} elseif ( '' !== $current && strlen( $current ) < Secrets::MIN_LENGTH ) {
			$notices[] = array(
				'id'        => 'short_secret',
				'type'      => 'warning',
				'message'   => sprintf(
					/* translators: 1: length of the secret, 2: minimum length. */
					__( 'the webhook secret is only %1$d characters long. Fix: generate one of %2$d characters or more under Solar leads > Settings > Integrations, keep the current one as the previous secret while you enter the new one in Cal.com, then remove the previous one.', 'solar-capture' ),
					strlen( $current ),
					Secrets::MIN_LENGTH
				),
				'link'      => $integrations,
				'link_text' => $open,
			);
		}

		$template = $this->deliveries->latest( Delivery_Store::REJECTED, null, Reason::CUSTOM_TEMPLATE );
		$accepted = null === $template ? null : $this->deliveries->latest( Delivery_Store::ACCEPTED );
		if ( null !== $template && ( null === $accepted || (int) $accepted->id < (int) $template->id ) ) {
			$notices[] = array(
				'id'        => 'custom_template',
				'type'      => 'error',
				'message'   => Reason::sentence( Reason::CUSTOM_TEMPLATE ),
				'link'      => Delivery_Log::url( array( 'result' => Delivery_Store::REJECTED ) ),
				'link_text' => __( 'See the refused deliveries', 'solar-capture' ),
			);
		}

		// Counted, not scanned, and only requests that looked like Cal.com's: anybody can post a bad
		// signature, and a stray forged request must not tell the admin to rotate a secret that works.
		$wrong = $this->refusals->calcom_like_since( Reason::INVALID_SIGNATURE, time() - DAY_IN_SECONDS );
		// Once a delivery verifies after the last refusal, the secrets have been put right.
		if ( $wrong['count'] > 0 && null !== $wrong['newest'] && ! $this->deliveries->verified_after( $wrong['newest'] ) ) {
			$notices[] = array(
				'id'        => 'wrong_signature',
				'type'      => 'error',
				'message'   => sprintf(
					/* translators: 1: number of deliveries, 2: date and time of the newest one. */
					_n(
						'%1$d delivery was refused in the last 24 hours because its signature did not match (401), the last at %2$s: Cal.com signs with a different secret than this site. Fix: under Solar leads > Settings > Integrations, generate and save a new secret (keep the current one as previous), and paste the same value into the Secret field of the webhook in Cal.com (Settings > Developer > Webhooks).',
						'%1$d deliveries were refused in the last 24 hours because their signature did not match (401), the last at %2$s: Cal.com signs with a different secret than this site. Fix: under Solar leads > Settings > Integrations, generate and save a new secret (keep the current one as previous), and paste the same value into the Secret field of the webhook in Cal.com (Settings > Developer > Webhooks).',
						$wrong['count'],
						'solar-capture'
					),
					$wrong['count'],
					Delivery_Log::format_received( $wrong['newest'] )
				),
				'link'      => $integrations,
				'link_text' => $open,
			);
		}
		return $notices;
	}

	private function on_relevant_screen(): bool {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		if ( null === $screen ) {
			return false;
		}
		return in_array( $screen->id, array( 'dashboard', 'plugins', 'edit-' . Lead::POST_TYPE, Lead::POST_TYPE, $this->settings_page->hook_suffix(), $this->log->hook_suffix() ), true )
			|| Lead::POST_TYPE === $screen->post_type;
	}
}
