<?php
/**
 * Runs when the plugin is deleted from wp-admin: removes the plugin's tables, options and scheduled
 * event on every site, and its leads only when the site chose so under Solar leads > Settings > Data.
 *
 * @package SolarCapture
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

/**
 * Removes Solar Capture's data from the current site. A function, not file-scope code, so that the
 * loop below can run it once per site without leaking variables.
 */
function solar_capture_uninstall_site() {
	global $wpdb;

	if ( get_option( 'solar_capture_delete_data_on_uninstall' ) ) {
		// Straight to the database in batches: the post type is not registered during uninstall, and
		// wp_delete_post() per lead would not scale to a large sales history.
		do {
			$ids = $wpdb->get_col( $wpdb->prepare( "SELECT ID FROM {$wpdb->posts} WHERE post_type = %s LIMIT 500", 'solar_lead' ) );
			if ( empty( $ids ) ) {
				break;
			}
			$in = implode( ',', array_map( 'intval', $ids ) );
			$wpdb->query( "DELETE FROM {$wpdb->postmeta} WHERE post_id IN ({$in})" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
			$wpdb->query( "DELETE FROM {$wpdb->posts} WHERE ID IN ({$in})" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
			foreach ( $ids as $id ) {
				clean_post_cache( (int) $id );
			}
		} while ( count( $ids ) === 500 );
	}

	$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}solar_capture_deliveries" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.SchemaChange
	$wpdb->query( "DROP TABLE IF EXISTS {$wpdb->prefix}solar_capture_timeline" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.SchemaChange

	foreach ( array(
		'solar_capture_secret',
		'solar_capture_previous_secret',
		'solar_capture_secret_last_matched',
		'solar_capture_previous_secret_last_matched',
		'solar_capture_schema_version',
		'solar_capture_delete_data_on_uninstall',
		'solar_capture_delivery_retention_days',
		'solar_capture_last_prune',
	) as $option ) {
		delete_option( $option );
	}

	// Transients: the endpoint check and each admin's pending "Send test delivery" result.
	$wpdb->query(
		$wpdb->prepare(
			"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s",
			$wpdb->esc_like( '_transient_solar_capture_' ) . '%',
			$wpdb->esc_like( '_transient_timeout_solar_capture_' ) . '%'
		)
	);

	wp_clear_scheduled_hook( 'solar_capture_prune_deliveries' );
}

if ( is_multisite() ) {
	foreach ( get_sites(
		array(
			'fields' => 'ids',
			'number' => 0,
		)
	) as $solar_capture_site_id ) {
		switch_to_blog( $solar_capture_site_id );
		solar_capture_uninstall_site();
		restore_current_blog();
	}
} else {
	solar_capture_uninstall_site();
}
