<?php
/**
 * Loads the plugin's classes on first use, from the folder named by their namespace.
 *
 * @package SolarCapture
 */

declare(strict_types=1);

namespace SolarCapture\Plugin;

defined( 'ABSPATH' ) || exit;

/**
 * SolarCapture\Plugin\Pipeline\Delivery_Store lives in includes/pipeline/class-delivery-store.php:
 * each namespace level below SolarCapture\Plugin is a folder, and the file is named the WordPress way.
 * Nothing else is mapped, so a class in the wrong place fails loudly instead of loading by accident.
 */
final class Autoloader {

	private const PREFIX = 'SolarCapture\\Plugin\\';

	public static function register(): void {
		spl_autoload_register( array( self::class, 'load' ) );
	}

	/**
	 * The file of a plugin class, or null for any other class.
	 *
	 * @param string $class_name Fully qualified class name.
	 */
	public static function file( string $class_name ): ?string {
		if ( ! str_starts_with( $class_name, self::PREFIX ) ) {
			return null;
		}
		$parts  = explode( '\\', substr( $class_name, strlen( self::PREFIX ) ) );
		$class  = array_pop( $parts );
		$path   = array_map( static fn ( string $part ): string => strtolower( str_replace( '_', '-', $part ) ), $parts );
		$path[] = 'class-' . strtolower( str_replace( '_', '-', $class ) ) . '.php';
		return __DIR__ . '/' . implode( '/', $path );
	}

	/**
	 * @param string $class_name Fully qualified class name.
	 */
	public static function load( string $class_name ): void {
		$file = self::file( $class_name );
		if ( null !== $file && is_readable( $file ) ) {
			require_once $file;
		}
	}
}
