<?php

/**
 * The functions of contract section 1. With the `solar_capture` extension loaded they come from
 * the extension and this file only makes SolarCapture\PhpEngine available (for parity checks); without
 * it they are declared here and run the pure-PHP engine, which gives identical results.
 */

declare(strict_types=1);

namespace SolarCapture;

require_once __DIR__ . '/PayloadException.php';
require_once __DIR__ . '/PhpEngine.php';

if (!\extension_loaded('solar_capture') && !\function_exists('SolarCapture\normalize_payload')) {
    /**
     * True when $signature is a valid X-Cal-Signature-256 for $body under $secret. Constant time.
     * Malformed headers give false; an empty $secret throws \ValueError.
     */
    function verify_signature(string $body, string $signature, string $secret): bool
    {
        return PhpEngine::verify_signature($body, $signature, $secret);
    }

    /**
     * 0-based index of the first secret in $secrets under which $signature verifies, or null.
     * An empty secret throws \ValueError, a non-string one \TypeError.
     */
    function matching_secret(string $body, string $signature, array $secrets): ?int
    {
        return PhpEngine::matching_secret($body, $signature, $secrets);
    }

    /**
     * The normalised event (contract section 2).
     *
     * @throws PayloadException
     */
    function normalize_payload(string $body): array
    {
        return PhpEngine::normalize_payload($body);
    }

    /** Version of the engine, e.g. "0.1.0". */
    function version(): string
    {
        return PhpEngine::version();
    }

    /**
     * Why an X-Cal-Signature-256 value can never verify: "missing" (empty once spaces and tabs are
     * trimmed), "no_secret_provided" (Cal.com's webhook has no secret) or "malformed"; null when it is
     * well formed (it verifies under the right secret).
     */
    function signature_header_problem(string $header): ?string
    {
        return PhpEngine::signature_header_problem($header);
    }

    /**
     * Which engine runs: ['engine' => "native"|"php", 'version' => version(), 'sha256_hardware' => ?bool]
     * (null: unknown, as for the pure-PHP engine).
     */
    function engine_info(): array
    {
        return PhpEngine::engine_info();
    }
}
