<?php

/**
 * SolarCapture\PayloadException for hosts without the `solar_capture` extension. When the extension is
 * loaded it registers this class itself, so the declaration below is skipped.
 * Rules in full: docs/normalisation.md.
 */

declare(strict_types=1);

namespace SolarCapture;

if (!\class_exists(PayloadException::class, false)) {
    /**
     * Thrown for unusable bodies. getCode() is one of the constants, so the plugin can answer 400 or 422.
     * The message names the place and the problem and never contains the body or a secret.
     */
    class PayloadException extends \UnexpectedValueException
    {
        /** Not strict RFC 8259 JSON in UTF-8, or nested deeper than 128. */
        public const NOT_JSON = 1;
        /** Root not an object, triggerEvent/createdAt missing or wrong, a used field of the wrong type. */
        public const NOT_AN_EVENT = 2;
        /** A body rendered from a Cal.com custom payload template (`false`, no triggerEvent, form-urlencoded). */
        public const CUSTOM_TEMPLATE = 3;
    }
}
