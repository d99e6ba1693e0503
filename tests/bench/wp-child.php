<?php
/** The benchmarks' way into WordPress: tests/bench/scale-wp.php in a child process. */
declare(strict_types=1);

/**
 * Runs tests/bench/scale-wp.php COMMAND in a child PHP process (WordPress loaded there, not here).
 *
 * @param array<string, string> $env More environment.
 * @return array<string, mixed> Its JSON answer.
 */
function wp_child(string $command, array $env = []): array
{
    $process = proc_open(
        [PHP_BINARY, '-d', 'memory_limit=-1', __DIR__ . '/scale-wp.php', $command],
        [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => STDERR],
        $pipes,
        null,
        $env + getenv()
    );
    if (!is_resource($process)) {
        throw new RuntimeException("could not start tests/bench/scale-wp.php $command");
    }
    $out = (string) stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    $rc = proc_close($process);
    $lines = array_values(array_filter(explode("\n", $out), static fn (string $l): bool => '' !== trim($l)));
    $json = json_decode((string) end($lines), true);
    if (0 !== $rc || !is_array($json)) {
        throw new RuntimeException("tests/bench/scale-wp.php $command exited $rc: " . trim($out));
    }
    return $json;
}
