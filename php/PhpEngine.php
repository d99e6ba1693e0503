<?php

/**
 * The pure-PHP engine: the functions of the `solar_capture` extension (contract section 1), giving
 * identical results for every input: the same array (keys, order, values, types), or an exception of the
 * same class with the same code. Used through php/functions.php on hosts that can't load the extension.
 * Rules in full: docs/normalisation.md.
 */

declare(strict_types=1);

namespace SolarCapture;

final class PhpEngine
{
    public const VERSION = '0.1.0';

    /** Deepest nesting of arrays and objects accepted; json_decode's depth counts one more. */
    private const MAX_DEPTH = 128;

    private const HEX_DIGITS = '0123456789abcdefABCDEF';

    /** `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, `T` and `Z` in either case; ranges are checked apart. */
    private const RFC3339 = '/^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})'
        . '(?:\.([0-9]++))?(?:[Zz]|([+-])([0-9]{2}):([0-9]{2}))$/D';

    private const LEAD_ID = '/^[1-9][0-9]{0,17}$/D';

    /** First byte of a number token in the tagged re-decode (see tagNumbers()). */
    private const TAG = "\0";

    private const EMPTY_SECRET = 'the webhook secret must not be empty: '
        . 'set the same shared secret in Cal.com and in Solar Capture';

    private const CLEAR_TEMPLATE = 'clear the Custom Payload field of this webhook in Cal.com';

    /** True when $signature is a valid X-Cal-Signature-256 for $body under $secret. Constant time. */
    public static function verify_signature(string $body, string $signature, string $secret): bool
    {
        if ($secret === '') {
            throw self::fromCaller(new \ValueError(self::EMPTY_SECRET));
        }
        $expected = self::signatureBytes($signature);
        return $expected !== null && self::signs($body, $expected, $secret);
    }

    /**
     * 0-based position (in iteration order) of the first secret in $secrets under which $signature
     * verifies, or null. Every entry is checked (strings, then non-empty) before any is tried.
     */
    public static function matching_secret(string $body, string $signature, array $secrets): ?int
    {
        $position = 0;
        foreach ($secrets as $secret) {
            if (!\is_string($secret)) {
                throw self::fromCaller(new \TypeError(\sprintf(
                    'SolarCapture\matching_secret(): Argument #3 ($secrets) must contain only strings, '
                        . '%s given at position %d',
                    \get_debug_type($secret),
                    $position
                )));
            }
            $position++;
        }
        foreach ($secrets as $secret) {
            if ($secret === '') {
                throw self::fromCaller(new \ValueError(self::EMPTY_SECRET));
            }
        }
        $expected = self::signatureBytes($signature);
        if ($expected === null) {
            return null;
        }
        $position = 0;
        foreach ($secrets as $secret) {
            if (self::signs($body, $expected, $secret)) {
                return $position;
            }
            $position++;
        }
        return null;
    }

    /**
     * The normalised event of contract section 2.
     *
     * @throws PayloadException
     */
    public static function normalize_payload(string $body): array
    {
        try {
            return self::normalize($body);
        } catch (PayloadException $e) {
            throw self::fromCaller($e);
        }
    }

    /** Version of the engine, the same as the extension's. */
    public static function version(): string
    {
        return self::VERSION;
    }

    /**
     * Why $header can never verify: "missing", "no_secret_provided" or "malformed"; null when it is well
     * formed (it verifies under the right secret). Built on signatureBytes(), the parsing verify uses.
     */
    public static function signature_header_problem(string $header): ?string
    {
        if (self::signatureBytes($header) !== null) {
            return null;
        }
        $value = \trim($header, " \t");
        if ($value === '') {
            return 'missing';
        }
        return \strcasecmp($value, 'no-secret-provided') === 0 ? 'no_secret_provided' : 'malformed';
    }

    /**
     * Which engine this is: `engine` "php", `version`, `sha256_hardware` null (PHP can't tell whether
     * its SHA-256 runs on hardware instructions).
     *
     * @return array{engine: string, version: string, sha256_hardware: ?bool}
     */
    public static function engine_info(): array
    {
        return ['engine' => 'php', 'version' => self::VERSION, 'sha256_hardware' => null];
    }

    // ---- signatures -------------------------------------------------------------------------------

    /**
     * The 32 signature bytes of a header: spaces and tabs around it ignored, an optional `sha256=`
     * prefix in any case, then exactly 64 hex digits in any case. Anything else is null.
     */
    private static function signatureBytes(string $header): ?string
    {
        $value = \trim($header, " \t");
        if (\strlen($value) > 7 && \strncasecmp($value, 'sha256=', 7) === 0) {
            $value = \substr($value, 7);
        }
        if (\strlen($value) !== 64 || \strspn($value, self::HEX_DIGITS) !== 64) {
            return null;
        }
        $bytes = \hex2bin($value);
        return $bytes === false ? null : $bytes;
    }

    private static function signs(string $body, string $expected, string $secret): bool
    {
        return \hash_equals(\hash_hmac('sha256', $body, $secret, true), $expected);
    }

    // ---- the event --------------------------------------------------------------------------------

    private static function normalize(string $body): array
    {
        $root = self::decode($body);
        if (!$root instanceof \stdClass) {
            if ($root === false) {
                throw new PayloadException(
                    'the body is `false`: Cal.com sends this when a custom payload template does not render to JSON; '
                        . self::CLEAR_TEMPLATE,
                    PayloadException::CUSTOM_TEMPLATE
                );
            }
            throw self::fieldError('body', 'expected a JSON object, got ' . self::typeName($root));
        }
        if (!\property_exists($root, 'triggerEvent')) {
            throw new PayloadException(
                'body has no triggerEvent: it was rendered from a custom payload template; ' . self::CLEAR_TEMPLATE,
                PayloadException::CUSTOM_TEMPLATE
            );
        }
        $trigger = $root->triggerEvent;
        if (!\is_string($trigger) || $trigger === '') {
            $got = $trigger === '' ? 'an empty string' : self::typeName($trigger);
            throw self::fieldError('triggerEvent', 'expected a non-empty string, got ' . $got);
        }
        $createdAt = self::stringField($root, '', 'createdAt');
        if ($createdAt === null) {
            throw self::fieldError('createdAt', 'missing');
        }
        $created = self::parseTime($createdAt);
        if ($created === null) {
            throw self::fieldError('createdAt', 'not an RFC 3339 time');
        }

        $payload = $root->payload ?? null;
        if ($payload === null) {
            [$p, $prefix, $flat] = [$root, '', true];
        } elseif ($payload instanceof \stdClass) {
            [$p, $prefix, $flat] = [$payload, 'payload.', false];
        } else {
            throw self::wrongType('', 'payload', 'an object', $payload);
        }

        $rootUid = self::stringField($root, '', 'uid');
        $bookingUid = self::firstNonEmpty(
            self::stringField($p, $prefix, 'uid'),
            self::stringField($p, $prefix, 'bookingUid'),
            $rootUid
        );
        $bookingId = self::intField($p, $prefix, 'bookingId');
        $flatId = $flat ? self::intField($p, '', 'id') : null;
        $bookingId ??= $flatId;

        $responsesObject = self::objectField($p, $prefix, 'responses');
        $metadataObject = self::objectField($p, $prefix, 'metadata');
        $tagged = false;
        if (self::needsNumberText($metadataObject, $responsesObject)) {
            // Rare: a non-integer number whose exact JSON text is wanted. Read both from a re-decode in
            // which every number is a tagged string holding its text.
            $taggedRoot = self::decode(self::tagNumbers($body));
            $taggedP = $flat ? $taggedRoot : $taggedRoot->payload;
            $responsesObject = $taggedP->responses ?? null;
            $metadataObject = $taggedP->metadata ?? null;
            $tagged = true;
        }
        $responses = self::responses($responsesObject, $tagged);
        $metadata = self::metadata($metadataObject, $tagged);

        $smsReminder = self::stringField($p, $prefix, 'smsReminderNumber');
        $phoneAnswer = self::answerText($responses, 'attendeePhoneNumber');
        [$attendee, $guests] = self::attendees($p, $prefix, $phoneAnswer, $smsReminder);
        $rescheduleReason = self::firstNonEmpty(
            self::stringField($p, $prefix, 'reschedulingReason'),
            self::answerText($responses, 'rescheduleReason')
        );
        $leadId = $metadata['lead_id'] ?? null;
        $leadId = $leadId !== null && \preg_match(self::LEAD_ID, $leadId) === 1 ? (int) $leadId : null;

        $bodySha256 = \hash('sha256', $body);
        $eventKey = $bookingUid === null
            ? $bodySha256
            : \hash('sha256', $trigger . "\n" . $bookingUid . "\n" . $createdAt);

        return [
            'trigger' => $trigger,
            'created_at' => $createdAt,
            'created_at_ms' => $created[0] * 1000 + $created[1],
            'booking_uid' => $bookingUid,
            'rescheduled_from_uid' => self::stringField($p, $prefix, 'rescheduleUid'),
            'booking_id' => $bookingId,
            'status' => self::stringField($p, $prefix, 'status'),
            'title' => self::stringField($p, $prefix, 'title'),
            'event_type' => self::stringField($p, $prefix, 'type'),
            'event_type_id' => self::intField($p, $prefix, 'eventTypeId'),
            'start' => self::timeField($p, $prefix, 'startTime'),
            'end' => self::timeField($p, $prefix, 'endTime'),
            'attendee' => $attendee,
            'guests' => $guests,
            'organizer' => self::organizer($p, $prefix),
            'location' => self::stringField($p, $prefix, 'location'),
            'cancellation_reason' => self::stringField($p, $prefix, 'cancellationReason'),
            'rejection_reason' => self::stringField($p, $prefix, 'rejectionReason'),
            'reschedule_reason' => $rescheduleReason,
            'metadata' => $metadata,
            'lead_id' => $leadId,
            'responses' => $responses,
            'event_key' => $eventKey,
            'body_sha256' => $bodySha256,
        ];
    }

    /** Strict JSON with objects as stdClass and at most 128 levels; a failure is classified. */
    private static function decode(string $body): mixed
    {
        try {
            return \json_decode($body, false, self::MAX_DEPTH + 1, \JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw self::unparsed($body, $e->getMessage());
        }
    }

    /** A body that did not parse: a form-urlencoded custom template, or not JSON at all. */
    private static function unparsed(string $body, string $problem): PayloadException
    {
        $rest = \ltrim($body, " \t\r\n");
        $first = $rest === '' ? '' : $rest[0];
        if ($first !== '{' && $first !== '[' && \str_contains($body, '=')) {
            return new PayloadException(
                'body is form-urlencoded text, not JSON: it was rendered from a custom payload template; '
                    . self::CLEAR_TEMPLATE,
                PayloadException::CUSTOM_TEMPLATE
            );
        }
        if ($body === '') {
            return new PayloadException('body is empty: Cal.com sends a JSON object', PayloadException::NOT_JSON);
        }
        return new PayloadException(
            "body is not valid JSON ($problem): Cal.com sends a JSON object",
            PayloadException::NOT_JSON
        );
    }

    // ---- typed fields: absent or null is null, another type is NOT_AN_EVENT naming the path ---------

    private static function stringField(\stdClass $object, string $prefix, string $key): ?string
    {
        $value = $object->{$key} ?? null;
        if ($value === null || \is_string($value)) {
            return $value;
        }
        throw self::wrongType($prefix, $key, 'a string', $value);
    }

    /** An integer: a JSON number without fraction or exponent in the int64 range (json_decode's int). */
    private static function intField(\stdClass $object, string $prefix, string $key): ?int
    {
        $value = $object->{$key} ?? null;
        if ($value === null || \is_int($value)) {
            return $value;
        }
        throw self::wrongType($prefix, $key, 'an integer', $value);
    }

    private static function objectField(\stdClass $object, string $prefix, string $key): ?\stdClass
    {
        $value = $object->{$key} ?? null;
        if ($value === null || $value instanceof \stdClass) {
            return $value;
        }
        throw self::wrongType($prefix, $key, 'an object', $value);
    }

    /** Unix seconds of a time field. */
    private static function timeField(\stdClass $object, string $prefix, string $key): ?int
    {
        $text = self::stringField($object, $prefix, $key);
        if ($text === null) {
            return null;
        }
        $time = self::parseTime($text);
        if ($time === null) {
            throw self::fieldError($prefix . $key, 'not an RFC 3339 time');
        }
        return $time[0];
    }

    private static function firstNonEmpty(?string ...$chain): ?string
    {
        foreach ($chain as $value) {
            if ($value !== null && $value !== '') {
                return $value;
            }
        }
        return null;
    }

    // ---- people -----------------------------------------------------------------------------------

    /**
     * The booker (first attendee) and the guests' e-mails.
     *
     * @return array{?array<string, ?string>, list<string>}
     */
    private static function attendees(\stdClass $p, string $prefix, ?string $phoneAnswer, ?string $smsReminder): array
    {
        $items = $p->attendees ?? null;
        if ($items === null) {
            return [null, []];
        }
        if (!\is_array($items)) {
            throw self::wrongType($prefix, 'attendees', 'an array', $items);
        }
        $booker = null;
        $guests = [];
        $seen = [];
        foreach ($items as $i => $item) {
            if ($item === null) {
                continue;
            }
            if (!$item instanceof \stdClass) {
                throw self::fieldError("{$prefix}attendees[$i]", 'expected an object, got ' . self::typeName($item));
            }
            $path = "{$prefix}attendees[$i].";
            $email = self::stringField($item, $path, 'email');
            if ($i === 0) {
                $booker = [
                    'name' => self::stringField($item, $path, 'name'),
                    'email' => $email,
                    'phone' => self::firstNonEmpty(
                        self::stringField($item, $path, 'phoneNumber'),
                        $phoneAnswer,
                        $smsReminder
                    ),
                    'time_zone' => self::stringField($item, $path, 'timeZone'),
                    'locale' => self::firstNonEmpty(
                        self::languageLocale($item, $path),
                        self::stringField($item, $path, 'locale')
                    ),
                ];
                if ($email !== null && $email !== '') {
                    $seen[self::asciiLower($email)] = true;
                }
                continue;
            }
            if ($email !== null && $email !== '') {
                $folded = self::asciiLower($email);
                if (!isset($seen[$folded])) {
                    $seen[$folded] = true;
                    $guests[] = $email;
                }
            }
        }
        return [$booker, $guests];
    }

    private static function languageLocale(\stdClass $attendee, string $path): ?string
    {
        $language = $attendee->language ?? null;
        if ($language === null) {
            return null;
        }
        if (!$language instanceof \stdClass) {
            throw self::wrongType($path, 'language', 'an object', $language);
        }
        return self::stringField($language, $path . 'language.', 'locale');
    }

    /** @return ?array<string, ?string> */
    private static function organizer(\stdClass $p, string $prefix): ?array
    {
        $organizer = self::objectField($p, $prefix, 'organizer');
        if ($organizer === null) {
            return null;
        }
        $path = $prefix . 'organizer.';
        return [
            'name' => self::stringField($organizer, $path, 'name'),
            'email' => self::stringField($organizer, $path, 'email'),
            'time_zone' => self::stringField($organizer, $path, 'timeZone'),
        ];
    }

    /** ASCII-only lower case (strtolower follows the locale on PHP 8.1). */
    private static function asciiLower(string $text): string
    {
        return \strtr($text, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
    }

    // ---- metadata and responses -------------------------------------------------------------------
    // Their values are read either from the plain decode ($tagged false: numbers are int, and no float
    // is among the values whose text is wanted) or from the tagged re-decode ($tagged true: see
    // tagNumbers()). Assigning a property name as an array key gives PHP's key rule by itself.

    /** @return array<int|string, string> */
    private static function metadata(?\stdClass $object, bool $tagged): array
    {
        $out = [];
        if ($object === null) {
            return $out;
        }
        foreach (\get_object_vars($object) as $key => $value) {
            $text = \is_bool($value)
                ? ($value ? 'true' : 'false')
                : self::stringValue($value, $tagged) ?? self::numberText($value, $tagged);
            if ($text !== null) {
                $out[$key] = $text;
            }
        }
        return $out;
    }

    /** @return array<int|string, string|bool|list<string>|null> */
    private static function responses(?\stdClass $object, bool $tagged): array
    {
        $out = [];
        if ($object === null) {
            return $out;
        }
        foreach (\get_object_vars($object) as $key => $entry) {
            $out[$key] = self::answer(self::unwrapAnswer($entry), $tagged);
        }
        return $out;
    }

    /** An object with a `label` or `value` key is a wrapper whose `value` is the answer. */
    private static function unwrapAnswer(mixed $entry): mixed
    {
        if ($entry instanceof \stdClass && (\property_exists($entry, 'label') || \property_exists($entry, 'value'))) {
            return $entry->value ?? null;
        }
        return $entry;
    }

    /** @return string|bool|list<string>|null */
    private static function answer(mixed $value, bool $tagged): string|bool|array|null
    {
        if ($value === null || \is_bool($value)) {
            return $value;
        }
        if (\is_array($value)) {
            $list = [];
            foreach ($value as $item) {
                $text = self::stringValue($item, $tagged);
                if ($text === null) {
                    return null;
                }
                $list[] = $text;
            }
            return $list;
        }
        if (!$value instanceof \stdClass) {
            return self::stringValue($value, $tagged) ?? self::numberText($value, $tagged);
        }
        if (\property_exists($value, 'firstName') || \property_exists($value, 'lastName')) {
            $parts = [];
            foreach (['firstName', 'lastName'] as $key) {
                $part = self::stringValue($value->{$key} ?? null, $tagged);
                if ($part !== null && $part !== '') {
                    $parts[] = $part;
                }
            }
            return \implode(' ', $parts);
        }
        if (\property_exists($value, 'value') || \property_exists($value, 'optionValue')) {
            $option = self::stringValue($value->optionValue ?? null, $tagged);
            return $option !== null && $option !== '' ? $option : self::stringValue($value->value ?? null, $tagged);
        }
        return null;
    }

    /** A normalised answer when it is a non-empty string. */
    private static function answerText(array $responses, string $name): ?string
    {
        $answer = $responses[$name] ?? null;
        return \is_string($answer) && $answer !== '' ? $answer : null;
    }

    /** Whether a metadata value or a response answer is a non-integer number (its JSON text is wanted). */
    private static function needsNumberText(?\stdClass $metadata, ?\stdClass $responses): bool
    {
        foreach ($metadata === null ? [] : \get_object_vars($metadata) as $value) {
            if (\is_float($value)) {
                return true;
            }
        }
        foreach ($responses === null ? [] : \get_object_vars($responses) as $entry) {
            if (\is_float(self::unwrapAnswer($entry))) {
                return true;
            }
        }
        return false;
    }

    /** A JSON string's value, or null when $value is no string (in a tagged tree: no tagged number). */
    private static function stringValue(mixed $value, bool $tagged): ?string
    {
        if (!\is_string($value)) {
            return null;
        }
        if (!$tagged || !\str_starts_with($value, self::TAG)) {
            return $value;
        }
        return \substr($value, 1, 1) === self::TAG ? \substr($value, 1) : null;
    }

    /** A JSON number's text: an integer in decimal (`-0` is "0"), anything else exactly as sent. */
    private static function numberText(mixed $value, bool $tagged): ?string
    {
        if (\is_int($value)) {
            return (string) $value;
        }
        if (
            !$tagged
            || !\is_string($value)
            || !\str_starts_with($value, self::TAG)
            || \substr($value, 1, 1) === self::TAG
        ) {
            return null;
        }
        $text = \substr($value, 1);
        if ($text === '-0') {
            return '0';
        }
        return $text;
    }

    /**
     * The body with every number token outside strings turned into the JSON string "\u0000" + its text,
     * and every string whose value starts with U+0000 given one more leading "\u0000", so that in the
     * decoded tree a string starting with one NUL is a number and one starting with two is a string.
     * Only called on a body that already decoded, so strings and numbers are well formed.
     */
    private static function tagNumbers(string $body): string
    {
        $out = '';
        $length = \strlen($body);
        $pos = 0;
        while ($pos < $length) {
            $skip = \strcspn($body, '"-0123456789', $pos);
            $out .= \substr($body, $pos, $skip);
            $pos += $skip;
            if ($pos >= $length) {
                break;
            }
            if ($body[$pos] === '"') {
                $end = $pos + 1;
                while (true) {
                    $end += \strcspn($body, '"\\', $end);
                    if ($end >= $length || $body[$end] === '"') {
                        break;
                    }
                    $end += 2; // a backslash and the character it escapes
                }
                $string = \substr($body, $pos, $end + 1 - $pos);
                $out .= \strncmp($string, '"\u0000', 7) === 0 ? '"\u0000' . \substr($string, 1) : $string;
                $pos = $end + 1;
                continue;
            }
            $token = \strspn($body, '-+.0123456789eE', $pos);
            $out .= '"\u0000' . \substr($body, $pos, $token) . '"';
            $pos += $token;
        }
        return $out;
    }

    // ---- times ------------------------------------------------------------------------------------

    /**
     * An RFC 3339 time as [Unix seconds (floor), first three fraction digits], or null.
     *
     * @return ?array{int, int}
     */
    private static function parseTime(string $text): ?array
    {
        if (\preg_match(self::RFC3339, $text, $m, \PREG_UNMATCHED_AS_NULL) !== 1) {
            return null;
        }
        [$year, $month, $day, $hour, $minute, $second] = \array_map('intval', \array_slice($m, 1, 6));
        if ($month < 1 || $month > 12 || $day < 1 || $day > self::daysInMonth($year, $month)) {
            return null;
        }
        if ($hour > 23 || $minute > 59 || $second > 59) {
            return null;
        }
        $fraction = $m[7] ?? null;
        $millis = $fraction === null ? 0 : (int) \substr($fraction . '00', 0, 3);
        $offset = 0;
        $sign = $m[8] ?? null;
        if ($sign !== null) {
            $offsetHours = (int) $m[9];
            $offsetMinutes = (int) $m[10];
            if ($offsetHours > 23 || $offsetMinutes > 59) {
                return null;
            }
            $offset = ($offsetHours * 3600 + $offsetMinutes * 60) * ($sign === '-' ? -1 : 1);
        }
        $seconds = self::daysFromCivil($year, $month, $day) * 86400 + $hour * 3600 + $minute * 60 + $second - $offset;
        return [$seconds, $millis];
    }

    private static function daysInMonth(int $year, int $month): int
    {
        if ($month === 2) {
            $leap = $year % 4 === 0 && ($year % 100 !== 0 || $year % 400 === 0);
            return $leap ? 29 : 28;
        }
        return \in_array($month, [4, 6, 9, 11], true) ? 30 : 31;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
    private static function daysFromCivil(int $year, int $month, int $day): int
    {
        $y = $month <= 2 ? $year - 1 : $year;
        $era = \intdiv($y >= 0 ? $y : $y - 399, 400);
        $yearOfEra = $y - $era * 400;
        $dayOfYear = \intdiv(153 * (($month + 9) % 12) + 2, 5) + $day - 1;
        $dayOfEra = $yearOfEra * 365 + \intdiv($yearOfEra, 4) - \intdiv($yearOfEra, 100) + $dayOfYear;
        return $era * 146097 + $dayOfEra - 719468;
    }

    // ---- errors -----------------------------------------------------------------------------------

    private static function fieldError(string $path, string $problem): PayloadException
    {
        return new PayloadException("$path: $problem", PayloadException::NOT_AN_EVENT);
    }

    private static function wrongType(string $prefix, string $key, string $expected, mixed $got): PayloadException
    {
        return self::fieldError($prefix . $key, "expected $expected, got " . self::typeName($got));
    }

    /** The JSON type of a decoded value, for messages (never the value itself). */
    private static function typeName(mixed $value): string
    {
        return match (true) {
            $value === null => 'null',
            \is_bool($value) => 'a boolean',
            \is_int($value), \is_float($value) => 'a number',
            \is_string($value) => 'a string',
            \is_array($value) => 'an array',
            default => 'an object',
        };
    }

    /**
     * The error with the file and line of the code that called the engine, as for an exception thrown
     * by the extension's internal functions.
     */
    private static function fromCaller(\Throwable $error): \Throwable
    {
        foreach (\debug_backtrace(\DEBUG_BACKTRACE_IGNORE_ARGS) as $frame) {
            $file = $frame['file'] ?? null;
            if ($file === null || self::isEngineFile($file)) {
                continue;
            }
            $class = $error instanceof \Exception ? \Exception::class : \Error::class;
            (new \ReflectionProperty($class, 'file'))->setValue($error, $file);
            (new \ReflectionProperty($class, 'line'))->setValue($error, $frame['line'] ?? 0);
            break;
        }
        return $error;
    }

    private static function isEngineFile(string $file): bool
    {
        return \dirname($file) === __DIR__ && \in_array(\basename($file), ['PhpEngine.php', 'functions.php'], true);
    }
}
