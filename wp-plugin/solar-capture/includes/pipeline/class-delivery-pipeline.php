<?php
/**
 * From a body to a stored delivery: normalise, claim, apply, finalise.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

use SolarCapture\PayloadException;
use SolarCapture\Plugin\Database\Storage_Exception;
use SolarCapture\Plugin\Database\Transaction;
use SolarCapture\Plugin\Leads\Booking_Answers;
use SolarCapture\Plugin\Leads\Lead_Store;
use SolarCapture\Plugin\Leads\Lead_Updater;

defined( 'ABSPATH' ) || exit;

/**
 * The one pipeline every source feeds (Delivery_Source in, Delivery_Outcome out): the webhook route,
 * "Process again", and later Cal.com's API, WP-CLI and the lead form.
 *
 * One transaction holds the claim (an INSERT of the delivery row with its event_key under the UNIQUE
 * index), the lead change, the timeline entry and the delivery's final state. So:
 * - a concurrent delivery of the same event blocks on the uncommitted claim and then fails the unique
 *   check (a duplicate), or, if the first one rolled back, takes over the claim and processes it;
 * - when anything fails, ROLLBACK removes the claim with everything else, and the failure is recorded
 *   afterwards as a separate "failed" row with the body and event_key NULL. A retry of that delivery
 *   is therefore processed, never answered as a duplicate of an attempt that did nothing.
 */
final class Delivery_Pipeline {


	public function __construct( private Delivery_Store $deliveries, private Lead_Updater $updater, private Lead_Store $leads, private Refusal_Counter $refusals ) {
	}

	/**
	 * Processes a body that is trusted: its signature verified, or it comes from Cal.com's API or the site.
	 *
	 * @param string          $body   Raw body.
	 * @param Delivery_Source $source Where it comes from.
	 */
	public function process( string $body, Delivery_Source $source ): Delivery_Outcome {
		try {
			$event = \SolarCapture\normalize_payload( $body );
		} catch ( PayloadException $e ) {
			return $this->unusable( $e, $body, $source );
		} catch ( \Throwable $e ) {
			return $this->record_failure( Reason::ENGINE_ERROR, $e->getMessage(), $body, hash( 'sha256', $body ), null, $source );
		}
		return $this->store( $event, $body, $source );
	}

	/**
	 * Processes a stored failed or unmatched delivery again.
	 *
	 * A row processed again before is processed again too, and then ends as a duplicate of the first
	 * attempt: nothing is applied twice (the admin screen offers the button only once).
	 *
	 * @param int $delivery_id Row id.
	 * @return Delivery_Outcome|null Null when the row is not a failed or unmatched delivery that kept its body.
	 */
	public function process_again( int $delivery_id ): ?Delivery_Outcome {
		$stored = $this->deliveries->find( $delivery_id );
		if ( null === $stored || ! Delivery_Store::is_reprocessable( $stored ) ) {
			return null;
		}
		$slot = null === $stored->secret_slot ? null : (int) $stored->secret_slot;
		return $this->process( (string) $stored->body, Delivery_Source::replay( $delivery_id, $slot ) );
	}

	/**
	 * Counts a request refused before any secret verified it, and records it (no body kept) while the
	 * clock hour has had fewer than Refusal_Counter::ROWS_PER_HOUR: anybody can send these, as many as
	 * they like, and the log must stay readable.
	 *
	 * @param string          $reason_code One of Reason::BEFORE_SIGNATURE.
	 * @param Delivery_Source $source      Where it came from.
	 * @param string|null     $body_sha256 Hash of the body, when it was computed anyway.
	 * @param string          $detail      E.g. the size of a body too large.
	 * @param bool            $calcom_like Whether it looked like a request of Cal.com's.
	 */
	public function refuse( string $reason_code, Delivery_Source $source, ?string $body_sha256 = null, string $detail = '', bool $calcom_like = false ): Delivery_Outcome {
		$outcome = new Delivery_Outcome( Delivery_Store::REJECTED, $reason_code, null, null, null, false, false, null, $detail );
		if ( ! $this->refusals->count( $reason_code, $calcom_like ) ) {
			return $outcome;
		}
		$id = $this->deliveries->record( $this->row( $outcome, $source ) + array( 'body_sha256' => $body_sha256 ) );
		return $outcome->with_delivery_id( $id );
	}

	/**
	 * Claims, applies and finalises in one transaction; a duplicate or a failure is recorded after it.
	 *
	 * @param array<string, mixed> $event  Normalised event.
	 * @param string               $body   Raw body.
	 * @param Delivery_Source      $source Where it comes from.
	 */
	private function store( array $event, string $body, Delivery_Source $source ): Delivery_Outcome {
		$kind            = Lead_Updater::kind( (string) $event['trigger'] );
		$event['source'] = $source->kind; // Kept on the timeline: "found by reconciliation" for api.
		try {
			// A lost race for the lead's keys, a deadlock or a failed certification: nothing was kept, and
			// the next attempt sees what the other delivery committed.
			$outcome = Transaction::run_retrying(
				fn (): Delivery_Outcome => $this->claim_apply_finalise( $event, $body, $source, $kind ),
				fn () => $this->leads->forget_written()
			);
		} catch ( Event_Already_Claimed $e ) {
			return $this->record_duplicate( $event, $source );
		} catch ( \Throwable $e ) {
			$this->leads->forget_written();
			$code = $e instanceof Storage_Exception ? Reason::STORAGE_UNAVAILABLE : Reason::PROCESSING_FAILED;
			if ( Reason::PROCESSING_FAILED === $code ) {
				// Not the sender's fault and not shown to it: the details go to the PHP error log.
				error_log( sprintf( 'Solar Capture: processing a delivery failed: %s in %s:%d', $e->getMessage(), $e->getFile(), $e->getLine() ) ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			}
			return $this->record_failure( $code, $e->getMessage(), $body, (string) $event['body_sha256'], $event, $source );
		}
		$this->leads->clear_written();

		if ( null !== $outcome->lead_id ) {
			/**
			 * Fires after an event has been committed to a lead: created, updated, or only added to its
			 * timeline (see $outcome->applied and $outcome->reason_code).
			 *
			 * @param int                  $lead_id     The solar_lead post id.
			 * @param array<string, mixed> $event       The normalised event (contract section 2).
			 * @param int                  $delivery_id The delivery row id.
			 * @param Delivery_Outcome     $outcome     What became of the delivery.
			 * @param Delivery_Source      $source      Where it came from.
			 */
			do_action( 'solar_capture_lead_updated', $outcome->lead_id, $event, (int) $outcome->delivery_id, $outcome, $source );
		}
		return $outcome;
	}

	/**
	 * Inside the transaction: claim the event, apply it, write the final state.
	 *
	 * @param array<string, mixed> $event  Normalised event.
	 * @param string               $body   Raw body.
	 * @param Delivery_Source      $source Where it comes from.
	 * @param string               $kind   Lead_Updater::KIND_*.
	 * @throws Event_Already_Claimed When another row holds the event (the transaction is rolled back).
	 */
	private function claim_apply_finalise( array $event, string $body, Delivery_Source $source, string $kind ): Delivery_Outcome {
		if ( $source->replaces > 0 ) {
			// An unmatched row gives its key up to the new claim; a rollback gives it back.
			$this->deliveries->update( $source->replaces, array( 'event_key' => null ) );
		}

		$claim       = new Delivery_Outcome( Delivery_Store::FAILED, Reason::PROCESSING, null, (string) $event['trigger'] );
		$delivery_id = $this->deliveries->claim(
			$this->row( $claim, $source, $event ) + array(
				'event_key' => $event['event_key'],
				// Accepted and unmatched deliveries keep the body: nothing is lost, and an unmatched one
				// can be processed again once its lead exists. Ignored ones carry nothing of use.
				'body'      => Lead_Updater::KIND_IGNORED === $kind ? null : $body,
			)
		);
		if ( 0 === $delivery_id ) {
			throw new Event_Already_Claimed();
		}

		if ( Lead_Updater::KIND_LEAD === $kind && is_array( $event['responses'] ?? null ) && array() !== $event['responses'] ) {
			$event['response_labels'] = Booking_Answers::labels( $body );
		}
		$outcome = $this->apply( $event, $kind, $delivery_id );
		$this->deliveries->update( $delivery_id, $this->final_columns( $outcome, $source ) );
		if ( $source->replaces > 0 ) {
			$this->deliveries->update(
				$source->replaces,
				array(
					'reason_code' => Reason::PROCESSED_AGAIN,
					'reason'      => sprintf( 'processed again as delivery %d', $delivery_id ),
				)
			);
		}
		return $outcome;
	}

	/**
	 * What the event does, by kind.
	 *
	 * @param array<string, mixed> $event       Normalised event.
	 * @param string               $kind        Lead_Updater::KIND_*.
	 * @param int                  $delivery_id The claimed row.
	 */
	private function apply( array $event, string $kind, int $delivery_id ): Delivery_Outcome {
		$trigger = (string) $event['trigger'];
		if ( Lead_Updater::KIND_PING === $kind ) {
			return new Delivery_Outcome( Delivery_Store::ACCEPTED, Reason::PING, $delivery_id, $trigger );
		}
		if ( Lead_Updater::KIND_IGNORED === $kind ) {
			return new Delivery_Outcome( Delivery_Store::IGNORED, Reason::NO_LEAD_EFFECT, $delivery_id, $trigger );
		}
		$change  = $this->updater->apply( $event, $delivery_id );
		$ignored = null === $change['ignored_lead_id'] ? '' : sprintf( 'metadata lead_id %d ignored: no valid lead_ref and not the booker\'s lead', $change['ignored_lead_id'] );
		if ( null === $change['lead_id'] ) {
			return new Delivery_Outcome( Delivery_Store::UNMATCHED, Reason::NO_MATCHING_LEAD, $delivery_id, $trigger, null, false, false, null, $ignored );
		}
		return new Delivery_Outcome(
			Delivery_Store::ACCEPTED,
			$change['note'],
			$delivery_id,
			$trigger,
			$change['lead_id'],
			$change['created'],
			$change['applied'],
			null,
			'matched by ' . $change['matched_by'] . ( '' === $ignored ? '' : '; ' . $ignored )
		);
	}

	/**
	 * Records a duplicate (the event itself is already stored) after the claim's rollback.
	 *
	 * @param array<string, mixed> $event  Normalised event.
	 * @param Delivery_Source      $source Where it comes from.
	 */
	private function record_duplicate( array $event, Delivery_Source $source ): Delivery_Outcome {
		$original = $this->deliveries->id_for_event_key( (string) $event['event_key'] );
		if ( $source->replaces > 0 ) {
			// "Process again" of a row whose event a later delivery already stored.
			$this->deliveries->update_quietly(
				$source->replaces,
				array(
					'reason_code' => Reason::ALREADY_PROCESSED,
					'reason'      => null === $original ? '' : sprintf( 'already processed as delivery %d', $original ),
				)
			);
		}
		$outcome = new Delivery_Outcome( Delivery_Store::DUPLICATE, Reason::DUPLICATE, null, (string) $event['trigger'], null, false, false, $original );
		$id      = $this->deliveries->record( $this->row( $outcome, $source, $event ) + array( 'duplicate_of' => $original ) );
		return $outcome->with_delivery_id( $id );
	}

	/**
	 * Records a body the engine refused (NOT_JSON, NOT_AN_EVENT, CUSTOM_TEMPLATE).
	 *
	 * @param PayloadException $e      The engine's verdict.
	 * @param string           $body   Raw body.
	 * @param Delivery_Source  $source Where it comes from.
	 */
	private function unusable( PayloadException $e, string $body, Delivery_Source $source ): Delivery_Outcome {
		$codes   = array(
			PayloadException::NOT_JSON        => Reason::NOT_JSON,
			PayloadException::CUSTOM_TEMPLATE => Reason::CUSTOM_TEMPLATE,
		);
		$outcome = new Delivery_Outcome( Delivery_Store::REJECTED, $codes[ $e->getCode() ] ?? Reason::NOT_AN_EVENT, $source->replaces > 0 ? $source->replaces : null, null, null, false, false, null, $e->getMessage() );
		if ( $source->replaces > 0 ) {
			return $outcome; // Already on record as it arrived.
		}
		$id = $this->deliveries->record( $this->row( $outcome, $source ) + array( 'body_sha256' => hash( 'sha256', $body ) ) );
		return $outcome->with_delivery_id( $id );
	}

	/**
	 * After a rollback: records the failure with the body (event_key NULL, so a retry is processed).
	 *
	 * @param string                    $reason_code STORAGE_UNAVAILABLE, ENGINE_ERROR or PROCESSING_FAILED.
	 * @param string                    $detail      What failed (never data from the body).
	 * @param string                    $body        Raw body.
	 * @param string                    $body_sha256 Its hash.
	 * @param array<string, mixed>|null $event       Normalised event, when the engine got that far.
	 * @param Delivery_Source           $source      Where it comes from.
	 */
	private function record_failure( string $reason_code, string $detail, string $body, string $body_sha256, ?array $event, Delivery_Source $source ): Delivery_Outcome {
		$outcome = new Delivery_Outcome( Delivery_Store::FAILED, $reason_code, null, null === $event ? null : (string) $event['trigger'], null, false, false, null, $detail );
		if ( $source->replaces > 0 ) {
			return $outcome->with_delivery_id( $source->replaces ); // The stored row stays as it was.
		}
		$id = $this->deliveries->record(
			$this->row( $outcome, $source, $event ) + array(
				'body'        => $body,
				'body_sha256' => $body_sha256,
			)
		);
		return $outcome->with_delivery_id( $id );
	}

	/**
	 * The columns every row of an outcome has.
	 *
	 * @param Delivery_Outcome          $outcome What became of it.
	 * @param Delivery_Source           $source  Where it came from.
	 * @param array<string, mixed>|null $event   Normalised event, when there is one.
	 * @return array<string, mixed>
	 */
	private function row( Delivery_Outcome $outcome, Delivery_Source $source, ?array $event = null ): array {
		$row = $this->final_columns( $outcome, $source ) + array(
			'source'      => $source->kind,
			'secret_slot' => $source->secret_slot,
		);
		if ( null !== $event ) {
			$row += array(
				'body_sha256'   => $event['body_sha256'], // The engine hashed it already: hashing again would cost more than the rest.
				'trigger_event' => $event['trigger'],
				'booking_uid'   => $event['booking_uid'],
				'emails'        => Delivery_Store::people( $event ),
			);
		}
		return $row;
	}

	/**
	 * The columns that say what became of a delivery.
	 *
	 * @param Delivery_Outcome $outcome What became of it.
	 * @param Delivery_Source  $source  Where it came from.
	 * @return array<string, mixed>
	 */
	private function final_columns( Delivery_Outcome $outcome, Delivery_Source $source ): array {
		return array(
			'result'      => $outcome->result,
			'reason_code' => $outcome->reason_code,
			'reason'      => $outcome->detail,
			'lead_id'     => $outcome->lead_id,
			// What a webhook sender was answered; other sources wait for no HTTP answer.
			'http_status' => $source->is_webhook() ? Reason::http_status( $outcome->reason_code ) : 0,
		);
	}
}
