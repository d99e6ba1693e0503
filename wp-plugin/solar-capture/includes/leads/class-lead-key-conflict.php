<?php
/**
 * Another delivery claimed a key of the lead this one was creating.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

use SolarCapture\Plugin\Database\Transaction_Conflict;

defined( 'ABSPATH' ) || exit;

/**
 * Thrown inside the transaction that creates the lead: a conflict like any other, so it is rolled back
 * and run again (Transaction::run_retrying()), and the next run finds the winner's lead.
 */
final class Lead_Key_Conflict extends Transaction_Conflict {
}
