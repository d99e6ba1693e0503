<?php
/**
 * What Cal.com sends for one webhook: the exact body bytes and its headers, Content-Type,
 * X-Cal-Webhook-Version and X-Cal-Signature-256 (hex HMAC-SHA256 of the body with the secret).
 * Rest_Transport and Curl_Transport send it.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Support;

final class Signed_Delivery
{
    public const SIGNATURE_HEADER = 'X-Cal-Signature-256';
    public const WEBHOOK_VERSION = '2021-10-20';

    /** @param array<string, string> $headers */
    private function __construct(public readonly string $body, public readonly array $headers)
    {
    }

    /**
     * @param string|null          $secret       Secret to sign with, or null for no signature header.
     * @param array<string,string> $headers      Extra headers; one with the name of a header above
     *                                           (any case) replaces it, e.g. a literal signature.
     * @param string               $content_type The Content-Type header.
     */
    public static function of(string $body, ?string $secret, array $headers = [], string $content_type = 'application/json'): self
    {
        $all = ['Content-Type' => $content_type, 'X-Cal-Webhook-Version' => self::WEBHOOK_VERSION];
        if (null !== $secret) {
            $all[self::SIGNATURE_HEADER] = self::sign($body, $secret);
        }
        foreach ($headers as $name => $value) {
            $all = array_filter($all, static fn (string $key): bool => 0 !== strcasecmp($key, (string) $name), ARRAY_FILTER_USE_KEY);
            $all[$name] = $value;
        }
        return new self($body, $all);
    }

    /** The X-Cal-Signature-256 value Cal.com computes: lower-case hex HMAC-SHA256 of the exact bytes. */
    public static function sign(string $body, string $secret): string
    {
        return hash_hmac('sha256', $body, $secret);
    }
}
