<?php
/**
 * The database rolled a transaction back because another one touched the same rows.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Database;

defined( 'ABSPATH' ) || exit;

/**
 * A deadlock victim (InnoDB), a failed certification (Galera) or a lost race for a unique key: nothing of
 * the transaction was kept, and running it again is the cure (Transaction::run_retrying()). After a few tries it is answered 503, so the sender retries later.
 */
class Transaction_Conflict extends Storage_Exception {
}
