<?php
/**
 * Where a booking body comes from when it enters the pipeline.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

defined( 'ABSPATH' ) || exit;

/**
 * The webhook route, "Process again" of a stored delivery, Cal.com's API (reconciliation), WP-CLI or the
 * site's own form. Stored with each delivery (column source), so the log says how a booking arrived.
 */
final class Delivery_Source {

	public const WEBHOOK = 'webhook';
	public const REPLAY  = 'replay';
	public const API     = 'api';
	public const CLI     = 'cli';
	public const FORM    = 'form';

	public const KINDS = array( self::WEBHOOK, self::REPLAY, self::API, self::CLI, self::FORM );

	/**
	 * @param string   $kind        One of KINDS.
	 * @param int|null $secret_slot Which webhook secret verified the body (webhook and replay only).
	 * @param int      $replaces    The stored delivery processed again (replay only; 0 otherwise).
	 */
	private function __construct( public readonly string $kind, public readonly ?int $secret_slot = null, public readonly int $replaces = 0 ) {
	}

	/**
	 * A request to the webhook route whose signature verified under the secret in $secret_slot (null:
	 * refused before any secret verified it).
	 *
	 * @param int|null $secret_slot Secrets::SLOT_CURRENT or SLOT_PREVIOUS, or null.
	 */
	public static function webhook( ?int $secret_slot ): self {
		return new self( self::WEBHOOK, $secret_slot );
	}

	/**
	 * A stored failed or unmatched delivery processed again (its signature verified when it arrived).
	 *
	 * @param int      $delivery_id The stored row.
	 * @param int|null $secret_slot The slot that verified it then.
	 */
	public static function replay( int $delivery_id, ?int $secret_slot ): self {
		return new self( self::REPLAY, $secret_slot, $delivery_id );
	}

	/**
	 * A booking read from Cal.com's API (reconciliation, connect).
	 */
	public static function api(): self {
		return new self( self::API );
	}

	/**
	 * A body handed in on the command line (WP-CLI).
	 */
	public static function cli(): self {
		return new self( self::CLI );
	}

	/**
	 * The site's own lead form.
	 */
	public static function form(): self {
		return new self( self::FORM );
	}

	/**
	 * Whether a webhook sender waits for the answer (its HTTP status is recorded with the delivery).
	 */
	public function is_webhook(): bool {
		return self::WEBHOOK === $this->kind;
	}
}
