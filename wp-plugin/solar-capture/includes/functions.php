<?php
/**
 * The plugin's public functions (contract sections 3 and 4).
 *
 * @package SolarCapture
 */

declare(strict_types=1);

use SolarCapture\Plugin\Capture\Booking_Link;
use SolarCapture\Plugin\Leads\Lead_Reference;
use SolarCapture\Plugin\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * The signed reference of a lead: a booking carrying it as metadata[lead_ref] beside metadata[lead_id]
 * attaches to that lead.
 *
 * @param int $lead_id Lead id.
 */
function solar_capture_lead_ref( int $lead_id ): string {
	return Lead_Reference::of( $lead_id );
}

/**
 * (Re)builds the lead index for every lead, in batches, and returns how many leads it indexed.
 */
function solar_capture_reindex_leads(): int {
	$plugin = Plugin::instance();
	return null === $plugin ? 0 : $plugin->reindex->reindex_all();
}

/**
 * The Cal.com booking link of the configured event type for a lead: metadata[lead_id], metadata[lead_ref]
 * and the lead's name and e-mail as prefill ('' when no event type is configured).
 *
 * @param int $lead_id Lead id.
 */
function solar_capture_booking_url( int $lead_id ): string {
	$post = get_post( $lead_id );
	$name = $post instanceof WP_Post ? $post->post_title : '';
	return Booking_Link::for_lead( $lead_id, $name, (string) get_post_meta( $lead_id, '_solar_email', true ) );
}
