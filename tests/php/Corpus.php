<?php
/** The shared corpus in tests/fixtures, read the same way tests/common/mod.rs reads it for Rust. */
declare(strict_types=1);

namespace SolarCapture\Tests;

final class Corpus
{
    public static function dir(): string
    {
        return dirname(__DIR__) . '/fixtures';
    }

    /** @return array<string, mixed> */
    public static function cases(): array
    {
        return json_decode((string) file_get_contents(self::dir() . '/cases.json'), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @param array<string, mixed> $case */
    public static function body(array $case): string
    {
        if (isset($case['body'])) {
            return $case['body'];
        }
        if (isset($case['body_base64'])) {
            return base64_decode($case['body_base64'], true);
        }
        $r = $case['body_repeat'];
        return $r['prefix'] . str_repeat($r['unit'], $r['count']) . $r['suffix'];
    }

    /** @param array<string, mixed> $case */
    public static function header(array $case): string
    {
        return $case['header'] ?? base64_decode($case['header_base64'], true);
    }

    /** @return array<string, string> name relative to payloads/ => body bytes */
    public static function bodies(): array
    {
        $out = [];
        foreach (['', 'extra/'] as $sub) {
            $names = array_filter(
                scandir(self::dir() . '/payloads/' . $sub) ?: [],
                static fn (string $n): bool => (bool) preg_match('/^\d.*\.(json|txt)$/', $n)
            );
            sort($names);
            foreach ($names as $n) {
                $out[$sub . $n] = (string) file_get_contents(self::dir() . '/payloads/' . $sub . $n);
            }
        }
        return $out;
    }

    /** @return array<string, mixed> */
    public static function golden(string $name): array
    {
        $file = self::dir() . '/golden/' . preg_replace('/\.[a-z]+$/', '', $name) . '.json';
        return json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
    }

    /** @return array<string, mixed> */
    public static function manifest(): array
    {
        return json_decode((string) file_get_contents(self::dir() . '/payloads/MANIFEST.json'), true, 512, JSON_THROW_ON_ERROR);
    }

    /** The contract's name of a PayloadException code. */
    public static function codeName(int $code): string
    {
        return [1 => 'NOT_JSON', 2 => 'NOT_AN_EVENT', 3 => 'CUSTOM_TEMPLATE'][$code] ?? "unknown code $code";
    }
}
