<?php
/**
 * Another delivery row already holds this event.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

defined( 'ABSPATH' ) || exit;

/**
 * Thrown inside the claim's transaction so that it rolls back whole; the pipeline then records a duplicate.
 */
final class Event_Already_Claimed extends \RuntimeException {
}
