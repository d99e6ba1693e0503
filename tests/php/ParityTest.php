<?php
/**
 * Native extension vs pure-PHP engine, side by side in one process: identical arrays, or exceptions of
 * the same class and code, for every corpus body, every case, and mutated bodies. Needs the extension.
 */
declare(strict_types=1);

namespace SolarCapture\Tests;

use PHPUnit\Framework\TestCase;
use SolarCapture\PhpEngine;

/** @group native */
final class ParityTest extends TestCase
{
    /** @return array{string, mixed} */
    private static function outcome(callable $call): array
    {
        try {
            return ['ok', $call()];
        } catch (\Throwable $e) {
            return [get_class($e), $e->getCode()];
        }
    }

    private static function assertSameOutcome(string $body, string $label): void
    {
        $native = self::outcome(static fn () => \SolarCapture\normalize_payload($body));
        $php = self::outcome(static fn () => PhpEngine::normalize_payload($body));
        self::assertSame($native, $php, $label);
    }

    /** @return list<string> */
    private static function allBodies(): array
    {
        $bodies = array_values(Corpus::bodies());
        $cases = Corpus::cases();
        foreach (array_merge($cases['normalize_errors'], $cases['normalize_ok']) as $case) {
            $bodies[] = Corpus::body($case);
        }
        return $bodies;
    }

    public function testEveryBodyGivesTheSameResult(): void
    {
        $bodies = self::allBodies();
        self::assertGreaterThan(90, count($bodies));
        foreach ($bodies as $i => $body) {
            self::assertSameOutcome($body, "body #$i");
        }
    }

    public function testEverySignatureCaseGivesTheSameResult(): void
    {
        $cases = Corpus::cases();
        $body = (string) file_get_contents(Corpus::dir() . '/' . $cases['signature_body']);
        $headers = array_map([Corpus::class, 'header'], $cases['signatures']);
        foreach ($headers as $header) {
            foreach ([$cases['secret'], '', 'other'] as $secret) {
                self::assertSame(
                    self::outcome(static fn () => \SolarCapture\verify_signature($body, $header, $secret)),
                    self::outcome(static fn () => PhpEngine::verify_signature($body, $header, $secret))
                );
            }
            self::assertSame(\SolarCapture\signature_header_problem($header), PhpEngine::signature_header_problem($header));
            foreach ([[], ['a', $cases['secret']], ['a', ''], [$cases['secret'], 7]] as $secrets) {
                self::assertSame(
                    self::outcome(static fn () => \SolarCapture\matching_secret($body, $header, $secrets)),
                    self::outcome(static fn () => PhpEngine::matching_secret($body, $header, $secrets))
                );
            }
        }
    }

    /**
     * signature_header_problem() on every corpus header and on mutations of them: blanks and newlines
     * around, letter case changed, characters cut, flipped or added, the prefix doubled.
     */
    public function testSignatureHeaderProblemIsTheSameOnMutatedHeaders(): void
    {
        $headers = array_map([Corpus::class, 'header'], Corpus::cases()['signatures']);
        $pieces = [' ', "\t", "\n", "\r", "\0", 'sha256=', 'SHA256=', 'no-secret-provided', '0', 'f', 'F', 'g', '=', "\xff"];
        mt_srand(7256);
        $outcomes = [];
        for ($i = 0; $i < 4000; $i++) {
            $header = $headers[mt_rand(0, count($headers) - 1)];
            for ($k = mt_rand(0, 3); $k > 0; $k--) {
                $at = mt_rand(0, strlen($header));
                switch (mt_rand(0, 4)) {
                    case 0:
                        $header = substr($header, 0, $at) . $pieces[mt_rand(0, count($pieces) - 1)] . substr($header, $at);
                        break;
                    case 1:
                        $header = substr($header, 0, $at) . substr($header, $at + mt_rand(1, 3));
                        break;
                    case 2:
                        $header = mt_rand(0, 1) === 1 ? strtoupper($header) : strtolower($header);
                        break;
                    case 3:
                        if ($at < strlen($header)) {
                            $header[$at] = chr(mt_rand(0, 255));
                        }
                        break;
                    default:
                        $header = str_repeat(mt_rand(0, 1) === 1 ? ' ' : "\t", mt_rand(1, 3)) . $header . ' ';
                }
            }
            $native = \SolarCapture\signature_header_problem($header);
            self::assertSame($native, PhpEngine::signature_header_problem($header), base64_encode($header));
            $outcomes[$native ?? 'null'] = true;
        }
        ksort($outcomes);
        self::assertSame(['malformed', 'missing', 'no_secret_provided', 'null'], array_keys($outcomes), 'mutations reach every answer');
    }

    public function testEngineInfoDiffersOnlyInTheEngine(): void
    {
        $native = \SolarCapture\engine_info();
        $php = PhpEngine::engine_info();
        self::assertSame(array_keys($native), array_keys($php));
        self::assertSame(['native', 'php'], [$native['engine'], $php['engine']]);
        self::assertSame($native['version'], $php['version']);
    }

    /**
     * Mutation fuzzing for parity: byte flips, deletions, insertions of JSON-significant text and
     * splices of corpus bodies. Bounded by PARITY_MUTATIONS (default 3000) with a fixed seed.
     */
    public function testMutatedBodiesGiveTheSameResult(): void
    {
        $seeds = array_values(Corpus::bodies());
        $tokens = ['"', '{', '}', '[', ']', ',', ':', '\\', '\\u0000', '\\ud800', '-0', '1e400', '1.50', 'null', 'true',
            'false', '""', '"uid":""', '"metadata":{"lead_id":7}', '"attendees":[null]', "\xff", "\x00", '=', ' ',
            '"startTime":"2024-02-30T00:00:00Z"', '"responses":{"a":{"value":{"firstName":"A"}}}', '99999999999999999999'];
        $n = (int) (getenv('PARITY_MUTATIONS') ?: 3000);
        mt_srand(20261122);
        for ($i = 0; $i < $n; $i++) {
            $body = $seeds[mt_rand(0, count($seeds) - 1)];
            for ($k = mt_rand(1, 3); $k > 0; $k--) {
                $at = mt_rand(0, strlen($body));
                switch (mt_rand(0, 3)) {
                    case 0:
                        $body = substr($body, 0, $at) . $tokens[mt_rand(0, count($tokens) - 1)] . substr($body, $at);
                        break;
                    case 1:
                        $body = substr($body, 0, $at) . substr($body, $at + mt_rand(1, 20));
                        break;
                    case 2:
                        if ($at < strlen($body)) {
                            $body[$at] = chr(mt_rand(0, 255));
                        }
                        break;
                    default:
                        $other = $seeds[mt_rand(0, count($seeds) - 1)];
                        $body = substr($body, 0, $at) . substr($other, mt_rand(0, strlen($other)));
                }
            }
            self::assertSameOutcome($body, "mutation #$i: " . base64_encode($body));
        }
    }
}
