<?php
/**
 * What the fault drivers share: the support classes, their options, the site's secret and table prefix,
 * and the bookings they send (a BOOKING_CREATED per booking uid, Cal.com's bodies from Bookings).
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Fault;

use SolarCapture\Tests\Support\Bookings;

require_once dirname(__DIR__) . '/support/load.php';
require_once __DIR__ . '/Retrying_Sender.php';
require_once __DIR__ . '/Effects.php';

function say(string $format, mixed ...$args): void
{
    vprintf($format . "\n", $args);
    flush();
}

/**
 * --name=value options over $defaults (every option must have a default).
 *
 * @param array<string, string|int> $defaults
 * @return array<string, string|int>
 */
function options(array $defaults): array
{
    $given = getopt('', array_map(static fn (string $name): string => "$name:", array_keys($defaults)));
    foreach ($given as $name => $value) {
        $defaults[$name] = is_int($defaults[$name]) ? (int) $value : (string) $value;
    }
    return $defaults;
}

/**
 * Sets the webhook secret (tests/bench/scale-wp.php setup, a child process with WordPress loaded) and
 * answers the table prefix. Needs `eval "$(bash scripts/stack.sh env)"`.
 */
function set_secret(string $secret): string
{
    $command = [PHP_BINARY, dirname(__DIR__) . '/bench/scale-wp.php', 'setup'];
    $process = proc_open($command, [1 => ['pipe', 'w'], 2 => STDERR], $pipes, null, ['SC_SCALE_SECRET' => $secret] + getenv());
    $out = is_resource($process) ? (string) stream_get_contents($pipes[1]) : '';
    $lines = array_filter(explode("\n", $out), static fn (string $line): bool => '' !== trim($line));
    $setup = json_decode((string) end($lines), true);
    if (!is_resource($process) || 0 !== proc_close($process) || true !== ($setup['plugin_active'] ?? null)) {
        fwrite(STDERR, "fault: setting the secret failed, or the plugin is not active: $out\n");
        exit(2);
    }
    return (string) $setup['prefix'];
}

/**
 * A new booking's BOOKING_CREATED (or another trigger) for $email. Each person has a name of their own:
 * WordPress looks for a free slug one query per lead of the same name (fault-tester-2, -3, ...).
 */
function booking(string $trigger, string $uid, string $email, int $created_at): string
{
    $name = 'Fault Tester ' . strtok($email, '@');
    return Bookings::booking($trigger, Bookings::iso($created_at), [
        'title' => "Solar survey between Sun Installers and $name",
        'startTime' => Bookings::iso($created_at + 86400),
        'endTime' => Bookings::iso($created_at + 88200),
        'attendees' => [['name' => $name, 'email' => $email, 'timeZone' => 'Europe/Berlin']],
        'uid' => $uid,
        'bookingId' => crc32($uid),
    ]);
}

/** The event_key the plugin gives a booking event (contract section 2). */
function event_key(string $body): string
{
    $event = json_decode($body, true);
    return hash('sha256', $event['triggerEvent'] . "\n" . $event['payload']['uid'] . "\n" . $event['createdAt']);
}
