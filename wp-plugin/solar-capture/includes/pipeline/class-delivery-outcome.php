<?php
/**
 * What became of one delivery.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

defined( 'ABSPATH' ) || exit;

/**
 * The pipeline's answer to every source: the webhook route turns it into an HTTP answer, "Process
 * again" into a notice, a job or a command into its own report. Nothing here knows about HTTP.
 */
final class Delivery_Outcome {

	/**
	 * @param string      $result       One of Delivery_Store::RESULTS.
	 * @param string      $reason_code  One of Reason's codes.
	 * @param int|null    $delivery_id  The row recorded for it (null when even that could not be stored).
	 * @param string|null $trigger      triggerEvent, when the body was read that far.
	 * @param int|null    $lead_id      The lead it was applied to.
	 * @param bool        $created      Whether that lead was created by it.
	 * @param bool        $applied      Whether it changed the lead's status.
	 * @param int|null    $duplicate_of The row that holds the same event (duplicates).
	 * @param string      $detail       What the engine or the database said, or how the lead was matched.
	 */
	public function __construct(
		public readonly string $result,
		public readonly string $reason_code,
		public readonly ?int $delivery_id = null,
		public readonly ?string $trigger = null,
		public readonly ?int $lead_id = null,
		public readonly bool $created = false,
		public readonly bool $applied = false,
		public readonly ?int $duplicate_of = null,
		public readonly string $detail = ''
	) {
	}

	/**
	 * Stored and answered as received: accepted, ignored, unmatched or a duplicate.
	 */
	public function is_stored(): bool {
		return in_array( $this->result, array( Delivery_Store::ACCEPTED, Delivery_Store::IGNORED, Delivery_Store::UNMATCHED, Delivery_Store::DUPLICATE ), true );
	}

	/**
	 * The same outcome recorded as another row.
	 *
	 * @param int|null $delivery_id Row id.
	 */
	public function with_delivery_id( ?int $delivery_id ): self {
		return new self( $this->result, $this->reason_code, $delivery_id, $this->trigger, $this->lead_id, $this->created, $this->applied, $this->duplicate_of, $this->detail );
	}

	/**
	 * Words for an admin: what happened and, where something needs doing, the fix.
	 */
	public function sentence(): string {
		return Reason::sentence( $this->reason_code, $this->detail );
	}
}
