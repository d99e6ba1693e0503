<?php
/**
 * A stateful fake of Cal.com's API v2 for the sequences Prism's static examples can't hold: connect twice,
 * a 409 race, missed create/cancel/reschedule chains, hundreds of bookings over pages, a 429 in the middle
 * of a pass, a bad key, Cal.com's own 5xx. Router script for PHP's built-in server:
 *
 *   FAKE_CALCOM_STATE=/tmp/fake.json php -S 127.0.0.1:4011 tests/support/fake-calcom/server.php
 *
 * Behaves as the API's source does (../shared/calcom/api-v2/README.md): Bearer key, the error envelope,
 * 409 on a second webhook with the same subscriber URL, offset paging with `pagination`, afterUpdatedAt /
 * afterCreatedAt filters (inclusive; a null updatedAt never matches), sortUpdatedAt / sortCreated, take
 * 1-250, rate-limit headers. Stricter where a silent fallback would hide a client bug: a missing or wrong
 * cal-api-version is a 400 here.
 *
 * Control (tests/support/Fake_Calcom.php drives it): PUT /_fake/state replaces the state (keys, me,
 * webhooks, event_types, bookings, generate, faults), GET /_fake/state returns it with the request log.
 */
declare(strict_types=1);

const FAKE_TRIGGERS = ['BOOKING_CREATED', 'BOOKING_PAYMENT_INITIATED', 'BOOKING_PAID', 'BOOKING_RESCHEDULED', 'BOOKING_REQUESTED',
    'BOOKING_CANCELLED', 'BOOKING_REJECTED', 'BOOKING_NO_SHOW_UPDATED', 'FORM_SUBMITTED', 'MEETING_ENDED', 'MEETING_STARTED',
    'RECORDING_READY', 'INSTANT_MEETING', 'RECORDING_TRANSCRIPTION_GENERATED', 'OOO_CREATED', 'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
    'AFTER_GUESTS_CAL_VIDEO_NO_SHOW', 'FORM_SUBMITTED_NO_EVENT', 'ROUTING_FORM_FALLBACK_HIT', 'WRONG_ASSIGNMENT_REPORT'];

$file = getenv('FAKE_CALCOM_STATE') ?: sys_get_temp_dir() . '/fake-calcom-' . $_SERVER['SERVER_PORT'] . '.json';
$lock = fopen($file . '.lock', 'c');
flock($lock, LOCK_EX);
$state = is_file($file) ? json_decode((string) file_get_contents($file), true) : null;
$state = fake_defaults(is_array($state) ? $state : []);

$method = $_SERVER['REQUEST_METHOD'];
$path = (string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
parse_str((string) parse_url($_SERVER['REQUEST_URI'], PHP_URL_QUERY), $query);
$raw = (string) file_get_contents('php://input');
$body = json_decode($raw, true);

if (str_starts_with($path, '/_fake/')) {
    if ('PUT' === $method && '/_fake/state' === $path) {
        $state = fake_defaults(is_array($body) ? $body : []);
        fake_save($file, $state);
        fake_send(200, ['status' => 'success', 'data' => null]);
    }
    fake_send(200, $state);
}

$state['log'][] = [
    'method' => $method,
    'path' => $path,
    'query' => $query,
    'version' => $_SERVER['HTTP_CAL_API_VERSION'] ?? null,
    'body' => is_array($body) ? $body : null,
];
$answer = fake_answer($state, $method, $path, $query, is_array($body) ? $body : null, $raw);
fake_save($file, $state);
fake_send($answer[0], $answer[1]);

/** @return array{0: int, 1: array<string, mixed>} */
function fake_answer(array &$state, string $method, string $path, array $query, ?array $body, string $raw): array
{
    $auth = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
    if (!preg_match('/^Bearer (\S+)$/', $auth, $m) || !in_array($m[1], $state['keys'], true)) {
        return fake_error(401, 'UnauthorizedException', 'ApiAuthStrategy - api key - Your api key is not valid', $path);
    }
    foreach ($state['faults'] as $i => &$fault) {
        if ($fault['method'] !== $method || !str_starts_with($path, $fault['path'])) {
            continue;
        }
        if ($fault['after'] > 0) {
            --$fault['after'];
            continue;
        }
        if ($fault['times'] <= 0) {
            continue;
        }
        --$fault['times'];
        if (!empty($fault['race']) && is_array($body)) {
            // Another client creates the same webhook just before this request lands.
            $state['webhooks'][] = fake_webhook($state, ['secret' => 'made-by-someone-else'] + $body);
        }
        $codes = [429 => 'ThrottlerException', 409 => 'ConflictException', 500 => 'INTERNAL_SERVER_ERROR', 502 => 'BadGateway', 503 => 'ServiceUnavailable'];
        return fake_error($fault['status'], $codes[$fault['status']] ?? 'Error', $fault['message'] ?? 'scripted failure', $path);
    }
    unset($fault);
    $state['rate_remaining'] = max(0, $state['rate_remaining'] - 1);

    $version = $_SERVER['HTTP_CAL_API_VERSION'] ?? null;
    if (str_starts_with($path, '/v2/bookings') && '2024-08-13' !== $version) {
        return fake_error(400, 'BadRequestException', 'fake: bookings need cal-api-version 2024-08-13, got ' . var_export($version, true), $path);
    }
    if (str_starts_with($path, '/v2/event-types') && !str_contains($path, '/webhooks') && '2024-06-14' !== $version) {
        return fake_error(400, 'BadRequestException', 'fake: event types need cal-api-version 2024-06-14, got ' . var_export($version, true), $path);
    }

    if ('GET' === $method && '/v2/me' === $path) {
        return [200, ['status' => 'success', 'data' => $state['me']]];
    }
    if ('/v2/webhooks' === $path && 'GET' === $method) {
        $take = (int) ($query['take'] ?? 250);
        if ($take < 1 || $take > 250) {
            return fake_error(400, 'BadRequestException', 'take must not be greater than 250', $path);
        }
        $mine = array_values(array_filter($state['webhooks'], static fn (array $w): bool => $w['userId'] === $state['me']['id']));
        return [200, ['status' => 'success', 'data' => array_slice($mine, (int) ($query['skip'] ?? 0), $take)]];
    }
    if ('/v2/webhooks' === $path && 'POST' === $method) {
        $problem = fake_webhook_problem($body, true);
        if (null !== $problem) {
            return fake_error(400, 'BadRequestException', $problem, $path);
        }
        foreach ($state['webhooks'] as $webhook) {
            if ($webhook['subscriberUrl'] === $body['subscriberUrl'] && $webhook['userId'] === $state['me']['id']) {
                return fake_error(409, 'ConflictException', 'Webhook with this subscriber url already exists for this user', $path);
            }
        }
        $webhook = fake_webhook($state, $body);
        $state['webhooks'][] = $webhook;
        return [201, ['status' => 'success', 'data' => $webhook]];
    }
    if (preg_match('#^/v2/webhooks/([^/]+)$#', $path, $m)) {
        $id = rawurldecode($m[1]);
        foreach ($state['webhooks'] as $i => $webhook) {
            if ($webhook['id'] !== $id) {
                continue;
            }
            if ($webhook['userId'] !== $state['me']['id']) {
                return fake_error(403, 'ForbiddenException', "IsUserWebhookGuard - user with id=({$state['me']['id']}) is not the owner of webhook with id=($id)", $path);
            }
            if ('GET' === $method) {
                return [200, ['status' => 'success', 'data' => $webhook]];
            }
            if ('DELETE' === $method) {
                array_splice($state['webhooks'], $i, 1);
                return [200, ['status' => 'success', 'data' => $webhook]];
            }
            if ('PATCH' === $method) {
                $problem = fake_webhook_problem($body, false);
                if (null !== $problem) {
                    return fake_error(400, 'BadRequestException', $problem, $path);
                }
                $state['webhooks'][$i] = array_merge($webhook, array_intersect_key($body, array_flip(['active', 'subscriberUrl', 'triggers', 'secret', 'payloadTemplate', 'version'])));
                return [200, ['status' => 'success', 'data' => $state['webhooks'][$i]]];
            }
        }
        return fake_error(404, 'NotFoundException', "Webhook ($id) not found", $path);
    }
    if ('GET' === $method && '/v2/event-types' === $path) {
        return [200, ['status' => 'success', 'data' => ($query['username'] ?? '') === $state['me']['username'] ? $state['event_types'] : []]];
    }
    if ('GET' === $method && '/v2/bookings' === $path) {
        return fake_bookings($state, $query, $path);
    }
    if ('GET' === $method && preg_match('#^/v2/bookings/([^/]+)$#', $path, $m)) {
        $uid = rawurldecode($m[1]);
        foreach (fake_all_bookings($state) as $booking) {
            if ($booking['uid'] === $uid) {
                return [200, ['status' => 'success', 'data' => $booking]];
            }
        }
        return fake_error(404, 'NotFoundException', "Booking with uid=$uid was not found in the database", $path);
    }
    return fake_error(404, 'NotFoundException', "Cannot $method $path", $path);
}

/** @return array{0: int, 1: array<string, mixed>} */
function fake_bookings(array $state, array $query, string $path): array
{
    $take = (int) ($query['take'] ?? 100);
    $skip = (int) ($query['skip'] ?? 0);
    if ($take < 1 || $take > 250 || $skip < 0) {
        return fake_error(400, 'BadRequestException', 'take must be 1-250 and skip 0 or more', $path);
    }
    foreach (['afterUpdatedAt', 'afterCreatedAt', 'beforeUpdatedAt'] as $name) {
        if (isset($query[$name]) && !preg_match('/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/', (string) $query[$name])) {
            return fake_error(400, 'BadRequestException', "$name must be a valid ISO 8601 date string", $path);
        }
    }
    $after_updated = isset($query['afterUpdatedAt']) ? strtotime($query['afterUpdatedAt']) : null;
    $after_created = isset($query['afterCreatedAt']) ? strtotime($query['afterCreatedAt']) : null;
    $rows = [];
    foreach (fake_all_bookings($state) as $booking) {
        if (null !== $after_updated && (null === ($booking['updatedAt'] ?? null) || strtotime($booking['updatedAt']) < $after_updated)) {
            continue;
        }
        if (null !== $after_created && strtotime($booking['createdAt']) < $after_created) {
            continue;
        }
        $rows[] = $booking;
    }
    $sort = isset($query['sortUpdatedAt']) ? 'updatedAt' : (isset($query['sortCreated']) ? 'createdAt' : 'start');
    $desc = 'desc' === ($query['sortUpdatedAt'] ?? $query['sortCreated'] ?? 'asc');
    usort($rows, static fn (array $a, array $b): int => ($desc ? -1 : 1) * (strcmp((string) ($a[$sort] ?? ''), (string) ($b[$sort] ?? '')) ?: $a['id'] <=> $b['id']));
    $total = count($rows);
    $page = array_slice($rows, $skip, $take);
    return [200, ['status' => 'success', 'data' => $page, 'pagination' => [
        'totalItems' => $total,
        'remainingItems' => max(0, $total - $skip - count($page)),
        'returnedItems' => count($page),
        'itemsPerPage' => $take,
        'currentPage' => intdiv($skip, $take) + 1,
        'totalPages' => (int) ceil($total / $take),
        'hasNextPage' => $skip + count($page) < $total,
        'hasPreviousPage' => $skip > 0,
    ]]];
}

/** The stored bookings, then `generate.count` made-up ones (the benchmark's thousands). */
function fake_all_bookings(array $state): iterable
{
    yield from $state['bookings'];
    $gen = $state['generate'];
    for ($i = 1; $i <= (int) ($gen['count'] ?? 0); ++$i) {
        $at = (int) $gen['from'] + $i * (int) ($gen['step'] ?? 1);
        $iso = gmdate('Y-m-d\TH:i:s.000\Z', $at);
        yield [
            'id' => 900000 + $i,
            'uid' => sprintf('%s-%06d', $gen['email_prefix'] ?? 'gen', $i),
            'title' => 'Solar survey',
            'status' => 'accepted',
            'start' => gmdate('Y-m-d\TH:i:s.000\Z', $at + 7 * 86400),
            'end' => gmdate('Y-m-d\TH:i:s.000\Z', $at + 7 * 86400 + 1800),
            'duration' => 30,
            'eventType' => ['id' => 7, 'slug' => 'solar-survey'],
            'hosts' => [['id' => 1, 'name' => 'Sunny Solar', 'email' => 'sales@sunny.example', 'username' => 'sunny', 'timeZone' => 'Europe/London']],
            'attendees' => [['name' => 'Generated Person ' . $i, 'email' => sprintf('%s%06d@example.com', $gen['email_prefix'] ?? 'gen', $i), 'timeZone' => 'Europe/London', 'language' => 'en', 'absent' => false]],
            'guests' => [],
            'location' => 'https://cal.com/video/gen-' . $i,
            'metadata' => [],
            'bookingFieldsResponses' => ['name' => 'Generated Person ' . $i, 'email' => sprintf('%s%06d@example.com', $gen['email_prefix'] ?? 'gen', $i)],
            'createdAt' => $iso,
            'updatedAt' => $iso,
        ];
    }
}

function fake_webhook(array $state, array $body): array
{
    return [
        'id' => sprintf('%08x-%04x-4%03x-a%03x-%012x', random_int(0, 0xffffffff), random_int(0, 0xffff), random_int(0, 0xfff), random_int(0, 0xfff), random_int(0, 0xffffffffffff)),
        'userId' => $state['me']['id'],
        'subscriberUrl' => $body['subscriberUrl'],
        'active' => $body['active'],
        'triggers' => $body['triggers'],
        'payloadTemplate' => $body['payloadTemplate'] ?? null,
        'secret' => $body['secret'] ?? null,
    ];
}

function fake_webhook_problem(?array $body, bool $create): ?string
{
    if (!is_array($body)) {
        return 'body must be JSON';
    }
    if ($create && (!isset($body['active'], $body['subscriberUrl'], $body['triggers']))) {
        return 'active, subscriberUrl and triggers are required';
    }
    if (isset($body['active']) && !is_bool($body['active'])) {
        return 'active must be a boolean value';
    }
    if (isset($body['triggers']) && (!is_array($body['triggers']) || array_diff($body['triggers'], FAKE_TRIGGERS))) {
        return 'each value in triggers must be one of the following values: ' . implode(', ', FAKE_TRIGGERS);
    }
    if (isset($body['secret']) && !is_string($body['secret'])) {
        return 'secret must be a string';
    }
    return null;
}

/** @return array{0: int, 1: array<string, mixed>} */
function fake_error(int $status, string $code, string $message, string $path): array
{
    return [$status, ['status' => 'error', 'timestamp' => gmdate('Y-m-d\TH:i:s.000\Z'), 'path' => $path,
        'error' => ['code' => $code, 'message' => $message, 'details' => ['message' => $message, 'statusCode' => $status]]]];
}

function fake_defaults(array $state): array
{
    $state['faults'] = array_map(static fn (array $fault): array => $fault + ['after' => 0, 'times' => 1, 'path' => '/'], $state['faults'] ?? []);
    return $state + [
        'keys' => ['cal_test_fake0123456789abcdef'],
        'me' => ['id' => 11, 'username' => 'sunny', 'email' => 'sales@sunny.example', 'name' => 'Sunny Solar', 'timeFormat' => 24, 'weekStart' => 'Monday', 'timeZone' => 'Europe/London', 'organizationId' => null],
        'webhooks' => [],
        'event_types' => [
            ['id' => 7, 'title' => 'Solar survey', 'slug' => 'solar-survey', 'lengthInMinutes' => 30, 'hidden' => false, 'bookingUrl' => 'https://cal.com/sunny/solar-survey'],
            ['id' => 8, 'title' => 'Roof check', 'slug' => 'roof-check', 'lengthInMinutes' => 45, 'hidden' => true, 'bookingUrl' => ''],
        ],
        'bookings' => [],
        'generate' => ['count' => 0, 'from' => 0, 'step' => 1],
        'faults' => [],
        'rate_limit' => 120,
        'rate_remaining' => 120,
        'log' => [],
    ];
}

function fake_save(string $file, array $state): void
{
    file_put_contents($file . '.tmp', json_encode($state, JSON_UNESCAPED_SLASHES));
    rename($file . '.tmp', $file);
}

function fake_send(int $status, array $body): never
{
    global $state;
    http_response_code($status);
    header('Content-Type: application/json');
    header('X-RateLimit-Limit-Default: ' . $state['rate_limit']);
    header('X-RateLimit-Remaining-Default: ' . $state['rate_remaining']);
    header('X-RateLimit-Reset-Default: ' . (429 === $status ? 42 : 60));
    echo json_encode($body, JSON_UNESCAPED_SLASHES);
    exit;
}
