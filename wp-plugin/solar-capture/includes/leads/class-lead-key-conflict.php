<?php
/**
 * Another delivery claimed a key of the lead this one was creating.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

defined( 'ABSPATH' ) || exit;

/**
 * Thrown inside the delivery's transaction; the pipeline rolls back and processes the delivery again,
 * which then finds the winner's lead.
 */
final class Lead_Key_Conflict extends \RuntimeException {
}
