<?php
/**
 * INSERT and UPDATE of one row of the plugin's own tables.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin\Database;

defined( 'ABSPATH' ) || exit;

/**
 * $wpdb->insert() and ->update() first read the table's columns (SHOW FULL COLUMNS) in every request
 * that writes to it, to strip text the column's character set can't hold. The plugin's tables take
 * values that are valid UTF-8 already (the engines refuse anything else) or bytes (the body, a blob), so
 * they are written with one prepared statement each: the webhook's hot path saves a round trip per table.
 */
final class Rows {

	/**
	 * Inserts a row; null values become NULL.
	 *
	 * @param string                $table   Table name.
	 * @param array<string, mixed>  $row     Column => value.
	 * @param array<string, string> $formats Column => %s, %d or %f.
	 * @return bool Whether the statement succeeded.
	 */
	public static function insert( string $table, array $row, array $formats ): bool {
		global $wpdb;
		$sql = "INSERT INTO `{$table}` (`" . implode( '`, `', array_keys( $row ) ) . '`) VALUES (' . implode( ', ', self::values( $row, $formats ) ) . ')';
		return false !== $wpdb->query( $sql ); // phpcs:ignore WordPress.DB.PreparedSQL.NotPrepared -- values prepared one by one.
	}

	/**
	 * Updates the row with this id; null values become NULL.
	 *
	 * @param string                $table   Table name.
	 * @param int                   $id      Value of the id column.
	 * @param array<string, mixed>  $fields  Column => value.
	 * @param array<string, string> $formats Column => %s, %d or %f.
	 * @return bool Whether the statement succeeded.
	 */
	public static function update( string $table, int $id, array $fields, array $formats ): bool {
		global $wpdb;
		if ( array() === $fields ) {
			return true;
		}
		$values = self::values( $fields, $formats );
		$set    = implode( ', ', array_map( static fn ( string $column, string $value ): string => "`{$column}` = {$value}", array_keys( $fields ), $values ) );
		return false !== $wpdb->query( "UPDATE `{$table}` SET {$set} WHERE `id` = " . $id ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared -- values prepared one by one, $id an int.
	}

	/**
	 * @param array<string, mixed>  $row     Column => value.
	 * @param array<string, string> $formats Column => format.
	 * @return string[] SQL literals.
	 */
	private static function values( array $row, array $formats ): array {
		global $wpdb;
		$values = array();
		foreach ( $row as $column => $value ) {
			$values[] = null === $value ? 'NULL' : $wpdb->prepare( $formats[ $column ] ?? '%s', $value ); // phpcs:ignore WordPress.DB.PreparedSQLPlaceholders.UnfinishedPrepare
		}
		return $values;
	}
}
