<?php
/**
 * Transactions on WordPress's own database connection, nestable through savepoints.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Database;

defined( 'ABSPATH' ) || exit;

/**
 * START TRANSACTION / COMMIT / ROLLBACK on $wpdb, counting depth.
 *
 * MySQL commits an open transaction implicitly when START TRANSACTION is issued again, so a caller that
 * already holds a transaction (the integration tests, which roll every test back) must open it here too:
 * inner levels then become savepoints and the outer ROLLBACK still undoes everything.
 *
 * Failure detection: wpdb methods mostly return false on error, but update_post_meta() and friends also
 * return false for "nothing changed". Every failed query, whichever API ran it, is appended to the global
 * $EZSQL_ERROR by wpdb::print_error(), so counting that list is the one reliable signal.
 *
 * Nothing after a failure: a deadlock victim, a Galera certification failure or a lost connection ends
 * the transaction on the server, and whatever the request sent next would run in autocommit, each
 * statement committed on its own (a lead post without its delivery, seen on a Galera cluster). So inside
 * run(), once a query failed no other statement reaches the server but ROLLBACK, and wpdb may not
 * reconnect: it would silently run the statement again on a new connection, outside the transaction.
 */
final class Transaction {

	/** wpdb's wp_die() paths (a lost connection ends in dead_db()); inside run() each throws instead. */
	private const DIE_HANDLER_FILTERS = array( 'wp_die_handler', 'wp_die_ajax_handler', 'wp_die_json_handler', 'wp_die_jsonp_handler', 'wp_die_xmlrpc_handler', 'wp_die_xml_handler' );

	private static int $depth = 0;

	/**
	 * Opens a transaction, or a savepoint inside an open one.
	 *
	 * @param bool $read_committed Outermost level only: each statement sees the latest committed rows
	 *                             (the pipeline reads under a lock and must not read a stale snapshot).
	 */
	public static function begin( bool $read_committed = false ): bool {
		global $wpdb;
		if ( 0 === self::$depth ) {
			if ( $read_committed && false === $wpdb->query( 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED' ) ) {
				return false;
			}
			$ok = false !== $wpdb->query( 'START TRANSACTION' );
		} else {
			$ok = false !== $wpdb->query( 'SAVEPOINT solar_capture_' . self::$depth );
		}
		if ( $ok ) {
			++self::$depth;
		}
		return $ok;
	}

	/**
	 * Commits the innermost level. A failed COMMIT leaves the level open; roll it back.
	 */
	public static function commit(): bool {
		global $wpdb;
		if ( 0 === self::$depth ) {
			return false;
		}
		$sql = 1 === self::$depth ? 'COMMIT' : 'RELEASE SAVEPOINT solar_capture_' . ( self::$depth - 1 );
		if ( false === $wpdb->query( $sql ) ) {
			return false;
		}
		--self::$depth;
		return true;
	}

	/**
	 * Rolls back the innermost level. The level is closed even when the server could not be reached:
	 * a lost connection rolls back by itself.
	 */
	public static function rollback(): bool {
		global $wpdb;
		if ( 0 === self::$depth ) {
			return false;
		}
		$sql = 1 === self::$depth ? 'ROLLBACK' : 'ROLLBACK TO SAVEPOINT solar_capture_' . ( self::$depth - 1 );
		try {
			$ok = false !== $wpdb->query( $sql );
			if ( 1 < self::$depth ) {
				$wpdb->query( 'RELEASE SAVEPOINT solar_capture_' . ( self::$depth - 1 ) );
			}
		} finally {
			--self::$depth; // Even when the connection is gone (run() turns wpdb's dead_db() into an exception).
		}
		return $ok;
	}

	/**
	 * How many levels are open.
	 */
	public static function depth(): int {
		return self::$depth;
	}

	/**
	 * A mark to pass to errors_since().
	 */
	public static function error_mark(): int {
		return isset( $GLOBALS['EZSQL_ERROR'] ) && is_array( $GLOBALS['EZSQL_ERROR'] ) ? count( $GLOBALS['EZSQL_ERROR'] ) : 0;
	}

	/**
	 * Whether any query failed since the mark was taken.
	 *
	 * @param int $mark From error_mark().
	 */
	public static function errors_since( int $mark ): bool {
		return self::error_mark() > $mark;
	}

	/**
	 * Runs $work in one transaction (read committed at the outermost level): committed when it returns
	 * and no query failed meanwhile, rolled back when it throws or a query failed.
	 *
	 * @template T
	 * @param callable(): T $work The writes that belong together.
	 * @return T What $work returned.
	 * @throws Storage_Exception When the transaction can't start, a query failed or COMMIT failed.
	 * @throws Transaction_Conflict When the database rolled it back for a conflicting transaction.
	 * @throws \Throwable Whatever $work threw, after the rollback.
	 */
	public static function run( callable $work ) {
		$mark = self::error_mark();
		if ( ! self::begin( true ) ) {
			throw new Storage_Exception( 'starting a transaction failed' );
		}
		$release = self::hold( $mark );
		try {
			$result  = $work();
			$failure = null;
			if ( self::errors_since( $mark ) ) {
				$failure = 'a database query failed';
			} elseif ( ! self::commit() ) {
				$failure = 'committing the transaction failed';
			}
			if ( null !== $failure ) {
				throw self::failure( $mark, $failure );
			}
		} catch ( \Throwable $e ) {
			self::rollback_unless_lost();
			// A write that failed because the server picked this transaction as a deadlock victim throws
			// its own Storage_Exception: it is a conflict all the same, worth running again.
			if ( $e instanceof Storage_Exception && ! $e instanceof Transaction_Conflict ) {
				$failure = self::failure( $mark, $e->getMessage() );
				if ( $failure instanceof Transaction_Conflict ) {
					throw $failure;
				}
			}
			throw $e;
		} finally {
			$release();
		}
		return $result;
	}

	/**
	 * Until the returned callable runs: once a query failed after $mark, wpdb sends nothing but ROLLBACK
	 * (its `query` filter answers '' and wpdb::query() returns false); wpdb does not reconnect, and the
	 * wp_die() it would end the request with on a lost connection throws a Storage_Exception instead,
	 * so the pipeline rolls back, records the failure on a new connection and answers 503.
	 *
	 * @param int $mark From error_mark(), taken when the transaction began.
	 * @return callable(): void Restores wpdb's own behaviour.
	 */
	private static function hold( int $mark ): callable {
		global $wpdb;
		$guard                   = static fn ( $query ) => self::errors_since( $mark ) && ! preg_match( '/^\s*(ROLLBACK|RELEASE SAVEPOINT)\b/i', (string) $query ) ? '' : $query;
		$thrower                 = static fn () => array( self::class, 'connection_lost' );
		$retries                 = $wpdb->reconnect_retries;
		$wpdb->reconnect_retries = 0;
		// With no retry, wpdb::check_connection() mutes warnings and never unmutes them: restored below.
		$reporting = error_reporting(); // phpcs:ignore Squiz.PHP.DiscouragedFunctions.Discouraged
		add_filter( 'query', $guard, PHP_INT_MAX );
		foreach ( self::DIE_HANDLER_FILTERS as $filter ) {
			add_filter( $filter, $thrower, PHP_INT_MAX );
		}
		return static function () use ( $guard, $thrower, $retries, $reporting ): void {
			global $wpdb;
			$wpdb->reconnect_retries = $retries;
			error_reporting( $reporting ); // phpcs:ignore Squiz.PHP.DiscouragedFunctions.Discouraged
			remove_filter( 'query', $guard, PHP_INT_MAX );
			foreach ( self::DIE_HANDLER_FILTERS as $filter ) {
				remove_filter( $filter, $thrower, PHP_INT_MAX );
			}
		};
	}

	/**
	 * wp_die() handler inside run(): wpdb ends the request this way when the connection is lost.
	 *
	 * @throws Storage_Exception Always.
	 */
	public static function connection_lost(): never {
		throw new Storage_Exception( 'the database connection was lost in the middle of the transaction' );
	}

	/**
	 * rollback() after a failure; a lost connection (wpdb's wp_die() again) has rolled it back already.
	 */
	private static function rollback_unless_lost(): void {
		try {
			self::rollback();
		} catch ( Storage_Exception $e ) {
			return; // The connection is gone, and the transaction with it.
		}
	}

	/**
	 * run() again when it ends in a conflict (a deadlock victim, a failed certification, a lost key race),
	 * at most $attempts times; the last conflict is thrown.
	 *
	 * @template T
	 * @param callable(): T    $work           The writes that belong together.
	 * @param callable(): void $after_conflict Forgets what the rolled back attempt left in caches.
	 * @param int              $attempts       Runs at most.
	 * @return T What $work returned.
	 * @throws Transaction_Conflict When every attempt ended in a conflict.
	 */
	public static function run_retrying( callable $work, callable $after_conflict, int $attempts = 3 ) {
		for ( $attempt = 1;; ++$attempt ) {
			try {
				return self::run( $work );
			} catch ( Transaction_Conflict $e ) {
				$after_conflict();
				if ( $attempt >= $attempts ) {
					throw $e;
				}
			}
		}
	}

	/**
	 * The exception for a failed transaction: a Transaction_Conflict when the server chose it as a deadlock
	 * victim (InnoDB) or refused its commit on certification (Galera answers the same error 1213), which
	 * is worth trying again at once; a Storage_Exception otherwise.
	 *
	 * @param int    $mark    From error_mark(), taken when the transaction began.
	 * @param string $message What failed.
	 */
	private static function failure( int $mark, string $message ): Storage_Exception {
		$errors = isset( $GLOBALS['EZSQL_ERROR'] ) && is_array( $GLOBALS['EZSQL_ERROR'] ) ? array_slice( $GLOBALS['EZSQL_ERROR'], $mark ) : array();
		foreach ( $errors as $error ) {
			if ( is_array( $error ) && str_contains( (string) ( $error['error_str'] ?? '' ), 'Deadlock found' ) ) {
				return new Transaction_Conflict( 'the database chose this transaction as a deadlock victim' );
			}
		}
		return new Storage_Exception( $message );
	}
}
