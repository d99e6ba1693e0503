<?php
/**
 * Exactly once under faults: N distinct signed BOOKING_CREATED deliveries (two bookings per person, sent
 * one after the other so both race for the person's lead), --concurrency at a time through nginx +
 * php-fpm, by a sender that retries 5xx and connection errors with backoff (Retrying_Sender). A third of
 * the way in MariaDB is SIGKILLed (its pid file) and restarted (--restart-db, in the background while
 * the sender goes on); later, separately, --worker-kills php-fpm workers are SIGKILLed while requests
 * are in flight. Then: every delivery answered 2xx is in the database, every stored booking has exactly
 * one accepted delivery and one timeline entry, every person one lead. Prints the figures; exit 1 on a
 * violation (a 2xx lost, an effect twice or without its delivery, a second lead, a valid delivery
 * refused with a 4xx), never on timings.
 *
 * Usage (scripts/fault.sh runs it; by hand, on a running stack after eval "$(bash scripts/stack.sh env)"):
 *   php tests/fault/deliveries.php [--deliveries=3000] [--concurrency=12] [--urls=URL,URL]
 *     [--db-pid-file=FILE --restart-db=COMMAND] [--fpm-pid-files=FILE,FILE] [--worker-kills=8] [--label=TEXT]
 *   --urls: web nodes, used in turn (default SC_URL); no --db-pid-file: no database kill.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Fault;

use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Signed_Delivery;

require_once __DIR__ . '/common.php';

$o = options(['deliveries' => 3000, 'concurrency' => 12, 'urls' => (string) getenv('SC_URL'), 'db-pid-file' => '', 'restart-db' => '',
    'fpm-pid-files' => '', 'worker-kills' => 8, 'label' => 'one web node, one database']);
$n = max(3, (int) $o['deliveries']);
$urls = array_values(array_filter(explode(',', (string) $o['urls'])));
$fpm_pid_files = array_values(array_filter(explode(',', (string) $o['fpm-pid-files'])));
if ([] === $urls || '' === (string) getenv('SC_DB_NAME')) {
    fwrite(STDERR, "fault: eval \"\$(bash scripts/stack.sh env)\" first (or give --urls)\n");
    exit(2);
}

/** The pid in a pid file, or 0. */
function pid_in(string $file): int
{
    return is_readable($file) ? (int) trim((string) file_get_contents($file)) : 0;
}

/** Live children of $parent (php-fpm workers of a master). @return list<int> */
function children(int $parent): array
{
    $pids = [];
    foreach (glob('/proc/[0-9]*/stat') ?: [] as $stat) {
        $text = (string) @file_get_contents($stat);
        $fields = explode(' ', substr($text, (int) strrpos($text, ')') + 2));
        if ((int) ($fields[1] ?? 0) === $parent && !in_array($fields[0], ['Z', 'X'], true)) {
            $pids[] = (int) basename(dirname($stat));
        }
    }
    return $pids;
}

$secret = 'fault-secret-' . bin2hex(random_bytes(16));
$prefix = set_secret($secret);
$tag = bin2hex(random_bytes(3));
$first_post = Effects::open($prefix)->maxPostId();
$t0 = time();
$jobs = [];
$keys = [];
$uids = [];
$emails = [];
for ($i = 0; $i < $n; $i++) {
    $uids[$i] = "fault-$tag-$i";
    $emails[$i] = 'fault.' . $tag . '.p' . intdiv($i, 2) . '@example.com';
    $body = booking('BOOKING_CREATED', $uids[$i], $emails[$i], $t0 + $i);
    $keys[$i] = event_key($body);
    $jobs[] = [Curl_Transport::endpoint($urls[$i % count($urls)]), Signed_Delivery::of($body, $secret)];
}

say('%s: %s deliveries, %d at a time, to %d web node(s); MariaDB SIGKILLed at %s%s, %d php-fpm worker kills later',
    $o['label'], number_format($n), $o['concurrency'], count($urls), number_format(intdiv($n, 3)),
    '' === $o['db-pid-file'] ? ' (no: no --db-pid-file)' : '', '' === $o['fpm-pid-files'] ? 0 : $o['worker-kills']);

$restart = null;
$restart_log = (is_dir(getenv('SC_RUN_DIR') . '/logs') ? getenv('SC_RUN_DIR') . '/logs' : sys_get_temp_dir()) . "/db-restart-$tag.log";
$restart_started = 0.0;
$restart_seconds = null;
$db_kills = 0;
$worker_kills = 0;
$kill_points = [];
for ($k = 0; $k < ('' === $o['fpm-pid-files'] ? 0 : (int) $o['worker-kills']); $k++) {
    $kill_points[] = (int) ($n * (0.5 + 0.4 * $k / max(1, (int) $o['worker-kills'])));
}
$tick = static function (int $done) use ($n, $o, $fpm_pid_files, $restart_log, &$restart, &$restart_started, &$restart_seconds, &$db_kills, &$worker_kills, &$kill_points): void {
    if (0 === $db_kills && '' !== $o['db-pid-file'] && $done >= intdiv($n, 3)) {
        $pid = pid_in((string) $o['db-pid-file']);
        if ($pid > 0 && posix_kill($pid, SIGKILL)) {
            $db_kills++;
            say('  %s done: MariaDB (pid %d) SIGKILLed; restarting it in the background', number_format($done), $pid);
            $restart_started = microtime(true);
            $restart = proc_open(['bash', '-c', (string) $o['restart-db']], [0 => ['file', '/dev/null', 'r'], 1 => ['file', $restart_log, 'w'], 2 => ['file', $restart_log, 'a']], $pipes);
        } else {
            fwrite(STDERR, "fault: no MariaDB process in {$o['db-pid-file']} to kill\n");
            exit(2);
        }
    }
    $status = is_resource($restart) ? proc_get_status($restart) : null;
    if (null !== $status && !$status['running']) {
        $restart_seconds = microtime(true) - $restart_started;
        $rc = $status['exitcode'];
        proc_close($restart);
        $restart = null;
        say('  MariaDB restarted in %.1f s (exit %d; log %s)', $restart_seconds, $rc, $restart_log);
    }
    // Workers die while requests are in flight, once the database is back (the two faults apart).
    if ([] !== $kill_points && $done >= $kill_points[0] && null === $restart && (0 === $db_kills || null !== $restart_seconds)) {
        array_shift($kill_points);
        $master = pid_in($fpm_pid_files[$worker_kills % count($fpm_pid_files)]);
        $workers = $master > 0 ? children($master) : [];
        if ([] !== $workers && posix_kill($workers[array_rand($workers)], SIGKILL)) {
            $worker_kills++;
        }
    }
};

$sender = new Retrying_Sender((int) $o['concurrency']);
$started = microtime(true);
$answers = $sender->send($jobs, $tick);
while (is_resource($restart)) {
    $tick($n);
    usleep(100000);
}
$seconds = microtime(true) - $started;

// ------------------------------------------------------------------------------------------ verdict
$effects = Effects::open($prefix);
$accepted = $effects->accepted($keys);
$timeline = $effects->timeline($uids);
$leads = $effects->leads(array_values(array_unique($emails)));
$uid_records = $effects->uidRecords($uids);
$orphans = $effects->orphanTimeline($uids);
$ok = 0;
$lost = [];
$refused = [];
$missing_effect = [];
$duplicates = [];
$stored = 0;
$people_stored = [];
foreach ($answers as $i => $answer) {
    $is_2xx = $answer->status >= 200 && $answer->status < 300;
    $ok += $is_2xx ? 1 : 0;
    $held = $accepted[$keys[$i]] ?? 0;
    if ($is_2xx && 0 === $held) {
        $lost[] = $uids[$i] . ' (' . substr($answer->body, 0, 160) . ')';
    }
    if ($answer->status >= 400 && $answer->status < 500) {
        $refused[] = $uids[$i] . ": {$answer->status} " . substr($answer->body, 0, 160);
    }
    if ($held > 0) {
        $stored++;
        $people_stored[$emails[$i]] = true;
        if (0 === ($timeline[$uids[$i]] ?? 0)) {
            $missing_effect[] = $uids[$i];
        }
    }
    foreach (['timeline entries' => $timeline[$uids[$i]] ?? 0, 'booking uid records' => $uid_records[$uids[$i]] ?? 0] as $what => $count) {
        if ($count > 1) {
            $duplicates[] = "{$uids[$i]}: $count $what";
        }
    }
}
$second_leads = [];
foreach ($leads as $email => $count) {
    if ($count > 1) {
        $second_leads[] = "$email: $count leads";
    }
}
$lead_posts = $effects->leadPostsAfter($first_post);
if ($lead_posts !== count($people_stored)) {
    $second_leads[] = sprintf('%d lead posts for %d people with a stored booking', $lead_posts, count($people_stored));
}

say('  %s', $sender->summary());
say('  figures: sent %s, answered 2xx %s, retries %s, 5xx %s, connection errors %s, gave up %d; kills: MariaDB %d%s, php-fpm workers %d (nginx answered 502 %d times: requests they were serving)',
    number_format($n), number_format($ok), number_format($sender->retries), number_format($sender->server_errors),
    number_format($sender->connection_errors), $sender->gave_up, $db_kills,
    null === $restart_seconds ? '' : sprintf(' (back in %.1f s)', $restart_seconds), $worker_kills, $sender->statuses[502] ?? 0);
say('  verdict: stored %s, lost %d, duplicates %d, orphan effects %d, missing effects %d, second leads %d, refused %d; %d leads for %d people; %.1f s (%.0f deliveries/s); lead index %s',
    number_format($stored), count($lost), count($duplicates), $orphans, count($missing_effect), count($second_leads), count($refused),
    $lead_posts, count($people_stored), $seconds, $n / max($seconds, 1e-9),
    $effects->leadIndexComplete() ? 'complete' : 'being rebuilt (a reindex is under way: matching reads post meta)');
$violations = ['answered 2xx but not stored' => $lost, 'an effect twice' => $duplicates, 'stored without its timeline entry' => $missing_effect,
    'a second lead' => $second_leads, 'a valid delivery refused' => $refused];
if ($orphans > 0) {
    $violations['timeline entries of attempts that did not commit'] = ["$orphans entries"];
}
$failed = false;
foreach ($violations as $what => $list) {
    if ([] !== $list) {
        $failed = true;
        fwrite(STDERR, sprintf("fault: FAILED: %s: %d, e.g. %s\n", $what, count($list), implode('; ', array_slice($list, 0, 3))));
    }
}
exit($failed ? 1 : 0);
