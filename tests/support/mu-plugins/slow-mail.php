<?php
// Copied into the stack's mu-plugins by WebhookHttpTest for one test, and removed by it: a mail server
// that takes 3 seconds per e-mail, and writes down when the e-mail was handed to it.
add_filter(
	'pre_wp_mail',
	static function ( $short_circuit, $atts ) {
		sleep( 3 );
		file_put_contents( WP_CONTENT_DIR . '/solar-capture-e2e-mail.json', wp_json_encode( array( 'at' => microtime( true ), 'subject' => $atts['subject'] ?? '' ) ) );
		return true;
	},
	10,
	2
);
