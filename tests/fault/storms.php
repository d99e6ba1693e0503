<?php
/**
 * Duplicate storms across web nodes: per round, --storm identical signed deliveries of one new booking
 * at once, split over the web nodes of --urls (each node may write to its own database node), by a sender
 * that retries 5xx and connection errors; then exactly one effect: one accepted delivery, one lead, one
 * timeline entry. And per round a BOOKING_CREATED and a BOOKING_PAID of one new booking at once, one to
 * each of the first two nodes: one lead, both events on its timeline. Also checks that every table of
 * the plugin is InnoDB with a primary key (what Galera needs). Prints the figures; exit 1 on a violation.
 *
 * Usage: php tests/fault/storms.php --urls=URL1,URL2 [--rounds=20] [--storm=50] [--label=TEXT]
 * (after eval "$(bash scripts/stack.sh env)" of the node holding the database; scripts/fault.sh runs it)
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Fault;

use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Http_Answer;
use SolarCapture\Tests\Support\Signed_Delivery;

require_once __DIR__ . '/common.php';

$o = options(['urls' => (string) getenv('SC_URL'), 'rounds' => 20, 'storm' => 50, 'label' => 'two web nodes, one database']);
$urls = array_map(static fn (string $url): string => Curl_Transport::endpoint($url), array_values(array_filter(explode(',', (string) $o['urls']))));
if ([] === $urls || '' === (string) getenv('SC_DB_NAME')) {
    fwrite(STDERR, "fault: eval \"\$(bash scripts/stack.sh env)\" first and give --urls\n");
    exit(2);
}
$rounds = max(1, (int) $o['rounds']);
$storm = max(2, (int) $o['storm']);
$secret = 'fault-secret-' . bin2hex(random_bytes(16));
$prefix = set_secret($secret);
$tag = bin2hex(random_bytes(3));
$violations = [];

$effects = Effects::open($prefix);
$engines = $effects->tableEngines();
$no_pk = $effects->tablesWithoutPrimaryKey();
$not_innodb = array_keys(array_filter($engines, static fn (string $engine): bool => 'InnoDB' !== $engine));
if ([] !== $no_pk || [] !== $not_innodb || [] === $engines) {
    $violations[] = sprintf('plugin tables: %d found, without a primary key: %s; not InnoDB: %s', count($engines), implode(', ', $no_pk) ?: 'none', implode(', ', $not_innodb) ?: 'none');
}
say('%s: %d plugin tables, %s; %d rounds of %d identical deliveries over %d web nodes, then %d rounds of CREATED + PAID at once',
    $o['label'], count($engines), [] === $no_pk && [] === $not_innodb ? 'every one InnoDB with a primary key' : 'NOT every one InnoDB with a primary key',
    $rounds, $storm, count($urls), $rounds);

/**
 * @param list<Http_Answer> $answers
 * @return array<int, int> status => answers
 */
function statuses(array $answers): array
{
    $codes = array_count_values(array_map(static fn (Http_Answer $a): int => $a->status, $answers));
    ksort($codes);
    return $codes;
}

$sender = new Retrying_Sender($storm);
$started = microtime(true);
$exact = 0;
$answered = ['accepted' => 0, 'duplicate' => 0, 'other' => 0];
for ($round = 1; $round <= $rounds; $round++) {
    $uid = "storm-$tag-$round";
    $email = "storm.$tag.$round@example.com";
    $body = booking('BOOKING_CREATED', $uid, $email, time());
    $delivery = Signed_Delivery::of($body, $secret);
    $first_post = $effects->maxPostId();
    $jobs = [];
    for ($i = 0; $i < $storm; $i++) {
        $jobs[] = [$urls[$i % count($urls)], $delivery];
    }
    $answers = $sender->send($jobs);
    foreach ($answers as $answer) {
        $json = $answer->json();
        $answered[200 !== $answer->status ? 'other' : (true === ($json['duplicate'] ?? null) ? 'duplicate' : 'accepted')]++;
    }
    $effects = Effects::open($prefix);
    $seen = [
        'accepted deliveries' => $effects->accepted([event_key($body)])[event_key($body)] ?? 0,
        'leads' => $effects->leads([$email])[$email] ?? 0,
        'lead posts' => $effects->leadPostsAfter($first_post),
        'timeline entries' => $effects->timeline([$uid])[$uid] ?? 0,
    ];
    $wrong = array_filter($seen, static fn (int $count): bool => 1 !== $count);
    if ([] === $wrong && [200 => $storm] === statuses($answers)) {
        $exact++;
    } else {
        $violations[] = "storm round $round: " . json_encode($seen) . ', statuses ' . json_encode(statuses($answers));
    }
}
$storm_seconds = microtime(true) - $started;
say('  storms: %d/%d rounds with exactly one effect (1 accepted delivery, 1 lead, 1 timeline entry); answers: %d accepted, %d duplicate, %d other; %s; %.1f s',
    $exact, $rounds, $answered['accepted'], $answered['duplicate'], $answered['other'], $sender->summary(), $storm_seconds);

$pair_sender = new Retrying_Sender(2);
$one_lead = 0;
$started = microtime(true);
for ($round = 1; $round <= $rounds; $round++) {
    $uid = "pair-$tag-$round";
    $email = "pair.$tag.$round@example.com";
    $now = time();
    $first_post = $effects->maxPostId();
    $answers = $pair_sender->send([
        [$urls[0], Signed_Delivery::of(booking('BOOKING_CREATED', $uid, $email, $now), $secret)],
        [$urls[1 % count($urls)], Signed_Delivery::of(booking('BOOKING_PAID', $uid, $email, $now + 1), $secret)],
    ]);
    $effects = Effects::open($prefix);
    $lead_ids = array_map(static fn (Http_Answer $a): mixed => $a->json()['lead_id'] ?? null, $answers);
    $seen = [
        'leads' => $effects->leads([$email])[$email] ?? 0,
        'lead posts' => $effects->leadPostsAfter($first_post),
        'timeline entries' => ($effects->timeline([$uid])[$uid] ?? 0) - 1, // two events: one entry each
    ];
    if ([] === array_filter($seen, static fn (int $count): bool => 1 !== $count) && [200 => 2] === statuses($answers) && $lead_ids[0] === $lead_ids[1]) {
        $one_lead++;
    } else {
        $violations[] = "pair round $round: " . json_encode($seen) . ', lead ids ' . json_encode($lead_ids) . ', statuses ' . json_encode(statuses($answers));
    }
}
say('  CREATED + PAID of one new booking at once on two nodes: %d/%d rounds with one lead holding both events; %s; %.1f s',
    $one_lead, $rounds, $pair_sender->summary(), microtime(true) - $started);

foreach ($violations as $violation) {
    fwrite(STDERR, "fault: FAILED: $violation\n");
}
exit([] === $violations ? 0 : 1);
