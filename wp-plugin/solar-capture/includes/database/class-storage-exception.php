<?php
/**
 * A database write or read that the pipeline depends on failed.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Database;

defined( 'ABSPATH' ) || exit;

/**
 * Thrown inside the delivery transaction; the pipeline rolls back and answers 503 so the sender retries.
 * The message names the step, never data from the body.
 */
class Storage_Exception extends \RuntimeException {
}
