<?php
/** Signed deliveries over real HTTP, one at a time or many at once (curl_multi). */
declare(strict_types=1);

namespace SolarCapture\Tests\E2E;

final class Http
{
    public const SECRET = 'e2e-shared-secret-with-more-than-32-characters';

    public static function endpoint(): string
    {
        return rtrim((string) getenv('SC_URL'), '/') . '/wp-json/solar-capture/v1/calcom-webhook';
    }

    /** @param array<string, string> $headers */
    private static function handle(string $url, ?string $body, array $headers = [])
    {
        $ch = curl_init($url);
        $lines = [];
        foreach ($headers as $k => $v) {
            $lines[] = "$k: $v";
        }
        curl_setopt_array($ch, [
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HTTPHEADER => $lines,
            CURLOPT_TIMEOUT => 30,
            CURLOPT_FOLLOWLOCATION => false,
        ]);
        if ($body !== null) {
            curl_setopt($ch, CURLOPT_POST, true);
            curl_setopt($ch, CURLOPT_POSTFIELDS, $body);
        }
        return $ch;
    }

    /** @return array{int, mixed, string} status, decoded JSON, raw answer */
    public static function post(string $body, ?string $signature = null, string $contentType = 'application/json'): array
    {
        $headers = ['Content-Type' => $contentType, 'X-Cal-Webhook-Version' => '2021-10-20'];
        $headers['X-Cal-Signature-256'] = $signature ?? hash_hmac('sha256', $body, self::SECRET);
        $ch = self::handle(self::endpoint(), $body, $headers);
        $raw = (string) curl_exec($ch);
        return [(int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), json_decode($raw, true), $raw];
    }

    /** @return array{int, string} */
    public static function get(string $url): array
    {
        $ch = self::handle($url, null);
        $raw = (string) curl_exec($ch);
        return [(int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), $raw];
    }

    /**
     * Sends the same signed body $n times at once.
     * @return list<array{int, mixed}>
     */
    public static function postConcurrently(string $body, int $n): array
    {
        $multi = curl_multi_init();
        $handles = [];
        for ($i = 0; $i < $n; $i++) {
            $h = self::handle(self::endpoint(), $body, [
                'Content-Type' => 'application/json',
                'X-Cal-Signature-256' => hash_hmac('sha256', $body, self::SECRET),
            ]);
            curl_multi_add_handle($multi, $h);
            $handles[] = $h;
        }
        do {
            $status = curl_multi_exec($multi, $running);
            if ($running) {
                curl_multi_select($multi, 1.0);
            }
        } while ($running && $status === CURLM_OK);
        $out = [];
        foreach ($handles as $h) {
            $out[] = [(int) curl_getinfo($h, CURLINFO_RESPONSE_CODE), json_decode((string) curl_multi_getcontent($h), true)];
            curl_multi_remove_handle($multi, $h);
        }
        curl_multi_close($multi);
        return $out;
    }

    /**
     * A booking body as Cal.com sends it (compact JSON, UTC times with milliseconds). The booker's e-mail
     * follows the uid, so bookings of different tests never match one lead by e-mail.
     */
    public static function booking(string $trigger, string $uid, int $createdAt, int $start, array $extra = []): string
    {
        $iso = static fn (int $t): string => gmdate('Y-m-d\TH:i:s', $t) . '.000Z';
        $payload = array_merge([
            'type' => 'roof-survey',
            'title' => 'Roof survey between Sunny Solar and Ada Lovelace',
            'startTime' => $iso($start),
            'endTime' => $iso($start + 1800),
            'attendees' => [['email' => "ada.$uid@example.com", 'name' => 'Ada Lovelace', 'timeZone' => 'Europe/London', 'language' => ['locale' => 'en']]],
            'organizer' => ['name' => 'Sunny Solar', 'email' => 'sales@sunny.example', 'timeZone' => 'Europe/London'],
            'uid' => $uid,
            'bookingId' => crc32($uid),
            'status' => 'ACCEPTED',
        ], $extra);
        return json_encode(['triggerEvent' => $trigger, 'createdAt' => $iso($createdAt), 'payload' => $payload], JSON_UNESCAPED_SLASHES);
    }
}
