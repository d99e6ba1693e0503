<?php
/**
 * Finding, creating and changing lead posts.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Leads;

use SolarCapture\Plugin\Database\Storage_Exception;

defined( 'ABSPATH' ) || exit;

/**
 * Lead storage: posts of type solar_lead and their meta.
 *
 * Lookups go to the database, not the object cache: they run inside the delivery's transaction and must
 * see what other deliveries committed, even on a site with a persistent object cache. Matching goes
 * through the lead index; while a reindex walk is under way it also looks at post meta.
 */
final class Lead_Store {

	/** @var array<int, true> Leads written since the last forget_written(), to clear from the cache on rollback. */
	private array $written = array();

	/** @var array<int, array<string, string|int|null>> Meta values queued by set_meta() until flush_meta(). */
	private array $pending = array();

	public function __construct( private Lead_Index $index ) {
	}

	/**
	 * The lead with this id, when it is a lead and not in the trash.
	 *
	 * @param int $id Post id (from the booking's metadata[lead_id]).
	 */
	public function find_by_id( int $id ): ?int {
		global $wpdb;
		$found = $wpdb->get_var(
			$wpdb->prepare(
				"SELECT ID FROM {$wpdb->posts} WHERE ID = %d AND post_type = %s AND post_status NOT IN ('trash', 'auto-draft')",
				$id,
				Lead_Post_Type::POST_TYPE
			)
		);
		return $this->id_or_null( $found );
	}

	/**
	 * The oldest lead that has had one of these booking uids.
	 *
	 * @param string[] $uids Booking uids.
	 */
	public function find_by_uids( array $uids ): ?int {
		global $wpdb;
		$uids = array_values( array_unique( array_filter( $uids, static fn ( $uid ): bool => is_string( $uid ) && '' !== $uid ) ) );
		if ( array() === $uids ) {
			return null;
		}
		$found = $this->index->find_by_uids( $uids );
		if ( null !== $found || $this->index->is_complete() ) {
			return $found;
		}
		$in    = implode( ',', array_fill( 0, count( $uids ), '%s' ) );
		$found = $wpdb->get_var(
			$wpdb->prepare(
				// phpcs:ignore WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare
				"SELECT p.ID FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID
				WHERE p.post_type = %s AND p.post_status NOT IN ('trash', 'auto-draft') AND m.meta_key = %s AND m.meta_value IN ({$in})
				ORDER BY p.ID ASC LIMIT 1",
				array_merge( array( Lead_Post_Type::POST_TYPE, Lead_Post_Type::META_BOOKING_UIDS ), $uids )
			)
		);
		return $this->id_or_null( $found );
	}

	/**
	 * The oldest lead with this e-mail.
	 *
	 * @param string $email E-mail, any case.
	 */
	public function find_by_email( string $email ): ?int {
		global $wpdb;
		$email = Lead_Post_Type::normalize_email( $email );
		if ( '' === $email ) {
			return null;
		}
		$found = $this->index->find_by_email( $email );
		if ( null !== $found || $this->index->is_complete() ) {
			return $found;
		}
		$found = $wpdb->get_var(
			$wpdb->prepare(
				"SELECT p.ID FROM {$wpdb->posts} p INNER JOIN {$wpdb->postmeta} m ON m.post_id = p.ID
				WHERE p.post_type = %s AND p.post_status NOT IN ('trash', 'auto-draft') AND m.meta_key = %s AND m.meta_value = %s
				ORDER BY p.ID ASC LIMIT 1",
				Lead_Post_Type::POST_TYPE,
				Lead_Post_Type::META_EMAIL,
				$email
			)
		);
		return $this->id_or_null( $found );
	}

	/**
	 * Creates a private lead.
	 *
	 * @param string $title The lead's name.
	 * @throws Storage_Exception When WordPress can't insert the post.
	 */
	public function create( string $title ): int {
		$id = $this->with_verbatim_title(
			static fn () => wp_insert_post(
				wp_slash(
					array(
						'post_type'      => Lead_Post_Type::POST_TYPE,
						'post_status'    => 'private',
						'post_title'     => $title,
						// A slug of its own: from the name, WordPress would look for a free "name-N" with one
						// query per lead of that name (leads have no URL, so the slug is never seen).
						'post_name'      => 'lead-' . wp_generate_uuid4(),
						// Nobody's by default (not whoever happens to be logged in): Sales_Team sets the owner.
						'post_author'    => 0,
						'post_content'   => '',
						'comment_status' => 'closed',
						'ping_status'    => 'closed',
					)
				),
				true
			)
		);
		if ( is_wp_error( $id ) || 0 === $id ) {
			throw new Storage_Exception( 'creating the lead failed' );
		}
		$this->written[ (int) $id ] = true;
		return (int) $id;
	}

	/**
	 * Renames a lead when the name differs.
	 *
	 * @param int    $id    Lead id.
	 * @param string $title New name.
	 * @throws Storage_Exception When the update fails.
	 */
	public function set_title( int $id, string $title ): void {
		$post = get_post( $id );
		if ( ! $post instanceof \WP_Post || $post->post_title === $title ) {
			return;
		}
		$this->written[ $id ] = true;
		$result               = $this->with_verbatim_title(
			static fn () => wp_update_post(
				wp_slash(
					array(
						'ID'         => $id,
						'post_title' => $title,
					)
				),
				true
			)
		);
		if ( is_wp_error( $result ) || 0 === $result ) {
			throw new Storage_Exception( 'renaming the lead failed' );
		}
	}

	/**
	 * The lead's name as stored ('' when it has none).
	 *
	 * @param int $id Lead id.
	 */
	public function title( int $id ): string {
		global $wpdb;
		return (string) $wpdb->get_var( $wpdb->prepare( "SELECT post_title FROM {$wpdb->posts} WHERE ID = %d", $id ) );
	}

	/**
	 * A single meta value read from the database.
	 *
	 * @param int    $id  Lead id.
	 * @param string $key Meta key.
	 */
	public function fresh_meta( int $id, string $key ): ?string {
		global $wpdb;
		if ( array_key_exists( $key, $this->pending[ $id ] ?? array() ) ) {
			$queued = $this->pending[ $id ][ $key ];
			return null === $queued ? null : (string) $queued;
		}
		$value = $wpdb->get_var(
			$wpdb->prepare(
				"SELECT meta_value FROM {$wpdb->postmeta} WHERE post_id = %d AND meta_key = %s ORDER BY meta_id ASC LIMIT 1",
				$id,
				$key
			)
		);
		return null === $value ? null : (string) $value;
	}

	/**
	 * Queues a single meta value (null deletes it) for flush_meta(); fresh_meta() already reads it.
	 *
	 * @param int             $id    Lead id.
	 * @param string          $key   Meta key.
	 * @param string|int|null $value Value.
	 */
	public function set_meta( int $id, string $key, $value ): void {
		$this->written[ $id ]         = true;
		$this->pending[ $id ][ $key ] = $value;
	}

	/**
	 * Writes the values set_meta() queued for a lead: two statements whatever their number (one DELETE of
	 * the keys, one INSERT of the values), instead of a read and a write per key through update_post_meta().
	 * These keys are the plugin's own (protected, written by the pipeline only), so no meta hooks fire; the
	 * lead index is synchronised by the caller.
	 *
	 * @param int $id Lead id.
	 * @throws Storage_Exception When a statement fails.
	 */
	public function flush_meta( int $id ): void {
		global $wpdb;
		$values = $this->pending[ $id ] ?? array();
		unset( $this->pending[ $id ] );
		if ( array() === $values ) {
			return;
		}
		$keys = implode( ',', array_map( static fn ( string $key ): string => $wpdb->prepare( '%s', $key ), array_keys( $values ) ) );
		$rows = array();
		foreach ( $values as $key => $value ) {
			if ( null !== $value ) {
				$rows[] = $wpdb->prepare( '(%d, %s, %s)', $id, $key, (string) $value );
			}
		}
		$ok = false !== $wpdb->query( $wpdb->prepare( "DELETE FROM {$wpdb->postmeta} WHERE post_id = %d AND meta_key IN ({$keys})", $id ) ) // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared keys.
			&& ( array() === $rows || false !== $wpdb->query( "INSERT INTO {$wpdb->postmeta} (post_id, meta_key, meta_value) VALUES " . implode( ',', $rows ) ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared rows.
		wp_cache_delete( $id, 'post_meta' );
		if ( ! $ok ) {
			throw new Storage_Exception( 'writing the lead\'s meta failed' );
		}
	}

	/**
	 * Every booking uid the lead has had.
	 *
	 * @param int $id Lead id.
	 * @return string[]
	 */
	public function booking_uids( int $id ): array {
		global $wpdb;
		$uids = $wpdb->get_col(
			$wpdb->prepare(
				"SELECT meta_value FROM {$wpdb->postmeta} WHERE post_id = %d AND meta_key = %s ORDER BY meta_id ASC",
				$id,
				Lead_Post_Type::META_BOOKING_UIDS
			)
		);
		return array_map( 'strval', is_array( $uids ) ? $uids : array() );
	}

	/**
	 * Adds uids the lead has not had yet.
	 *
	 * @param int      $id   Lead id.
	 * @param string[] $uids Booking uids.
	 * @throws Storage_Exception When a meta row can't be added.
	 */
	public function add_booking_uids( int $id, array $uids ): void {
		global $wpdb;
		$known = $this->booking_uids( $id );
		$rows  = array();
		foreach ( array_unique( $uids ) as $uid ) {
			if ( is_string( $uid ) && '' !== $uid && ! in_array( $uid, $known, true ) ) {
				$rows[] = $wpdb->prepare( '(%d, %s, %s)', $id, Lead_Post_Type::META_BOOKING_UIDS, $uid );
			}
		}
		if ( array() === $rows ) {
			return;
		}
		$this->written[ $id ] = true;
		$ok                   = $wpdb->query( "INSERT INTO {$wpdb->postmeta} (post_id, meta_key, meta_value) VALUES " . implode( ',', $rows ) ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- prepared rows.
		wp_cache_delete( $id, 'post_meta' );
		if ( false === $ok ) {
			throw new Storage_Exception( 'recording the booking uid failed' );
		}
	}

	/**
	 * Drops what the object cache holds about leads written since the last call: after a rollback the
	 * cache would otherwise keep rows the database no longer has.
	 */
	public function forget_written(): void {
		$this->pending = array();
		foreach ( array_keys( $this->written ) as $id ) {
			clean_post_cache( $id );
			wp_cache_delete( $id, 'post_meta' );
		}
		$this->written = array();
	}

	/**
	 * Ends a successful transaction: nothing to forget.
	 */
	public function clear_written(): void {
		$this->pending = array();
		$this->written = array();
	}

	/**
	 * Runs $write with the lead's name stored exactly as Cal.com sent it.
	 *
	 * Webhooks run as no user, so WordPress's kses filter on titles would strip anything that looks like
	 * HTML: a name such as "<img src=x onerror=alert(1)>" would be saved as an empty title, and "Ana <b>"
	 * as "Ana ". A name is text, not markup: it is kept verbatim and escaped wherever it is shown.
	 *
	 * @param callable $write Inserts or updates the post.
	 * @return mixed What $write returns.
	 */
	private function with_verbatim_title( callable $write ) {
		$priority = has_filter( 'title_save_pre', 'wp_filter_kses' );
		if ( false !== $priority ) {
			remove_filter( 'title_save_pre', 'wp_filter_kses', $priority );
		}
		try {
			return $write();
		} finally {
			if ( false !== $priority ) {
				add_filter( 'title_save_pre', 'wp_filter_kses', $priority );
			}
		}
	}

	/**
	 * @param mixed $value Column value.
	 */
	private function id_or_null( $value ): ?int {
		return is_numeric( $value ) && (int) $value > 0 ? (int) $value : null;
	}
}
