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

// The plugin is inactive when it is deleted: its classes are loaded here.
require_once __DIR__ . '/includes/class-autoloader.php';
SolarCapture\Plugin\Autoloader::register();

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

	// The webhook set up through Cal.com's API would go on calling a site that no longer answers.
	$solar_capture_api  = new SolarCapture\Plugin\Calcom\Api_Settings();
	$solar_capture_hook = (string) ( $solar_capture_api->connection()['webhook_id'] ?? '' );
	if ( '' !== $solar_capture_hook && '' !== $solar_capture_api->key() ) {
		try {
			( new SolarCapture\Plugin\Calcom\Api_Client( $solar_capture_api ) )->delete_webhook( $solar_capture_hook );
		} catch ( SolarCapture\Plugin\Calcom\Api_Error $e ) {
			unset( $e ); // Already gone, or Cal.com unreachable: the admin can delete it in Cal.com.
		}
	}

	foreach ( ( new SolarCapture\Plugin\Database\Schema() )->tables() as $solar_capture_table ) {
		$wpdb->query( "DROP TABLE IF EXISTS {$solar_capture_table}" ); // phpcs:ignore WordPress.DB.DirectDatabaseQuery.SchemaChange
	}

	// Every option of the plugin, whichever part wrote it (secrets, schema version, settings, lead key,
	// reindex cursor, ...): nothing of it is left behind, including options a later version adds.
	$solar_capture_options = $wpdb->get_col(
		$wpdb->prepare( "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s", $wpdb->esc_like( 'solar_capture_' ) . '%' )
	);
	foreach ( (array) $solar_capture_options as $solar_capture_option ) {
		delete_option( $solar_capture_option );
	}

	// Transients: the endpoint check and each admin's pending "Send test delivery" result.
	$wpdb->query(
		$wpdb->prepare(
			"DELETE FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s",
			$wpdb->esc_like( '_transient_solar_capture_' ) . '%',
			$wpdb->esc_like( '_transient_timeout_solar_capture_' ) . '%'
		)
	);

	SolarCapture\Plugin\Leads\Lead_Roles::uninstall();
	wp_clear_scheduled_hook( SolarCapture\Plugin\Jobs\Delivery_Retention::CRON_HOOK );
	wp_clear_scheduled_hook( SolarCapture\Plugin\Jobs\Lead_Reindex::CRON_HOOK );
	wp_clear_scheduled_hook( SolarCapture\Plugin\Calcom\Reconciler::CRON_HOOK );
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
