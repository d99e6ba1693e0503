<?php
/**
 * A stand-in for WP-CLI's WP_CLI class (wp-cli itself can't be installed here), as WordPress/two-factor
 * tests its commands: the methods the plugin calls, recording what they print; error() and halt() end the
 * command by throwing WP_CLI_Halt with the exit code, as exit() would.
 */
declare(strict_types=1);

final class WP_CLI_Halt extends RuntimeException
{
}

final class WP_CLI
{
    /** @var array<string, object> */
    public static array $commands = [];

    /** @var list<array{0: string, 1: string}> [kind, text]: log, success, warning, error. */
    public static array $output = [];

    public static function reset(): void
    {
        self::$output = [];
    }

    public static function add_command(string $name, object $command): void
    {
        self::$commands[$name] = $command;
    }

    public static function log(string $message): void
    {
        self::$output[] = ['log', $message];
    }

    public static function line(string $message = ''): void
    {
        self::$output[] = ['log', $message];
    }

    public static function success(string $message): void
    {
        self::$output[] = ['success', $message];
    }

    public static function warning(string $message): void
    {
        self::$output[] = ['warning', $message];
    }

    /** @return never */
    public static function error(string $message, bool|int $exit = true): void
    {
        self::$output[] = ['error', $message];
        throw new WP_CLI_Halt($message, true === $exit ? 1 : (int) $exit);
    }

    /** @return never */
    public static function halt(int $code): void
    {
        throw new WP_CLI_Halt('halt', $code);
    }

    /**
     * Runs `wp <name> <subcommand>` with --key=value options; returns the exit code.
     *
     * @param array<string, string|bool> $options
     */
    public static function run(string $name, string $subcommand, array $options = []): int
    {
        self::reset();
        try {
            self::$commands[$name]->$subcommand([], $options);
        } catch (WP_CLI_Halt $halt) {
            return $halt->getCode();
        }
        return 0;
    }

    /** Everything printed, one "kind: text" line each. */
    public static function printed(): string
    {
        return implode("\n", array_map(static fn (array $line): string => $line[0] . ': ' . $line[1], self::$output));
    }
}
