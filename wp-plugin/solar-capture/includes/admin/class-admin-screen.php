<?php
/**
 * What every Solar leads admin screen does alike: its submenu entry, its URL, the notice chosen by a
 * redirect, and the opening of an admin-post form.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;

defined( 'ABSPATH' ) || exit;

/**
 * Small helpers shared by Settings_Page and Delivery_Log.
 */
final class Admin_Screen {

	/** Query argument naming the notice to show after an action redirected back. */
	public const NOTICE_ARG = 'solar_capture_notice';

	/**
	 * Adds a page under the Solar leads menu.
	 *
	 * @param string   $page       Page slug.
	 * @param string   $page_title Title of the page.
	 * @param string   $menu_title Menu label.
	 * @param string   $capability Who sees it.
	 * @param callable $render     Renders the page.
	 * @return string The page's hook suffix ('' when WordPress refused it).
	 */
	public static function add_submenu( string $page, string $page_title, string $menu_title, string $capability, callable $render ): string {
		$hook = add_submenu_page( 'edit.php?post_type=' . Lead::POST_TYPE, $page_title, $menu_title, $capability, $page, $render );
		return is_string( $hook ) ? $hook : '';
	}

	/**
	 * URL of a Solar leads page.
	 *
	 * @param string                $page Page slug.
	 * @param array<string, scalar> $args Extra query arguments.
	 */
	public static function url( string $page, array $args = array() ): string {
		return add_query_arg(
			array_merge(
				array(
					'post_type' => Lead::POST_TYPE,
					'page'      => $page,
				),
				$args
			),
			admin_url( 'edit.php' )
		);
	}

	/**
	 * Prints the notice the redirect named, if it is one of $messages. Only a fixed message is chosen by
	 * the query argument; nothing from it is printed.
	 *
	 * @param array<string, array{string, string}> $messages Notice key => [type, text].
	 * @param string                               $id       HTML id of the notice ('' for none).
	 */
	public static function render_query_notice( array $messages, string $id = '' ): void {
		$notice = isset( $_GET[ self::NOTICE_ARG ] ) && is_string( $_GET[ self::NOTICE_ARG ] ) ? sanitize_key( wp_unslash( $_GET[ self::NOTICE_ARG ] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification.Recommended
		if ( isset( $messages[ $notice ] ) ) {
			printf(
				'<div class="notice notice-%1$s is-dismissible"%2$s><p>%3$s</p></div>',
				esc_attr( $messages[ $notice ][0] ),
				'' === $id ? '' : ' id="' . esc_attr( $id ) . '"',
				esc_html( $messages[ $notice ][1] )
			);
		}
	}

	/**
	 * Opens a POST form to admin-post.php for $action, with its nonce; the caller closes it.
	 *
	 * @param string $action       admin-post action.
	 * @param string $nonce_action Nonce action (defaults to $action).
	 * @param string $attribute    One attribute for the form tag, e.g. 'class="solar-capture-inline-form"'
	 *                             (a literal from the caller, not user data).
	 */
	public static function open_action_form( string $action, string $nonce_action = '', string $attribute = 'class="solar-capture-inline-form"' ): void {
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" ' . $attribute . '>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- a literal attribute from the caller.
		echo '<input type="hidden" name="action" value="' . esc_attr( $action ) . '">';
		wp_nonce_field( '' === $nonce_action ? $action : $nonce_action );
	}

	/**
	 * One row of a form table.
	 *
	 * @param string $label        Label (escaped by this method unless $escape_label is false).
	 * @param string $html         Cell content, already escaped.
	 * @param bool   $escape_label Whether to escape the label.
	 */
	public static function form_row( string $label, string $html, bool $escape_label = true ): void {
		echo '<tr><th scope="row">' . ( $escape_label ? esc_html( $label ) : $label ) . '</th><td>' . $html . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- callers pass escaped HTML.
	}
}
