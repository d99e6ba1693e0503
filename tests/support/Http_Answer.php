<?php
/** An answer Curl_Transport got: status, raw body, and how long the request took. */
declare(strict_types=1);

namespace SolarCapture\Tests\Support;

final class Http_Answer
{
    public function __construct(public readonly int $status, public readonly string $body, public readonly float $milliseconds)
    {
    }

    /** The body decoded as JSON (arrays), null when it is not JSON. */
    public function json(): mixed
    {
        return json_decode($this->body, true);
    }
}
