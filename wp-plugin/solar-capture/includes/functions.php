<?php
/**
 * The plugin's public functions (contract sections 3 and 4).
 *
 * @package SolarCapture
 */

declare(strict_types=1);

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
