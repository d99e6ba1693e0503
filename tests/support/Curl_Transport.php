<?php
/** Sends a Signed_Delivery over real HTTP with curl: one at a time, or many at once (curl_multi). */
declare(strict_types=1);

namespace SolarCapture\Tests\Support;

final class Curl_Transport
{
    /** The webhook URL of the site at $site_url (SC_URL of scripts/stack.sh env by default). */
    public static function endpoint(?string $site_url = null): string
    {
        return rtrim($site_url ?? (string) getenv('SC_URL'), '/') . '/wp-json' . Rest_Transport::ROUTE;
    }

    public static function post(string $url, Signed_Delivery $delivery): Http_Answer
    {
        return self::run(self::handle($url, $delivery));
    }

    public static function get(string $url): Http_Answer
    {
        return self::run(self::handle($url, null));
    }

    /**
     * Sends the same delivery $n times at once.
     *
     * @return list<Http_Answer> In the order sent.
     */
    public static function postAtOnce(string $url, Signed_Delivery $delivery, int $n): array
    {
        return self::postEachAtOnce($url, array_fill(0, $n, $delivery));
    }

    /**
     * Sends every delivery at the same time (different bookings racing each other).
     *
     * @param list<Signed_Delivery> $deliveries
     * @return list<Http_Answer> In the order given.
     */
    public static function postEachAtOnce(string $url, array $deliveries): array
    {
        $multi = curl_multi_init();
        $handles = [];
        foreach ($deliveries as $delivery) {
            $handles[] = $handle = self::handle($url, $delivery);
            curl_multi_add_handle($multi, $handle);
        }
        do {
            $status = curl_multi_exec($multi, $running);
            if ($running) {
                curl_multi_select($multi, 1.0);
            }
        } while ($running && CURLM_OK === $status);
        $answers = [];
        foreach ($handles as $handle) {
            $answers[] = new Http_Answer(
                (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE),
                (string) curl_multi_getcontent($handle),
                curl_getinfo($handle, CURLINFO_TOTAL_TIME_T) / 1000
            );
            curl_multi_remove_handle($multi, $handle);
        }
        curl_multi_close($multi);
        return $answers;
    }

    private static function run(\CurlHandle $handle): Http_Answer
    {
        $start = hrtime(true);
        $body = (string) curl_exec($handle);
        return new Http_Answer((int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE), $body, (hrtime(true) - $start) / 1e6);
    }

    /** A curl handle that POSTs $delivery to $url (GETs without one), for callers that drive their own curl_multi. */
    public static function handle(string $url, ?Signed_Delivery $delivery): \CurlHandle
    {
        $handle = curl_init($url);
        curl_setopt_array($handle, [CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 30, CURLOPT_FOLLOWLOCATION => false]);
        if (null !== $delivery) {
            $lines = [];
            foreach ($delivery->headers as $name => $value) {
                // "Name:" alone would make curl drop the header; "Name;" sends it empty.
                $lines[] = '' === $value ? "$name;" : "$name: $value";
            }
            curl_setopt_array($handle, [CURLOPT_POST => true, CURLOPT_POSTFIELDS => $delivery->body, CURLOPT_HTTPHEADER => $lines]);
        }
        return $handle;
    }
}
