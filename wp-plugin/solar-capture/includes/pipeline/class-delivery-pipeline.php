<?php
/**
 * From a verified body to a stored delivery: normalise, claim, apply, commit.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Pipeline;

use SolarCapture\Plugin\Database\Storage_Exception;
use SolarCapture\Plugin\Database\Transaction;
use SolarCapture\Plugin\Leads\Lead_Store;
use SolarCapture\Plugin\Leads\Lead_Updater;

use SolarCapture\PayloadException;

/**
 * The exactly-once part of the pipeline, shared by the webhook route and "Process again" in wp-admin.
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

	public function __construct( private Delivery_Store $deliveries, private Lead_Updater $events, private Lead_Store $leads ) {
	}

	/**
	 * Processes a body whose signature has been verified.
	 *
	 * @param string   $body        Raw request body.
	 * @param int|null $secret_slot Which secret verified it.
	 * @param int      $replaces    Id of an earlier failed or unmatched row processed again (0: none).
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function process( string $body, ?int $secret_slot, int $replaces = 0 ) {
		$row = array( 'secret_slot' => $secret_slot );

		try {
			$event = \SolarCapture\normalize_payload( $body );
		} catch ( PayloadException $e ) {
			return $this->reject_payload( $e, $row + array( 'body_sha256' => hash( 'sha256', $body ) ), $replaces );
		} catch ( \Throwable $e ) {
			return $this->engine_failure( $body, $row + array( 'body_sha256' => hash( 'sha256', $body ) ), $replaces );
		}

		// The engine already hashed the body; hashing it again in PHP would cost more than the rest.
		$row['body_sha256']   = $event['body_sha256'];
		$row['trigger_event'] = $event['trigger'];
		$row['booking_uid']   = $event['booking_uid'];

		return $this->store( $event, $body, $row, $replaces );
	}

	/**
	 * Processes a stored failed or unmatched delivery again (its signature was verified on arrival).
	 *
	 * @param int $delivery_id Row id.
	 * @return \WP_REST_Response|\WP_Error
	 */
	public function process_again( int $delivery_id ) {
		$stored = $this->deliveries->find( $delivery_id );
		if ( null === $stored || null === $stored->body || ! in_array( $stored->result, array( Delivery_Store::FAILED, Delivery_Store::UNMATCHED ), true ) ) {
			return new \WP_Error(
				'solar_capture_not_reprocessable',
				__( 'Only failed or unmatched deliveries that kept their body can be processed again.', 'solar-capture' ),
				array( 'status' => 400 )
			);
		}
		return $this->process( (string) $stored->body, null === $stored->secret_slot ? null : (int) $stored->secret_slot, $delivery_id );
	}

	/**
	 * Claims, applies and commits.
	 *
	 * @param array<string, mixed> $event    Normalised event.
	 * @param string               $body     Raw body.
	 * @param array<string, mixed> $row      Columns known so far.
	 * @param int                  $replaces Row processed again, or 0.
	 * @return \WP_REST_Response|\WP_Error
	 */
	private function store( array $event, string $body, array $row, int $replaces ) {
		$kind    = Lead_Updater::kind( (string) $event['trigger'] );
		$mark    = Transaction::error_mark();
		$locked  = false;
		$in_tx   = false;
		$outcome = null;

		try {
			if ( Lead_Updater::KIND_LEAD === $kind ) {
				// Taken before the transaction starts, so the transaction reads what the last holder committed.
				$locked = $this->leads->lock();
				if ( ! $locked ) {
					throw new Storage_Exception( 'waiting for the lead matching lock timed out' );
				}
			}
			if ( ! Transaction::begin( true ) ) {
				throw new Storage_Exception( 'starting a transaction failed' );
			}
			$in_tx = true;

			if ( $replaces > 0 ) {
				// The earlier row gives its key up to the new claim; a rollback gives it back.
				$this->deliveries->update( $replaces, array( 'event_key' => null ) );
			}

			$delivery_id = $this->deliveries->claim(
				$row + array(
					'event_key'   => $event['event_key'],
					'result'      => Delivery_Store::FAILED,
					'reason'      => 'processing',
					'http_status' => 200,
					// Accepted and unmatched deliveries keep the body: nothing is lost, and an unmatched
					// one can be processed again once its lead exists. Ignored ones carry nothing of use.
					'body'        => Lead_Updater::KIND_IGNORED === $kind ? null : $body,
				)
			);
			if ( 0 === $delivery_id ) {
				Transaction::rollback();
				$in_tx = false;
				return $this->duplicate( $event, $row, $replaces );
			}

			if ( Lead_Updater::KIND_PING === $kind ) {
				$final = array(
					'result' => Delivery_Store::ACCEPTED,
					'reason' => 'ping',
				);
			} elseif ( Lead_Updater::KIND_IGNORED === $kind ) {
				$final = array(
					'result' => Delivery_Store::IGNORED,
					'reason' => 'no_lead_effect',
				);
			} else {
				$outcome = $this->events->apply( $event, $delivery_id );
				$final   = array(
					'result'  => $outcome['result'],
					'reason'  => Delivery_Store::UNMATCHED === $outcome['result'] ? 'no_matching_lead' : $outcome['note'] . ' (' . $outcome['matched_by'] . ')',
					'lead_id' => $outcome['lead_id'],
				);
			}
			$this->deliveries->update( $delivery_id, $final );
			if ( $replaces > 0 ) {
				$this->deliveries->update( $replaces, array( 'reason' => sprintf( 'processed again as delivery %d', $delivery_id ) ) );
			}

			if ( Transaction::errors_since( $mark ) ) {
				throw new Storage_Exception( 'a database query failed' );
			}
			if ( ! Transaction::commit() ) {
				throw new Storage_Exception( 'committing the transaction failed' );
			}
			$in_tx = false;
			$this->leads->clear_written();
		} catch ( \Throwable $e ) {
			if ( $in_tx ) {
				Transaction::rollback();
			}
			$this->leads->forget_written();
			if ( $locked ) {
				$this->leads->unlock();
				$locked = false;
			}
			return $this->failure( $e, $body, $row, $replaces );
		} finally {
			if ( $locked ) {
				$this->leads->unlock();
			}
		}

		if ( null !== $outcome && null !== $outcome['lead_id'] ) {
			/**
			 * Fires after an event has been committed to a lead: created, updated, or only added to its
			 * timeline (see $outcome['applied'] and $outcome['note']).
			 *
			 * @param int                  $lead_id     The solar_lead post id.
			 * @param array<string, mixed> $event       The normalised event (contract section 2).
			 * @param int                  $delivery_id The delivery row id.
			 * @param array<string, mixed> $outcome     created, applied, note, matched_by.
			 */
			do_action( 'solar_capture_lead_updated', $outcome['lead_id'], $event, $delivery_id, $outcome );
		}

		return $this->answer( $event, $delivery_id, $final, $outcome );
	}

	/**
	 * The 200 answer for a stored delivery.
	 *
	 * @param array<string, mixed>      $event       Normalised event.
	 * @param int                       $delivery_id Row id.
	 * @param array<string, mixed>      $final       Final columns.
	 * @param array<string, mixed>|null $outcome     Lead outcome.
	 */
	private function answer( array $event, int $delivery_id, array $final, ?array $outcome ): \WP_REST_Response {
		$messages = array(
			'ping'      => __( 'Connection works: Solar Capture received and verified the ping.', 'solar-capture' ),
			'ignored'   => __( 'Received. This trigger has no effect on leads.', 'solar-capture' ),
			'unmatched' => __( 'Received and stored. No lead matches this booking yet; it can be processed again from Solar leads > Delivery log.', 'solar-capture' ),
			'accepted'  => __( 'Received and applied to the lead.', 'solar-capture' ),
		);
		$key = 'ping' === $final['reason'] ? 'ping' : $final['result'];

		return new \WP_REST_Response(
			array(
				'result'      => $final['result'],
				'duplicate'   => false,
				'delivery_id' => $delivery_id,
				'trigger'     => $event['trigger'],
				'lead_id'     => $outcome['lead_id'] ?? null,
				'created'     => $outcome['created'] ?? false,
				'applied'     => $outcome['applied'] ?? false,
				'note'        => $outcome['note'] ?? '',
				'message'     => $messages[ $key ] ?? $messages['accepted'],
			),
			200
		);
	}

	/**
	 * Records a duplicate and answers 200: the event itself is already stored.
	 *
	 * @param array<string, mixed> $event    Normalised event.
	 * @param array<string, mixed> $row      Columns known so far.
	 * @param int                  $replaces Row processed again, or 0.
	 */
	private function duplicate( array $event, array $row, int $replaces ): \WP_REST_Response {
		$original = $this->deliveries->id_for_event_key( (string) $event['event_key'] );
		if ( $replaces > 0 ) {
			// "Process again" of a failed row whose retry from Cal.com already went through.
			$this->deliveries->update_quietly( $replaces, array( 'reason' => sprintf( 'already processed as delivery %d', (int) $original ) ) );
		}
		$id = $this->deliveries->record(
			$row + array(
				'result'       => Delivery_Store::DUPLICATE,
				'reason'       => null === $original ? 'duplicate' : sprintf( 'duplicate of delivery %d', $original ),
				'duplicate_of' => $original,
				'http_status'  => 200,
			)
		);
		return new \WP_REST_Response(
			array(
				'result'       => Delivery_Store::DUPLICATE,
				'duplicate'    => true,
				'delivery_id'  => $id,
				'duplicate_of' => $original,
				'trigger'      => $event['trigger'],
				'message'      => __( 'Already received: this event was stored before and is not applied twice.', 'solar-capture' ),
			),
			200
		);
	}

	/**
	 * Records a body the engine refused and answers 400 or 422.
	 *
	 * @param PayloadException     $e        The engine's verdict.
	 * @param array<string, mixed> $row      Columns known so far.
	 * @param int                  $replaces Row processed again, or 0.
	 */
	private function reject_payload( PayloadException $e, array $row, int $replaces ): \WP_Error {
		switch ( $e->getCode() ) {
			case PayloadException::CUSTOM_TEMPLATE:
				$code    = 'solar_capture_custom_template';
				$status  = 422;
				$reason  = 'CUSTOM_TEMPLATE';
				$message = __( 'Cal.com is sending a custom payload template, which Solar Capture cannot read. In Cal.com, open this webhook (Settings > Developer > Webhooks) and clear the Custom Payload field so the default body is sent.', 'solar-capture' );
				break;
			case PayloadException::NOT_JSON:
				$code    = 'solar_capture_not_json';
				$status  = 400;
				$reason  = 'NOT_JSON';
				$message = sprintf(
					/* translators: %s: what is wrong with the body and where. */
					__( 'Solar Capture can\'t read this body as JSON: %s. Send Cal.com\'s default webhook body unchanged, and check that no proxy or security plugin between Cal.com and WordPress rewrites it.', 'solar-capture' ),
					$e->getMessage()
				);
				break;
			default:
				$code    = 'solar_capture_not_an_event';
				$status  = 400;
				$reason  = 'NOT_AN_EVENT';
				$message = sprintf(
					/* translators: %s: what is wrong with the body and where. */
					__( 'The body is JSON but not a Cal.com webhook event: %s. Point only Cal.com webhooks at this URL, with the Custom Payload field left empty.', 'solar-capture' ),
					$e->getMessage()
				);
		}
		if ( 0 === $replaces ) {
			$this->deliveries->record(
				$row + array(
					'result'      => Delivery_Store::REJECTED,
					'reason'      => $reason . ': ' . $e->getMessage(),
					'http_status' => $status,
				)
			);
		}
		return new \WP_Error( $code, $message, array( 'status' => $status ) );
	}

	/**
	 * The engine threw something it should not (a bug): keep the body and answer 500.
	 *
	 * @param string               $body     Raw body.
	 * @param array<string, mixed> $row      Columns known so far.
	 * @param int                  $replaces Row processed again, or 0.
	 */
	private function engine_failure( string $body, array $row, int $replaces ): \WP_Error {
		$id = 0 === $replaces ? $this->deliveries->record(
			$row + array(
				'result'      => Delivery_Store::FAILED,
				'reason'      => 'engine error',
				'body'        => $body,
				'http_status' => 500,
			)
		) : $replaces;
		return new \WP_Error(
			'solar_capture_engine_error',
			__( 'Solar Capture\'s engine failed on this body. The delivery is kept; update the plugin, then use "Process again" under Solar leads > Delivery log.', 'solar-capture' ),
			array(
				'status'      => 500,
				'delivery_id' => $id,
			)
		);
	}

	/**
	 * After a rollback: record the failure with the body (event_key NULL, so a retry is processed) and
	 * answer 503 for a storage failure, so a retrying sender tries again, or 500 for anything else.
	 *
	 * @param \Throwable           $e        What went wrong.
	 * @param string               $body     Raw body.
	 * @param array<string, mixed> $row      Columns known so far.
	 * @param int                  $replaces Row processed again, or 0.
	 */
	private function failure( \Throwable $e, string $body, array $row, int $replaces ): \WP_Error {
		$storage = $e instanceof Storage_Exception;
		$status  = $storage ? 503 : 500;
		$id      = $replaces;
		if ( 0 === $replaces ) {
			$id = $this->deliveries->record(
				$row + array(
					'result'      => Delivery_Store::FAILED,
					'reason'      => ( $storage ? 'storage: ' : 'error: ' ) . $e->getMessage(),
					'body'        => $body,
					'http_status' => $status,
				)
			);
		}
		if ( ! $storage ) {
			// Not the sender's fault and not shown to it: the details go to the PHP error log.
			error_log( sprintf( 'Solar Capture: processing a delivery failed: %s in %s:%d', $e->getMessage(), $e->getFile(), $e->getLine() ) ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
			return new \WP_Error(
				'solar_capture_processing_failed',
				__( 'Solar Capture could not process this delivery; nothing was changed. Details are in the PHP error log. Fix the cause, then use "Process again" under Solar leads > Delivery log.', 'solar-capture' ),
				array(
					'status'      => $status,
					'delivery_id' => $id,
				)
			);
		}
		return new \WP_Error(
			'solar_capture_storage_unavailable',
			__( 'Solar Capture could not store this delivery, so nothing was changed; send it again. If this persists, check that the database is reachable and that the Solar Capture tables exist (deactivate and activate the plugin to recreate them).', 'solar-capture' ),
			array(
				'status'      => $status,
				'delivery_id' => $id,
			)
		);
	}
}
