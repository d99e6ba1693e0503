<?php
/**
 * The indexed lookup of leads: what is matched, filtered, sorted and searched, in tables of its own.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

use SolarCapture\Plugin\Capture\Lead_Capture;
use SolarCapture\Plugin\Database\Schema;
use SolarCapture\Plugin\Database\Storage_Exception;

defined( 'ABSPATH' ) || exit;

/**
 * Posts and their meta stay the record (contract section 3); this mirrors what is looked up, the way
 * WooCommerce keeps a product meta lookup table beside its posts:
 *
 * - {prefix}solar_capture_lead_index: one row per lead with the list columns (status, appointment start,
 *   event type, last change, owner) and the normalised e-mail and phone digits, each indexed;
 * - {prefix}solar_capture_lead_keys: the keys that identify a lead (every booking uid it has held, its
 *   e-mail), each UNIQUE. Creating a lead claims its keys with plain INSERTs in the delivery's transaction,
 *   so of two deliveries racing to create a lead for one booking, one wins and the other gets a duplicate
 *   key error (Lead_Key_Conflict), rolls back and, retried, finds the winner's lead. No named lock: this
 *   holds across web nodes and on Galera clusters, where a conflict surfaces as a failed commit (503).
 *
 * Rows are written in the transaction that changes the lead. Keys exist for live leads only: a lead in
 * the trash matches nothing, and gets its keys back when restored (unless another lead took them).
 */
final class Lead_Index {

	public const KEY_UID   = 'uid';
	public const KEY_EMAIL = 'email';

	/** The last lead id indexed by a running reindex (Lead_Reindex); absent when the index is complete. */
	public const CURSOR_OPTION = 'solar_capture_reindex_cursor';

	/** Leads synchronised per query batch (reindex). */
	public const BATCH = 1000;

	/** MySQL's ER_DUP_ENTRY. */
	private const ER_DUP_ENTRY = 1062;

	/** Post statuses that take part in matching. */
	private const DEAD_STATUSES = array( 'trash', 'auto-draft' );

	/** @var array<string, int>|null Leads by post status, once per request (the list screen asks twice). */
	private ?array $status_counts = null;

	/** @var bool Whether meta changes are synchronised by the caller (the pipeline) instead of one by one. */
	private bool $deferred = false;

	public function __construct( private Schema $schema ) {
	}

	public function add_hooks(): void {
		// Changes made outside the pipeline: the lead screen, other plugins, trash and restore, deletion.
		add_action( 'save_post_' . Lead_Post_Type::POST_TYPE, array( $this, 'sync_post' ), 20 );
		add_action( 'transition_post_status', array( $this, 'sync_status_change' ), 20, 3 );
		foreach ( array( 'added_post_meta', 'updated_post_meta', 'deleted_post_meta' ) as $hook ) {
			add_action( $hook, array( $this, 'sync_meta_change' ), 20, 3 );
		}
		add_action( 'deleted_post', array( $this, 'forget' ), 10, 2 );
	}

	public function table(): string {
		return $this->schema->lead_index_table();
	}

	public function keys_table(): string {
		return $this->schema->lead_keys_table();
	}

	/**
	 * Whether every lead is indexed (no reindex walk is under way).
	 */
	public function is_complete(): bool {
		return false === get_option( self::CURSOR_OPTION, false );
	}

	/**
	 * The live lead holding one of these booking uids (the oldest when several do), or null.
	 *
	 * @param string[] $uids Booking uids.
	 */
	public function find_by_uids( array $uids ): ?int {
		return $this->find( self::KEY_UID, $uids );
	}

	/**
	 * The live lead holding this e-mail, or null.
	 *
	 * @param string $email Normalised e-mail.
	 */
	public function find_by_email( string $email ): ?int {
		return '' === $email ? null : $this->find( self::KEY_EMAIL, array( $email ) );
	}

	/**
	 * Claims the keys of a lead just created: its booking uids and e-mail. Plain INSERTs: a key another
	 * delivery claimed first (committed or not) makes this one lose the race.
	 *
	 * @param int      $lead_id The new lead.
	 * @param string[] $uids    Booking uids.
	 * @param string   $email   Normalised e-mail ('' for none).
	 * @throws Lead_Key_Conflict When another lead holds one of the keys.
	 * @throws Storage_Exception When the insert fails for another reason.
	 */
	public function claim( int $lead_id, array $uids, string $email ): void {
		global $wpdb;
		$keys = $this->key_rows( $lead_id, $uids, '' === $email ? array() : array( $email ) );
		if ( array() === $keys ) {
			return;
		}
		// A key left by a lead that is gone or in the trash (deleted behind the plugin's back) is free again.
		$hashes = array_map( static fn ( string $hash ): string => $wpdb->prepare( 'UNHEX(%s)', $hash ), array_keys( self::keys_of( $uids, '' === $email ? array() : array( $email ) ) ) );
		$this->write(
			$wpdb->prepare(
				"DELETE k FROM {$this->keys_table()} k LEFT JOIN {$wpdb->posts} p ON p.ID = k.lead_id AND p.post_type = %s AND p.post_status NOT IN ('trash', 'auto-draft') WHERE p.ID IS NULL AND k.key_hash IN (" . implode( ',', $hashes ) . ')', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared rows.
				Lead_Post_Type::POST_TYPE
			),
			'freeing stale lead keys failed'
		);
		$suppressed = $wpdb->suppress_errors( true ); // A lost race is an expected outcome, not an error to log.
		$ok         = $wpdb->query( "INSERT INTO {$this->keys_table()} (key_hash, kind, lead_id) VALUES " . implode( ',', $keys ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- rows built with prepare().
		$errno      = $wpdb->dbh instanceof \mysqli ? mysqli_errno( $wpdb->dbh ) : 0;
		$error      = (string) $wpdb->last_error;
		$wpdb->suppress_errors( $suppressed );
		if ( false !== $ok ) {
			return;
		}
		if ( self::ER_DUP_ENTRY === $errno || str_starts_with( $error, 'Duplicate entry' ) ) {
			throw new Lead_Key_Conflict( 'another delivery created the lead of this booking first' );
		}
		throw new Storage_Exception( 'claiming the lead\'s keys failed' );
	}

	/**
	 * Locks a lead's post row until the transaction ends: deliveries for one lead apply one after the
	 * other (the ordering guard reads what the previous one committed); other leads are not held up.
	 *
	 * @param int $lead_id Lead id.
	 */
	public function lock_lead( int $lead_id ): void {
		global $wpdb;
		$wpdb->get_var( $wpdb->prepare( "SELECT ID FROM {$wpdb->posts} WHERE ID = %d FOR UPDATE", $lead_id ) );
	}

	/**
	 * Runs $write with the per-change synchronisation off; the caller syncs once afterwards.
	 *
	 * @template T
	 * @param callable(): T $write Writes to leads.
	 * @return T
	 */
	public function deferring( callable $write ) {
		$was            = $this->deferred;
		$this->deferred = true;
		try {
			return $write();
		} finally {
			$this->deferred = $was;
		}
	}

	/**
	 * Rebuilds the index rows and keys of these leads from their posts and meta (batch of any size).
	 *
	 * @param int[] $lead_ids     Lead ids; ids that are not leads (or are gone) lose their rows.
	 * @param bool  $only_changed Write only the leads whose row or keys differ from what is stored (reindex).
	 * @return int How many leads were (re)indexed.
	 */
	public function sync( array $lead_ids, bool $only_changed = false ): int {
		global $wpdb;
		$this->status_counts = null;
		$lead_ids            = array_values( array_unique( array_filter( array_map( 'intval', $lead_ids ) ) ) );
		if ( array() === $lead_ids ) {
			return 0;
		}
		$in    = implode( ',', $lead_ids );
		$posts = $wpdb->get_results(
			$wpdb->prepare( "SELECT ID, post_status, post_title, post_author, post_modified_gmt FROM {$wpdb->posts} WHERE ID IN ({$in}) AND post_type = %s", Lead_Post_Type::POST_TYPE ), // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
			OBJECT_K
		);
		$posts = is_array( $posts ) ? $posts : array();
		$meta  = $this->meta_of( $in );

		$wanted = array();
		$dead   = array();
		foreach ( $posts as $id => $post ) {
			$m             = $meta[ (int) $id ] ?? array();
			$email         = Lead_Post_Type::normalize_email( (string) ( $m[ Lead_Post_Type::META_EMAIL ][0] ?? '' ) );
			$wanted[ $id ] = self::keys_of( $m[ Lead_Post_Type::META_BOOKING_UIDS ] ?? array(), '' === $email ? array() : array( $email ) );
			if ( in_array( $post->post_status, self::DEAD_STATUSES, true ) ) {
				$dead[]        = (int) $id;
				$wanted[ $id ] = array();
			}
		}
		$now = $only_changed ? $this->stored( $in, array_keys( array_merge( array(), ...array_values( $wanted ) ) ) ) : array(
			'rows'    => array(),
			'keys'    => array(),
			'holders' => array(),
		);

		$rows = array();
		$keys = array();
		foreach ( $posts as $id => $post ) {
			$id        = (int) $id;
			$row       = $this->index_row( $id, $post, $meta[ $id ] ?? array() );
			$lead_keys = $wanted[ $id ];
			$missing   = array_diff_key( $lead_keys, $now['keys'] );
			$stored    = $now['rows'][ $id ] ?? null;
			$same      = null !== $stored && count( $stored ) === count( $row ) && array() === array_diff_assoc( $row, $stored );
			if ( $only_changed && $same && array() === $missing && ( in_array( $id, $dead, true ) ? ! in_array( $id, $now['holders'] ?? array(), true ) : true ) ) {
				continue; // Up to date.
			}
			$rows[ $id ] = $row;
			foreach ( $lead_keys as $hash => $kind ) {
				$keys[] = $wpdb->prepare( '(UNHEX(%s), %s, %d)', $hash, $kind, $id );
			}
		}
		$gone = array_diff( $lead_ids, array_map( 'intval', array_keys( $posts ) ) );
		if ( array() !== $gone ) {
			$this->remove_rows( $gone );
		}
		$dead = array_values( array_intersect( $dead, array_keys( $rows ) ) );
		if ( array() !== $dead ) {
			$this->remove_keys( $dead );
		}
		if ( array() !== $rows ) {
			$columns = array_keys( reset( $rows ) );
			$values  = array_map(
				static fn ( array $row ): string => '(' . implode( ', ', array_map( static fn ( $v ): string => null === $v ? 'NULL' : ( is_int( $v ) ? (string) $v : $wpdb->prepare( '%s', $v ) ), $row ) ) . ')',
				$rows
			);
			$update  = implode( ', ', array_map( static fn ( string $c ): string => "{$c} = VALUES({$c})", array_slice( $columns, 1 ) ) );
			$this->write( "INSERT INTO {$this->table()} (" . implode( ', ', $columns ) . ') VALUES ' . implode( ',', $values ) . " ON DUPLICATE KEY UPDATE {$update}", 'writing the lead index failed' );
		}
		if ( array() !== $keys ) {
			// The first lead to hold a key keeps it; reindexing in id order gives an e-mail to the oldest lead.
			$this->write( "INSERT IGNORE INTO {$this->keys_table()} (key_hash, kind, lead_id) VALUES " . implode( ',', $keys ), 'writing the lead keys failed' );
		}
		return count( $rows );
	}

	/**
	 * What is stored for some leads, to compare with what should be: their index rows, which of the keys
	 * they should hold exist (held by them or by an older lead), and which of them hold keys at all.
	 *
	 * @param string   $in     Comma-separated lead ids (integers).
	 * @param string[] $hashes Key hashes (hex) the leads should hold.
	 * @return array{rows: array<int, array<string, int|string|null>>, keys: array<string, true>, holders: int[]}
	 */
	private function stored( string $in, array $hashes ): array {
		global $wpdb;
		$stored = array(
			'rows'    => array(),
			'keys'    => array(),
			'holders' => array(),
		);
		foreach ( (array) $wpdb->get_results( "SELECT * FROM {$this->table()} WHERE lead_id IN ({$in})", ARRAY_A ) as $row ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
			$stored['rows'][ (int) $row['lead_id'] ] = self::typed( $row );
		}
		if ( array() !== $hashes ) {
			$list = implode( ',', array_map( static fn ( string $hash ): string => $wpdb->prepare( 'UNHEX(%s)', $hash ), $hashes ) );
			foreach ( (array) $wpdb->get_col( "SELECT LOWER(HEX(key_hash)) FROM {$this->keys_table()} WHERE key_hash IN ({$list})" ) as $hash ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared list.
				$stored['keys'][ (string) $hash ] = true;
			}
		}
		$stored['holders'] = array_map( 'intval', (array) $wpdb->get_col( "SELECT DISTINCT lead_id FROM {$this->keys_table()} WHERE lead_id IN ({$in})" ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers.
		return $stored;
	}

	/**
	 * An index row with the types index_row() gives.
	 *
	 * @param array<string, mixed> $row A row as read.
	 * @return array<string, int|string|null>
	 */
	private static function typed( array $row ): array {
		foreach ( array( 'lead_id', 'last_change', 'owner' ) as $int ) {
			$row[ $int ] = (int) $row[ $int ];
		}
		$row['booking_start'] = null === $row['booking_start'] ? null : (int) $row['booking_start'];
		return $row;
	}

	/**
	 * Indexes the leads of the next batch after $after_id that lack a row or keys or whose row is out of
	 * date (a reindex is a walk over ids, so it can stop and resume anywhere).
	 *
	 * @param int $after_id Last id done (0 to start).
	 * @param int $limit    Batch size.
	 * @return array{0: int, 1: int} Leads (re)indexed, and the last id looked at (0 when the walk is over).
	 */
	public function reindex_after( int $after_id, int $limit = self::BATCH ): array {
		global $wpdb;
		$ids = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT ID FROM {$wpdb->posts} WHERE post_type = %s AND ID > %d ORDER BY ID ASC LIMIT %d",
				Lead_Post_Type::POST_TYPE,
				$after_id,
				max( 1, $limit )
			)
		);
		$ids = array_map( 'intval', is_array( $ids ) ? $ids : array() );
		if ( array() === $ids ) {
			return array( 0, 0 );
		}
		return array( $this->sync( $ids, true ), count( $ids ) < $limit ? 0 : (int) end( $ids ) );
	}

	/**
	 * How many leads have no index row or one older than their post (changed while the index was not
	 * looking, e.g. before the upgrade).
	 */
	public function stale_count(): int {
		global $wpdb;
		return (int) $wpdb->get_var(
			$wpdb->prepare(
				"SELECT COUNT(*) FROM {$wpdb->posts} p LEFT JOIN {$this->table()} i ON i.lead_id = p.ID WHERE p.post_type = %s AND (i.lead_id IS NULL OR i.indexed_modified <> p.post_modified_gmt)", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				Lead_Post_Type::POST_TYPE
			)
		);
	}

	/**
	 * The SQL the lead list needs for a filter, a search and a sort, on {$wpdb->posts}.
	 *
	 * The filter and the search are one condition, `ID IN (SELECT lead_id FROM the index WHERE ...)`, so
	 * the database reads the narrow index, not every lead's meta. A term that looks like an e-mail is
	 * matched by prefix and a phone number (six digits or more) by its last digits, both through an index
	 * (whatever the country prefix: "030 1234567" finds "+49 30 1234567"); other terms are looked for
	 * anywhere in the name, e-mail and phone digits.
	 *
	 * @param string   $status  Booking status to filter by ('' for all).
	 * @param string   $orderby Index column to sort by ('' for WordPress's own order).
	 * @param string   $order   ASC or DESC.
	 * @param string[] $terms   Search terms (each must match).
	 * @param int|null $changed_before_ms Only leads that last changed before this (Unix ms), or null.
	 * @param string   $source  Only leads from this source ('' for all).
	 * @param string   $stage   Only leads at this sales stage ('' for all).
	 * @param int      $owner   Only leads of this owner (0 for all).
	 * @return array{join: string, where: string, orderby: string, condition: string}
	 */
	public function list_clauses( string $status, string $orderby, string $order, array $terms, ?int $changed_before_ms = null, string $source = '', string $stage = '', int $owner = 0 ): array {
		global $wpdb;
		$conditions = '' === $status ? array() : array( $wpdb->prepare( 'status = %s', $status ) );
		if ( '' !== $source ) {
			$conditions[] = $wpdb->prepare( 'source = %s', $source );
		}
		if ( '' !== $stage ) {
			$conditions[] = $wpdb->prepare( 'stage = %s', $stage );
		}
		if ( $owner > 0 ) {
			$conditions[] = $wpdb->prepare( 'owner = %d', $owner );
		}
		if ( null !== $changed_before_ms ) {
			$conditions[] = $wpdb->prepare( 'last_change < %d', $changed_before_ms );
		}
		foreach ( $terms as $term ) {
			$condition = $this->term_condition( trim( (string) $term ) );
			if ( '' !== $condition ) {
				$conditions[] = $condition;
			}
		}
		$clauses = array(
			'join'      => '',
			'where'     => '',
			'orderby'   => '',
			'condition' => implode( ' AND ', $conditions ),
		);
		if ( array() !== $conditions ) {
			$clauses['where'] = " AND {$wpdb->posts}.ID IN (SELECT lead_id FROM {$this->table()} WHERE {$clauses['condition']})";
		}
		if ( in_array( $orderby, array( 'email', 'status', 'booking_start', 'event_type', 'last_change' ), true ) ) {
			$dir                = 'ASC' === $order ? 'ASC' : 'DESC';
			$clauses['join']    = " LEFT JOIN {$this->table()} solar_i ON solar_i.lead_id = {$wpdb->posts}.ID";
			$clauses['orderby'] = "solar_i.{$orderby} {$dir}, {$wpdb->posts}.ID {$dir}";
		}
		return $clauses;
	}

	/**
	 * How many leads the list shows, counted on the index: what SQL_CALC_FOUND_ROWS would count, without
	 * making the database find every row of the list first.
	 *
	 * @param string[] $post_statuses The list's post statuses.
	 * @param string   $condition     list_clauses()'s condition ('' for none).
	 */
	public function count( array $post_statuses, string $condition ): int {
		global $wpdb;
		if ( '' === $condition ) {
			// The whole list: the per-status counts the screen's views need anyway, read once.
			return (int) array_sum( array_intersect_key( $this->counts_by_post_status(), array_flip( $post_statuses ) ) );
		}
		$in = implode( ',', array_map( static fn ( string $s ): string => $wpdb->prepare( '%s', $s ), $post_statuses ) );
		if ( '' === $in ) {
			return 0;
		}
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$this->table()} WHERE post_status IN ({$in})" . ( '' === $condition ? '' : " AND {$condition}" ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared parts.
	}

	/**
	 * The sources leads came from, for the list's filter (at most 100, most common first).
	 *
	 * @return string[]
	 */
	public function sources(): array {
		global $wpdb;
		return array_map( 'strval', (array) $wpdb->get_col( "SELECT source FROM {$this->table()} WHERE source <> '' GROUP BY source ORDER BY COUNT(*) DESC LIMIT 100" ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * Leads by post status, counted on the index (what wp_count_posts() counts on every lead).
	 *
	 * @return array<string, int>
	 */
	public function counts_by_post_status(): array {
		global $wpdb;
		if ( null !== $this->status_counts ) {
			return $this->status_counts;
		}
		$counts = array();
		foreach ( (array) $wpdb->get_results( "SELECT post_status, COUNT(*) AS n FROM {$this->table()} GROUP BY post_status" ) as $row ) { // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			$counts[ (string) $row->post_status ] = (int) $row->n;
		}
		$this->status_counts = $counts;
		return $counts;
	}

	/**
	 * Whether leads are at least half of the posts table (by the table's row estimate: no scan).
	 */
	public function leads_are_most_posts(): bool {
		global $wpdb;
		$rows = (int) $wpdb->get_var( $wpdb->prepare( 'SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s', $wpdb->posts ) );
		return $rows > 0 && 2 * array_sum( $this->counts_by_post_status() ) >= $rows;
	}

	/**
	 * The condition for one search term ('' for a term that matches everything).
	 *
	 * @param string $term A search term.
	 */
	private function term_condition( string $term ): string {
		global $wpdb;
		if ( '' === $term ) {
			return '';
		}
		$digits = self::digits( $term );
		if ( str_contains( $term, '@' ) ) {
			return $wpdb->prepare( 'email LIKE %s', $wpdb->esc_like( Lead_Post_Type::normalize_email( $term ) ) . '%' );
		}
		$phone_like = '' !== $digits && 1 === preg_match( '~\A[0-9+()./ -]+\z~', $term );
		if ( $phone_like && strlen( ltrim( $digits, '0' ) ) >= 6 ) {
			// The last digits: a leading 0 (national prefix) or +49 / 0049 (country code) differ between ways of writing one number.
			return $wpdb->prepare( 'phone_reversed LIKE %s', $wpdb->esc_like( strrev( ltrim( $digits, '0' ) ) ) . '%' );
		}
		$like   = '%' . $wpdb->esc_like( mb_strtolower( $term, 'UTF-8' ) ) . '%';
		$either = array( $wpdb->prepare( 'name LIKE %s', $like ), $wpdb->prepare( 'email LIKE %s', $like ) );
		if ( strlen( $digits ) >= 3 || $phone_like ) {
			$either[] = $wpdb->prepare( 'phone_digits LIKE %s', '%' . $wpdb->esc_like( $digits ) . '%' );
		}
		return '(' . implode( ' OR ', $either ) . ')';
	}

	/**
	 * The lead ids that have (or had, while live) this e-mail, oldest first: privacy export and erasure.
	 *
	 * @param string $email E-mail, any case.
	 * @return int[]
	 */
	public function ids_by_email( string $email ): array {
		global $wpdb;
		$email = Lead_Post_Type::normalize_email( $email );
		if ( '' === $email ) {
			return array();
		}
		$ids = $wpdb->get_col( $wpdb->prepare( "SELECT lead_id FROM {$this->table()} WHERE email = %s ORDER BY lead_id ASC", $email ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( ! $this->is_complete() ) {
			// Leads the reindex has not reached yet are found by their meta.
			$more = $wpdb->get_col(
				$wpdb->prepare(
					"SELECT p.ID FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID WHERE p.post_type = %s AND m.meta_key = %s AND m.meta_value = %s",
					Lead_Post_Type::POST_TYPE,
					Lead_Post_Type::META_EMAIL,
					$email
				)
			);
			$ids  = array_unique( array_merge( is_array( $ids ) ? $ids : array(), is_array( $more ) ? $more : array() ) );
			sort( $ids );
		}
		return array_values( array_map( 'intval', is_array( $ids ) ? $ids : array() ) );
	}

	/**
	 * Hook: a lead post was saved (the lead screen, wp_insert_post, wp_update_post).
	 *
	 * @param int $post_id Lead id.
	 */
	public function sync_post( $post_id ): void {
		if ( ! $this->deferred ) {
			$this->sync_quietly( (int) $post_id );
		}
	}

	/**
	 * Hook: trash, restore and other status changes of a lead.
	 *
	 * @param string   $new_status New status.
	 * @param string   $old_status Old status.
	 * @param \WP_Post $post       The post.
	 */
	public function sync_status_change( $new_status, $old_status, $post ): void {
		if ( $new_status !== $old_status && $post instanceof \WP_Post && Lead_Post_Type::POST_TYPE === $post->post_type && ! $this->deferred ) {
			$this->sync_quietly( (int) $post->ID );
		}
	}

	/**
	 * Hook: one of a lead's indexed meta values changed outside the pipeline.
	 *
	 * @param int|int[] $meta_ids Meta row id(s).
	 * @param int       $post_id  Post id.
	 * @param string    $key      Meta key.
	 */
	public function sync_meta_change( $meta_ids, $post_id, $key ): void {
		if ( $this->deferred || ! in_array( $key, self::INDEXED_META, true ) || Lead_Post_Type::POST_TYPE !== get_post_type( (int) $post_id ) ) {
			return;
		}
		$this->sync_quietly( (int) $post_id );
	}

	/**
	 * Hook: a post was deleted for good; its index row and keys go with it.
	 *
	 * @param int           $post_id Post id.
	 * @param \WP_Post|null $post    The post.
	 */
	public function forget( $post_id, $post = null ): void {
		if ( $post instanceof \WP_Post && Lead_Post_Type::POST_TYPE === $post->post_type ) {
			try {
				$this->remove_rows( array( (int) $post_id ) );
			} catch ( Storage_Exception $e ) {
				self::log( $e );
			}
		}
	}

	/**
	 * sync() for hooks: a failure must not break the screen that saved the lead; the lead is marked
	 * stale by its missing or older row, and the next reindex puts it right.
	 *
	 * @param int $lead_id Lead id.
	 */
	private function sync_quietly( int $lead_id ): void {
		try {
			$this->sync( array( $lead_id ) );
		} catch ( Storage_Exception $e ) {
			self::log( $e );
		}
	}

	/**
	 * @param \Throwable $e What failed.
	 */
	private static function log( \Throwable $e ): void {
		error_log( 'Solar Capture: updating the lead index failed: ' . $e->getMessage() . '; run solar_capture_reindex_leads() to repair it' ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions.error_log_error_log
	}

	/**
	 * Digits of a phone number or search term.
	 *
	 * @param string $text Text.
	 */
	public static function digits( string $text ): string {
		return (string) preg_replace( '/\D+/', '', $text );
	}

	/** The meta keys the index mirrors. */
	private const INDEXED_META = array(
		Lead_Post_Type::META_STAGE,
		Lead_Post_Type::META_EMAIL,
		Lead_Post_Type::META_PHONE,
		Lead_Post_Type::META_STATUS,
		Lead_Post_Type::META_BOOKING_START,
		Lead_Post_Type::META_EVENT_TYPE,
		Lead_Post_Type::META_LAST_EVENT_AT,
		Lead_Post_Type::META_BOOKING_UIDS,
		Lead_Post_Type::META_SOURCE,
	);

	/**
	 * @param string   $kind   KEY_UID or KEY_EMAIL.
	 * @param string[] $values Values.
	 */
	private function find( string $kind, array $values ): ?int {
		global $wpdb;
		$hashes = array_map( static fn ( string $hash ): string => $wpdb->prepare( 'UNHEX(%s)', $hash ), array_keys( self::keys_of( self::KEY_UID === $kind ? $values : array(), self::KEY_EMAIL === $kind ? $values : array() ) ) );
		if ( array() === $hashes ) {
			return null;
		}
		// Joined to the post: a key left behind by a lead deleted straight from the database matches nothing.
		$id = $wpdb->get_var(
			$wpdb->prepare(
				"SELECT k.lead_id FROM {$this->keys_table()} k INNER JOIN {$wpdb->posts} p ON p.ID = k.lead_id AND p.post_type = %s AND p.post_status NOT IN ('trash', 'auto-draft') WHERE k.key_hash IN (" . implode( ',', $hashes ) . ') ORDER BY k.lead_id ASC LIMIT 1', // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared above.
				Lead_Post_Type::POST_TYPE
			)
		);
		return is_numeric( $id ) && (int) $id > 0 ? (int) $id : null;
	}

	/**
	 * The keys of some values: key hash => kind.
	 *
	 * @param string[] $uids   Booking uids.
	 * @param string[] $emails Normalised e-mails.
	 * @return array<string, string>
	 */
	private static function keys_of( array $uids, array $emails ): array {
		$keys = array();
		foreach ( array( self::KEY_UID => $uids, self::KEY_EMAIL => $emails ) as $kind => $values ) {
			foreach ( $values as $value ) {
				if ( is_string( $value ) && '' !== $value ) {
					$keys[ self::key_hash( $kind, $value ) ] = $kind;
				}
			}
		}
		return $keys;
	}

	/**
	 * "(UNHEX(hash), kind, lead_id)" rows for the keys table.
	 *
	 * @param int      $lead_id Lead id.
	 * @param string[] $uids    Booking uids.
	 * @param string[] $emails  Normalised e-mails.
	 * @return string[]
	 */
	private function key_rows( int $lead_id, array $uids, array $emails ): array {
		global $wpdb;
		$rows = array();
		foreach ( self::keys_of( $uids, $emails ) as $hash => $kind ) {
			$rows[] = $wpdb->prepare( '(UNHEX(%s), %s, %d)', $hash, $kind, $lead_id );
		}
		return $rows;
	}

	/**
	 * A key's identity: exact whatever its length (uids and e-mails can be longer than an index allows).
	 *
	 * @param string $kind  KEY_UID or KEY_EMAIL.
	 * @param string $value The uid or normalised e-mail.
	 */
	private static function key_hash( string $kind, string $value ): string {
		return hash( 'sha256', $kind . "\n" . $value );
	}

	/**
	 * The values of one index row, by column, in the table's column order.
	 *
	 * @param int                     $id   Lead id.
	 * @param object                  $post ID, post_status, post_title, post_author, post_modified_gmt.
	 * @param array<string, string[]> $meta Meta values by key.
	 * @return array<string, int|string|null>
	 */
	private function index_row( int $id, object $post, array $meta ): array {
		$first    = static fn ( string $key ): string => (string) ( $meta[ $key ][0] ?? '' );
		$start    = $first( Lead_Post_Type::META_BOOKING_START );
		$last     = $first( Lead_Post_Type::META_LAST_EVENT_AT );
		$modified = strtotime( $post->post_modified_gmt . ' UTC' );
		return array(
			'lead_id'          => $id,
			'post_status'      => mb_substr( (string) $post->post_status, 0, 20 ),
			'name'             => mb_substr( mb_strtolower( (string) $post->post_title, 'UTF-8' ), 0, 191 ),
			'email'            => mb_substr( Lead_Post_Type::normalize_email( $first( Lead_Post_Type::META_EMAIL ) ), 0, 191 ),
			'phone_digits'     => substr( self::digits( $first( Lead_Post_Type::META_PHONE ) ), 0, 32 ),
			'phone_reversed'   => strrev( substr( self::digits( $first( Lead_Post_Type::META_PHONE ) ), 0, 32 ) ),
			'status'           => mb_substr( $first( Lead_Post_Type::META_STATUS ), 0, 20 ),
			'booking_start'    => is_numeric( $start ) ? (int) $start : null,
			'event_type'       => mb_substr( $first( Lead_Post_Type::META_EVENT_TYPE ), 0, 191 ),
			'last_change'      => is_numeric( $last ) ? (int) $last : ( false === $modified ? 0 : $modified * 1000 ),
			'owner'            => (int) $post->post_author,
			'source'           => mb_substr( Lead_Capture::source_label( Lead_Capture::source( $first( Lead_Post_Type::META_SOURCE ) ) ), 0, 100 ),
			'indexed_modified' => (string) $post->post_modified_gmt,
			'stage'            => mb_substr( $first( Lead_Post_Type::META_STAGE ), 0, 32 ),
		);
	}

	/**
	 * The indexed meta of some leads, read from the database (never a cache: this runs inside transactions).
	 *
	 * @param string $in Comma-separated lead ids (integers).
	 * @return array<int, array<string, string[]>>
	 */
	private function meta_of( string $in ): array {
		global $wpdb;
		$keys = implode( ',', array_map( static fn ( string $key ): string => "'" . esc_sql( $key ) . "'", self::INDEXED_META ) );
		$rows = $wpdb->get_results( "SELECT post_id, meta_key, meta_value FROM {$wpdb->postmeta} WHERE post_id IN ({$in}) AND meta_key IN ({$keys}) ORDER BY meta_id ASC" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- integers and escaped constants.
		$meta = array();
		foreach ( is_array( $rows ) ? $rows : array() as $row ) {
			$meta[ (int) $row->post_id ][ (string) $row->meta_key ][] = (string) $row->meta_value;
		}
		return $meta;
	}

	/**
	 * @param int[] $lead_ids Leads whose keys go (trashed).
	 */
	private function remove_keys( array $lead_ids ): void {
		$in = implode( ',', array_map( 'intval', $lead_ids ) );
		$this->write( "DELETE FROM {$this->keys_table()} WHERE lead_id IN ({$in})", 'removing lead keys failed' );
	}

	/**
	 * @param int[] $lead_ids Leads whose rows and keys go (deleted).
	 */
	private function remove_rows( array $lead_ids ): void {
		$in = implode( ',', array_map( 'intval', $lead_ids ) );
		$this->remove_keys( $lead_ids );
		$this->write( "DELETE FROM {$this->table()} WHERE lead_id IN ({$in})", 'removing lead index rows failed' );
	}

	/**
	 * Runs a write; a failure surfaces through Transaction::errors_since() in the pipeline, and as an
	 * exception here for callers that check.
	 *
	 * @param string $sql     Prepared statement.
	 * @param string $failure What failed, for the exception.
	 * @throws Storage_Exception When the statement fails.
	 */
	private function write( string $sql, string $failure ): void {
		global $wpdb;
		if ( false === $wpdb->query( $sql ) ) { // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- built from prepared parts.
			throw new Storage_Exception( $failure );
		}
	}
}
