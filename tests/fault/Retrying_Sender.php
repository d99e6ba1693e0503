<?php
/**
 * A webhook sender that behaves like Cal.com's task queue: at most $window requests in flight, and a
 * request answered 5xx or not answered at all (connection refused or reset, timeout) is sent again
 * later, with exponential backoff and jitter, until it gets another answer or $max_attempts ran out.
 * Any other answer (2xx, 4xx) is final.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Fault;

use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Http_Answer;
use SolarCapture\Tests\Support\Signed_Delivery;

final class Retrying_Sender
{
    /** Requests sent, first attempts and retries. */
    public int $requests = 0;
    public int $retries = 0;
    /** Attempts answered 5xx. */
    public int $server_errors = 0;
    /** Attempts without an HTTP answer. */
    public int $connection_errors = 0;
    /** Jobs whose last attempt still failed when $max_attempts ran out. */
    public int $gave_up = 0;
    /** @var array<int, int> Every attempt's status (0: no answer) => count. */
    public array $statuses = [];

    public function __construct(
        private readonly int $window,
        private readonly int $max_attempts = 30,
        private readonly float $first_backoff = 0.2,
        private readonly float $max_backoff = 5.0
    ) {
    }

    /**
     * Sends every job; $tick runs between transfers with the number of jobs finished so far.
     *
     * @param list<array{string, Signed_Delivery}> $jobs URL and delivery.
     * @param callable(int): void|null             $tick
     * @return list<Http_Answer> The final answer of each job, in the order given.
     */
    public function send(array $jobs, ?callable $tick = null): array
    {
        $multi = curl_multi_init();
        $queue = array_keys($jobs);      // Jobs waiting, first attempts in order.
        $later = [];                     // job => time of its next attempt
        $attempts = array_fill(0, count($jobs), 0);
        $flying = [];                    // spl_object_id(handle) => [job, handle, started]
        $answers = [];
        while (count($answers) < count($jobs)) {
            $now = microtime(true);
            foreach ($later as $job => $at) {
                if ($at <= $now) {
                    $queue[] = $job;
                    unset($later[$job]);
                }
            }
            while (count($flying) < $this->window && [] !== $queue) {
                $job = array_shift($queue);
                [$url, $delivery] = $jobs[$job];
                $handle = Curl_Transport::handle($url, $delivery);
                curl_setopt($handle, CURLOPT_CONNECTTIMEOUT, 5);
                curl_multi_add_handle($multi, $handle);
                $flying[spl_object_id($handle)] = [$job, $handle, microtime(true)];
                $this->requests++;
                if (++$attempts[$job] > 1) {
                    $this->retries++;
                }
            }
            curl_multi_exec($multi, $running);
            while (false !== ($info = curl_multi_info_read($multi))) {
                $handle = $info['handle'];
                [$job, , $started] = $flying[spl_object_id($handle)];
                unset($flying[spl_object_id($handle)]);
                $status = CURLE_OK === $info['result'] ? (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE) : 0;
                $body = 0 === $status ? curl_error($handle) : (string) curl_multi_getcontent($handle);
                curl_multi_remove_handle($multi, $handle);
                $answer = new Http_Answer($status, $body, (microtime(true) - $started) * 1000);
                $this->statuses[$status] = ($this->statuses[$status] ?? 0) + 1;
                $failed = 0 === $status || $status >= 500;
                if (0 === $status) {
                    $this->connection_errors++;
                } elseif ($status >= 500) {
                    $this->server_errors++;
                }
                if ($failed && $attempts[$job] < $this->max_attempts) {
                    $later[$job] = microtime(true) + $this->backoff($attempts[$job]);
                    continue;
                }
                if ($failed) {
                    $this->gave_up++;
                }
                $answers[$job] = $answer;
            }
            if (null !== $tick) {
                $tick(count($answers));
            }
            if ($running > 0) {
                curl_multi_select($multi, 0.05);
            } elseif (count($answers) < count($jobs)) {
                usleep(10000); // Only retries waiting for their time.
            }
        }
        curl_multi_close($multi);
        ksort($answers);
        return array_values($answers);
    }

    /** Seconds before attempt $failed + 1: doubling from $first_backoff up to $max_backoff, 50-150 %. */
    private function backoff(int $failed): float
    {
        $base = min($this->max_backoff, $this->first_backoff * 2 ** ($failed - 1));
        return $base * (0.5 + mt_rand() / mt_getrandmax());
    }

    /** One line of figures. */
    public function summary(): string
    {
        ksort($this->statuses);
        $codes = implode(', ', array_map(static fn (int $s, int $n): string => (0 === $s ? 'no answer' : (string) $s) . " x$n", array_keys($this->statuses), $this->statuses));
        return sprintf('%d requests (%d retries): %d answered 5xx, %d connection errors, %d gave up; statuses: %s', $this->requests, $this->retries, $this->server_errors, $this->connection_errors, $this->gave_up, $codes);
    }
}
