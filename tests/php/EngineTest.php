<?php
/**
 * The functions of contract section 1 against the shared corpus. Runs twice: with the extension
 * (SOLAR_CAPTURE_ENGINE=native) and with the pure-PHP fallback (SOLAR_CAPTURE_ENGINE=php).
 */
declare(strict_types=1);

namespace SolarCapture\Tests;

use PHPUnit\Framework\TestCase;
use SolarCapture\PayloadException;
use function SolarCapture\engine_info;
use function SolarCapture\matching_secret;
use function SolarCapture\normalize_payload;
use function SolarCapture\signature_header_problem;
use function SolarCapture\verify_signature;
use function SolarCapture\version;

final class EngineTest extends TestCase
{
    public function testTheEngineUnderTestIsTheOneAskedFor(): void
    {
        $native = (new \ReflectionFunction('SolarCapture\normalize_payload'))->isInternal();
        self::assertSame(getenv('SOLAR_CAPTURE_ENGINE') === 'php' ? false : true, $native);
        self::assertMatchesRegularExpression('/^\d+\.\d+\.\d+$/', version());
    }

    /** @return iterable<string, array{string, string}> */
    public static function corpusBodies(): iterable
    {
        foreach (Corpus::bodies() as $name => $body) {
            yield $name => [$name, $body];
        }
    }

    /** @dataProvider corpusBodies */
    public function testEveryCorpusBodyMatchesItsGolden(string $name, string $body): void
    {
        $golden = Corpus::golden($name);
        try {
            $actual = normalize_payload($body);
        } catch (PayloadException $e) {
            $actual = ['error' => Corpus::codeName($e->getCode())];
        }
        self::assertSame($golden, $actual, $name);
    }

    public function testEveryManifestSignatureVerifies(): void
    {
        $manifest = Corpus::manifest();
        self::assertCount(18, $manifest['entries']);
        foreach ($manifest['entries'] as $entry) {
            $body = (string) file_get_contents(Corpus::dir() . '/payloads/' . $entry['file']);
            $header = $entry['headers']['X-Cal-Signature-256'];
            self::assertTrue(verify_signature($body, $header, $manifest['secret']), $entry['file']);
            self::assertFalse(verify_signature($body, $header, 'wrong-secret'), $entry['file']);
            self::assertFalse(verify_signature($body . ' ', $header, $manifest['secret']), $entry['file']);
            self::assertSame(1, matching_secret($body, $header, ['previous', $manifest['secret']]));
        }
    }

    /** @return iterable<string, array{array<string, mixed>}> */
    public static function signatureCases(): iterable
    {
        foreach (Corpus::cases()['signatures'] as $case) {
            yield $case['name'] => [$case];
        }
    }

    /**
     * @dataProvider signatureCases
     * @param array<string, mixed> $case
     */
    public function testSignatureHeaderCase(array $case): void
    {
        $cases = Corpus::cases();
        $body = (string) file_get_contents(Corpus::dir() . '/' . $cases['signature_body']);
        $header = Corpus::header($case);
        self::assertSame($case['valid'], verify_signature($body, $header, $cases['secret']));
        self::assertSame($case['valid'] ? 1 : null, matching_secret($body, $header, ['old', $cases['secret']]));
        self::assertSame($case['problem'], signature_header_problem($header));
    }

    public function testEngineInfoNamesTheEngineUnderTest(): void
    {
        $info = engine_info();
        self::assertSame(['engine', 'version', 'sha256_hardware'], array_keys($info));
        self::assertSame(version(), $info['version']);
        if (getenv('SOLAR_CAPTURE_ENGINE') === 'php') {
            self::assertSame('php', $info['engine']);
            self::assertNull($info['sha256_hardware'], 'PHP cannot tell whether its SHA-256 uses hardware');
        } else {
            self::assertSame('native', $info['engine']);
            self::assertIsBool($info['sha256_hardware']);
        }
    }

    /** Differential: the engine agrees with PHP's own hash_hmac on random bodies and secrets. */
    public function testAgreesWithHashHmac(): void
    {
        mt_srand(4231);
        for ($i = 0; $i < 300; $i++) {
            $body = random_bytes(mt_rand(0, 3000));
            $secret = random_bytes(mt_rand(1, 200));
            $mac = hash_hmac('sha256', $body, $secret);
            self::assertTrue(verify_signature($body, $mac, $secret));
            self::assertTrue(verify_signature($body, ' sha256=' . strtoupper($mac) . "\t", $secret));
            $flipped = $mac;
            $flipped[$i % 64] = $flipped[$i % 64] === '0' ? '1' : '0';
            self::assertFalse(verify_signature($body, $flipped, $secret));
            self::assertFalse(verify_signature($body, $mac, $secret . 'x'));
        }
    }

    public function testEmptySecretIsAValueErrorWhateverTheHeader(): void
    {
        foreach (['', 'no-secret-provided', hash_hmac('sha256', 'x', 'k')] as $header) {
            try {
                verify_signature('x', $header, '');
                self::fail('no ValueError for an empty secret');
            } catch (\ValueError $e) {
                self::assertStringContainsString('secret', $e->getMessage());
            }
        }
        $this->expectException(\ValueError::class);
        matching_secret('x', hash_hmac('sha256', 'x', 'k'), ['k', '']);
    }

    public function testMatchingSecretRules(): void
    {
        $sig = hash_hmac('sha256', 'body', 'new');
        self::assertNull(matching_secret('body', $sig, []));
        self::assertSame(0, matching_secret('body', $sig, ['new', 'new']));
        self::assertNull(matching_secret('body', $sig, ['a', 'b']));
        self::assertNull(matching_secret('body', 'garbage', ['new']));
        $this->expectException(\TypeError::class);
        matching_secret('body', $sig, ['new', 5]);
    }

    /** @return iterable<string, array{array<string, mixed>}> */
    public static function badBodies(): iterable
    {
        foreach (Corpus::cases()['normalize_errors'] as $case) {
            yield $case['name'] => [$case];
        }
    }

    /**
     * @dataProvider badBodies
     * @param array<string, mixed> $case
     */
    public function testBadBodyGivesTheContractCode(array $case): void
    {
        try {
            normalize_payload(Corpus::body($case));
            self::fail('no PayloadException');
        } catch (PayloadException $e) {
            self::assertInstanceOf(\UnexpectedValueException::class, $e);
            self::assertSame($case['code'], Corpus::codeName($e->getCode()), $e->getMessage());
            if (isset($case['path'])) {
                self::assertStringStartsWith($case['path'] . ':', $e->getMessage());
            }
            self::assertStringNotContainsString('MARKER', $e->getMessage());
            self::assertSame(__FILE__, $e->getFile(), 'the exception keeps the caller\'s file');
        }
    }

    /** @return iterable<string, array{array<string, mixed>}> */
    public static function edgeCases(): iterable
    {
        foreach (Corpus::cases()['normalize_ok'] as $case) {
            yield $case['name'] => [$case];
        }
    }

    /**
     * @dataProvider edgeCases
     * @param array<string, mixed> $case
     */
    public function testEdgeCaseNormalisesAsTheRulesSay(array $case): void
    {
        $event = normalize_payload(Corpus::body($case));
        self::assertSame(
            ['trigger', 'created_at', 'created_at_ms', 'booking_uid', 'rescheduled_from_uid', 'booking_id', 'status', 'title',
                'event_type', 'event_type_id', 'start', 'end', 'attendee', 'guests', 'organizer', 'location',
                'cancellation_reason', 'rejection_reason', 'reschedule_reason', 'metadata', 'lead_id', 'responses',
                'event_key', 'body_sha256'],
            array_keys($event)
        );
        foreach ($case['expect'] as $key => $expected) {
            if ($key === 'event_key_is_body_sha256') {
                self::assertSame($event['body_sha256'], $event['event_key']);
                continue;
            }
            self::assertSame($expected, $event[$key], $key);
        }
    }
}
