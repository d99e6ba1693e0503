<?php
/**
 * The "Sales" box of the lead screen: owner, stage and a new note.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Admin;

use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Roles;
use SolarCapture\Plugin\Leads\Sales_Team;

defined( 'ABSPATH' ) || exit;

/**
 * Saved with the lead ("Update"), checked by its own nonce and the user's right to edit this lead.
 */
final class Lead_Sales_Box {

	public const NONCE = 'solar_capture_sales_nonce';

	public function __construct( private Sales_Team $team ) {
	}

	public function add_hooks(): void {
		add_action( 'add_meta_boxes_' . Lead::POST_TYPE, array( $this, 'add_box' ) );
		add_action( 'save_post_' . Lead::POST_TYPE, array( $this, 'save' ), 10, 2 );
	}

	public function add_box(): void {
		add_meta_box( 'solar-capture-sales', __( 'Sales', 'solar-capture' ), array( $this, 'render' ), Lead::POST_TYPE, 'side', 'high' );
	}

	/**
	 * @param \WP_Post $post The lead.
	 */
	public function render( $post ): void {
		wp_nonce_field( self::NONCE . $post->ID, self::NONCE );
		echo '<p><label for="solar-capture-owner"><strong>' . esc_html__( 'Owner', 'solar-capture' ) . '</strong></label><br>';
		wp_dropdown_users(
			array(
				'name'              => 'solar_capture_owner',
				'id'                => 'solar-capture-owner',
				'selected'          => (int) $post->post_author,
				'show_option_none'  => __( 'Nobody', 'solar-capture' ),
				'option_none_value' => '0',
				'capability'        => array( Lead_Roles::EDIT_CAP ),
			)
		);
		echo '</p><p><label for="solar-capture-stage"><strong>' . esc_html__( 'Stage', 'solar-capture' ) . '</strong></label><br><select name="solar_capture_stage" id="solar-capture-stage"><option value="">' . esc_html__( 'None', 'solar-capture' ) . '</option>';
		$current = (string) get_post_meta( $post->ID, Lead::META_STAGE, true );
		foreach ( Sales_Team::stages() as $slug => $label ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $slug ), selected( $current, $slug, false ), esc_html( $label ) );
		}
		echo '</select></p><p><label for="solar-capture-note"><strong>' . esc_html__( 'Add a note', 'solar-capture' ) . '</strong></label><br>';
		echo '<textarea name="solar_capture_note" id="solar-capture-note" rows="4" class="widefat" maxlength="' . (int) Sales_Team::NOTE_MAX . '"></textarea></p>';
		echo '<p class="description">' . esc_html__( 'Saved with Update; notes and changes go on the timeline with your name and the time.', 'solar-capture' ) . '</p>';
	}

	/**
	 * Hook: the lead was saved from its screen.
	 *
	 * @param int      $post_id The lead.
	 * @param \WP_Post $post    The lead.
	 */
	public function save( $post_id, $post = null ): void {
		$post_id = (int) $post_id;
		$nonce   = isset( $_POST[ self::NONCE ] ) ? sanitize_text_field( wp_unslash( $_POST[ self::NONCE ] ) ) : '';
		if ( '' === $nonce || ! wp_verify_nonce( $nonce, self::NONCE . $post_id ) || ! current_user_can( 'edit_post', $post_id ) || wp_is_post_revision( $post_id ) ) {
			return;
		}
		$by = get_current_user_id();
		if ( isset( $_POST['solar_capture_owner'] ) ) {
			$owner = absint( $_POST['solar_capture_owner'] );
			// Only to somebody who may work on leads (or to nobody).
			if ( 0 === $owner || user_can( $owner, Lead_Roles::EDIT_CAP ) ) {
				$this->team->set_owner( $post_id, $owner, Sales_Team::SET_BY_HAND, $by );
			}
		}
		if ( isset( $_POST['solar_capture_stage'] ) ) {
			$this->team->set_stage( $post_id, sanitize_key( wp_unslash( $_POST['solar_capture_stage'] ) ), $by );
		}
		if ( isset( $_POST['solar_capture_note'] ) ) {
			$this->team->add_note( $post_id, sanitize_textarea_field( wp_unslash( $_POST['solar_capture_note'] ) ), $by );
		}
	}
}
