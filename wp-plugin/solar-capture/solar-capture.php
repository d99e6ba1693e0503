<?php
/**
 * Plugin Name:       Solar Capture
 * Description:       Turns Cal.com booking webhooks into private sales leads: signed deliveries, exactly once, in order.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.1
 * Author:            Solar Capture
 * License:           GPL-2.0-or-later
 * License URI:       https://www.gnu.org/licenses/gpl-2.0.html
 * Text Domain:       solar-capture
 * Domain Path:       /languages
 *
 * @package SolarCapture
 */

// This file is parsed by whatever PHP the site runs: keep its syntax (and that of the requirements
// guard) old enough that an unsupported PHP gets an admin notice, not a parse error.
if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'SOLAR_CAPTURE_VERSION', '0.1.0' );
define( 'SOLAR_CAPTURE_FILE', __FILE__ );
define( 'SOLAR_CAPTURE_DIR', __DIR__ );

require_once __DIR__ . '/includes/class-requirements.php';

if ( ! SolarCapture\Plugin\Requirements::met() ) {
	SolarCapture\Plugin\Requirements::add_notice();
	return;
}

require_once __DIR__ . '/includes/class-autoloader.php';
SolarCapture\Plugin\Autoloader::register();
require_once __DIR__ . '/includes/functions.php';

SolarCapture\Plugin\Plugin::bootstrap( __FILE__ );
