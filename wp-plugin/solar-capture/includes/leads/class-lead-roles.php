<?php
/**
 * Who may do what with leads: capabilities of their own and a "Sales rep" role.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

defined( 'ABSPATH' ) || exit;

/**
 * Leads are personal data, so they don't borrow the capabilities of posts: an Editor, a Shop manager or
 * an Author gets nothing of them. Administrators hold every lead capability; a Sales rep holds those
 * to read and work on leads and nothing else of the site. Leads come from the form, Cal.com and the
 * API: nobody adds one by hand unless a site grants CREATE_CAP to a role
 * (e.g. `get_role( 'administrator' )->add_cap( 'create_solar_leads' )`).
 */
final class Lead_Roles {

	public const ROLE = 'solar_capture_sales_rep';

	/** The post type's capability_type (singular, plural). */
	public const CAPABILITY_TYPE = array( 'solar_lead', 'solar_leads' );

	/** Adding a lead by hand ("Add new lead"): held by no role by default. */
	public const CREATE_CAP = 'create_solar_leads';

	/** Reading leads (they are all private): the lead list, the export, the week, the delivery log. */
	public const READ_CAP = 'read_private_solar_leads';

	/** Working on leads: who may own one and get its e-mails. */
	public const EDIT_CAP = 'edit_solar_leads';

	/** Reading, editing and assigning leads, and the delivery log (without bodies). */
	public const SALES_CAPS = array(
		self::READ_CAP,
		self::EDIT_CAP,
		'edit_others_solar_leads',
		'edit_private_solar_leads',
		'edit_published_solar_leads',
	);

	/** Deleting leads (personal data, so it is left to administrators). */
	public const DELETE_CAPS = array(
		'delete_solar_leads',
		'delete_others_solar_leads',
		'delete_private_solar_leads',
		'delete_published_solar_leads',
		'publish_solar_leads',
	);

	/**
	 * Creates the Sales rep role and gives administrators every lead capability; safe to run again
	 * (activation and every upgrade run it, so a role edited since gets back what it lacks, no more).
	 */
	public static function install(): void {
		$role = get_role( self::ROLE );
		if ( null === $role ) {
			$role = add_role( self::ROLE, __( 'Sales rep', 'solar-capture' ), array( 'read' => true ) );
		}
		foreach ( $role instanceof \WP_Role ? self::SALES_CAPS : array() as $cap ) {
			$role->add_cap( $cap );
		}
		$admin = get_role( 'administrator' );
		foreach ( $admin instanceof \WP_Role ? array_merge( self::SALES_CAPS, self::DELETE_CAPS ) : array() as $cap ) {
			$admin->add_cap( $cap );
		}
	}

	/**
	 * Removes the role and every lead capability from every role (uninstall).
	 */
	public static function uninstall(): void {
		remove_role( self::ROLE );
		foreach ( wp_roles()->role_objects as $role ) {
			foreach ( array_merge( self::SALES_CAPS, self::DELETE_CAPS, array( self::CREATE_CAP ) ) as $cap ) {
				$role->remove_cap( $cap );
			}
		}
	}
}
