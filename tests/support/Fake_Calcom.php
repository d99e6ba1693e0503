<?php
/**
 * Starts and drives tests/support/fake-calcom/server.php (a stateful fake of Cal.com's API v2) on a free
 * loopback port with PHP's built-in server, for as long as the PHP process that started it runs.
 */
declare(strict_types=1);

final class Fake_Calcom
{
    public const KEY = 'cal_test_fake0123456789abcdef';

    private static ?self $running = null;

    /** @var resource */
    private $process;

    private function __construct(public readonly string $url, $process, private string $state_file)
    {
        $this->process = $process;
    }

    /** The one server of this PHP process, started on first use. */
    public static function instance(): self
    {
        if (null === self::$running) {
            self::$running = self::start();
        }
        return self::$running;
    }

    private static function start(): self
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr(strrchr((string) stream_socket_get_name($socket, false), ':'), 1);
        fclose($socket);
        $state = tempnam(sys_get_temp_dir(), 'fake-calcom-');
        $process = proc_open(
            [PHP_BINARY, '-d', 'variables_order=EGPCS', '-S', "127.0.0.1:$port", __DIR__ . '/fake-calcom/server.php'],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']],
            $pipes,
            null,
            ['FAKE_CALCOM_STATE' => $state] + getenv()
        );
        if (!is_resource($process)) {
            throw new RuntimeException('could not start the fake Cal.com API (php -S)');
        }
        $fake = new self("http://127.0.0.1:$port", $process, $state);
        $deadline = microtime(true) + 10;
        while (false === @file_get_contents($fake->url . '/_fake/state')) {
            if (microtime(true) > $deadline) {
                throw new RuntimeException("the fake Cal.com API did not answer on port $port within 10 s");
            }
            usleep(50000);
        }
        register_shutdown_function(static function () use ($fake): void {
            proc_terminate($fake->process);
            @unlink($fake->state_file);
            @unlink($fake->state_file . '.lock');
            @unlink($fake->state_file . '.tmp');
        });
        return $fake;
    }

    /**
     * Replaces the fake's state (keys, me, webhooks, event_types, bookings, generate, faults); the
     * request log starts empty.
     *
     * @param array<string, mixed> $state
     */
    public function reset(array $state = []): void
    {
        $this->call('PUT', '/_fake/state', $state + ['log' => []]);
    }

    /** @return array<string, mixed> The state, with `log` (every API request: method, path, query, version, body). */
    public function state(): array
    {
        return $this->call('GET', '/_fake/state');
    }

    /** @return array<int, array<string, mixed>> */
    public function log(): array
    {
        return $this->state()['log'];
    }

    /** @return array<string, mixed> */
    private function call(string $method, string $path, ?array $body = null): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => "Content-Type: application/json\r\n",
            'content' => null === $body ? '' : json_encode($body),
            'ignore_errors' => true,
            'timeout' => 30,
        ]]);
        $answer = file_get_contents($this->url . $path, false, $context);
        $decoded = json_decode((string) $answer, true);
        if (!is_array($decoded)) {
            throw new RuntimeException("the fake Cal.com API answered $method $path with: " . substr((string) $answer, 0, 200));
        }
        return $decoded;
    }
}
