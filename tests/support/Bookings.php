<?php
/**
 * The one factory of webhook bodies for every suite and script: compact JSON as Cal.com sends it
 * (sendPayload.ts), unescaped slashes and Unicode. The defaults are the ones tests/wp expects.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Support;

final class Bookings
{
    private const JSON = JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR;

    /**
     * A BOOKING_* body: {triggerEvent, createdAt, payload}.
     *
     * @param array<string, mixed> $payload Payload fields that replace the defaults (null removes one);
     *                                      new fields go after the defaults.
     */
    public static function booking(string $trigger, string $created_at, array $payload = []): string
    {
        $defaults = [
            'type' => 'solar-survey',
            'title' => 'Solar survey between Sun Installers and Ana Müller',
            'startTime' => '2025-03-10T09:00:00Z',
            'endTime' => '2025-03-10T09:30:00Z',
            'organizer' => ['name' => 'Sun Installers', 'email' => 'sales@sun.example', 'timeZone' => 'Europe/Berlin'],
            'attendees' => [[
                'name' => 'Ana Müller',
                'email' => 'Ana.Mueller@Example.COM',
                'timeZone' => 'Europe/Berlin',
                'language' => ['locale' => 'de'],
                'phoneNumber' => '+49 30 1234567',
            ]],
            'responses' => ['name' => ['label' => 'your_name', 'value' => 'Ana Müller']],
            'metadata' => new \stdClass(),
            'uid' => 'uid-ana-1',
            'bookingId' => 501,
            'eventTypeId' => 7,
            'status' => 'ACCEPTED',
        ];
        $payload = array_filter(array_merge($defaults, $payload), static fn ($value) => null !== $value);
        return json_encode(['triggerEvent' => $trigger, 'createdAt' => $created_at, 'payload' => $payload], self::JSON);
    }

    /** A flat MEETING_* body (no payload wrapper), as older Cal.com builds send. */
    public static function flatMeeting(string $trigger, string $uid, string $created_at, string $email = 'ana.mueller@example.com'): string
    {
        return json_encode([
            'triggerEvent' => $trigger,
            'id' => 501,
            'uid' => $uid,
            'title' => 'Solar survey',
            'startTime' => '2025-03-10T09:00:00.000Z',
            'endTime' => '2025-03-10T09:30:00.000Z',
            'createdAt' => $created_at,
            'status' => 'ACCEPTED',
            'attendees' => [['name' => 'Ana Müller', 'email' => $email, 'timeZone' => 'Europe/Berlin', 'locale' => 'de']],
            'metadata' => new \stdClass(),
        ], self::JSON);
    }

    /**
     * A bare PING body, {triggerEvent, createdAt} and then $fields (Cal.com's own "Ping test" body is
     * tests/fixtures/payloads/15_ping_test.json).
     *
     * @param array<string, mixed> $fields
     */
    public static function ping(string $created_at, array $fields = []): string
    {
        return json_encode(['triggerEvent' => 'PING', 'createdAt' => $created_at] + $fields, self::JSON);
    }

    /** A Unix time as Cal.com writes times: UTC with milliseconds, 2025-03-10T09:00:00.000Z. */
    public static function iso(int $time): string
    {
        return gmdate('Y-m-d\TH:i:s', $time) . '.000Z';
    }
}
