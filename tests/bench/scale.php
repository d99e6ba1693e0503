<?php
/**
 * Scale benchmark (issue 8): the same requests on the empty site and again with L leads in the database,
 * loaded the way an existing site holds them (posts + post meta), through nginx + php-fpm. It prints
 * figures and the issue's targets beside them; it does NOT fail on speed. It fails (exit 1) only when
 * something is functionally wrong: an answer that is not 2xx, a webhook answer that says the wrong thing
 * (a new booking that created no lead, a known booker that got a new lead, a duplicate that was applied),
 * a search that does not find the lead it was asked for, or a lead count that is off (after the load,
 * after the reindex, after 50 deliveries at once).
 *
 * Usage (on a running stack):
 *   eval "$(bash scripts/stack.sh env)"
 *   php tests/bench/scale.php [--leads=N] [--requests=N] [--at-once=N]
 *     --leads     leads to load (default 100000; 1000000 works, give it minutes and disk)
 *     --requests  timed requests per series and phase (default 30), interleaved, after 2 warm-up rounds
 *     --at-once   deliveries of different new bookings sent at the same time (default 50)
 *   scripts/test.sh runs it on the native-engine pass, last (after that pass's other suites and a
 *   `bash scripts/stack.sh reset-db`, so the empty site is empty), with a bounded load (about 35 s on
 *   2 shared cores):
 *     php tests/bench/scale.php --leads="${SCALE_LEADS:-5000}"
 *   The issue's figures (about 2.5 minutes): SCALE_LEADS=100000 bash scripts/test.sh, or on a stack of
 *   your own after `bash scripts/stack.sh reset-db`:
 *     php tests/bench/scale.php --leads=100000
 *
 * What it does:
 * 1. Empty site (whatever leads exist; on a fresh `stack.sh reset-db`, none): medians and p90 of
 *    --requests rounds of, interleaved: a no-op REST route (tests/e2e/noop-route.php, installed into
 *    mu-plugins for the run), a signed BOOKING_CREATED of a new booker (fresh uid and e-mail), a known
 *    booker (fresh uid, e-mail of an existing lead: matched, no new lead), a duplicate delivery, and as
 *    the admin (logged in through wp-login.php): the lead list, the list filtered by status, a search
 *    by a lead's e-mail and by its phone digits. Then --at-once deliveries of different new bookings at
 *    once: every answer 200, exactly that many new leads.
 * 2. Loads L leads with multi-row INSERTs straight into {prefix}posts and {prefix}postmeta over the
 *    database socket (mysqli, one transaction per batch): private solar_lead posts named like people,
 *    with _solar_email (unique), _solar_phone ("+49 30 123-4567", 9 in 10 leads), _solar_booking_status
 *    (requested, booked, rescheduled, cancelled, completed, no_show), _solar_booking_uid and one
 *    _solar_booking_uids row per uid held (rescheduled leads hold two), _solar_booking_start/_end,
 *    _solar_event_type (four), _solar_last_event_at, and a cancellation reason on half the cancelled.
 *    No timeline or delivery rows: the leads look as if they came in before those tables existed.
 *    Then runs solar_capture_reindex_leads() in WordPress (tests/bench/scale-wp.php, a child process)
 *    when the plugin has it, timed, and checks it indexed at least the L loaded leads (and at most
 *    every lead); without it, prints "reindex: not available". Matching a loaded lead's e-mail and
 *    finding loaded leads by search then show that the loaded leads are really indexed.
 * 3. The same requests again at L leads, then the table: empty median, L-leads median, ratio, target.
 * 4. --at-once deliveries at once again, at L leads.
 *
 * It leaves the site as it is at the end: with the loaded leads (and the leads its requests made), and
 * the secret it found restored. `bash scripts/stack.sh reset-db` empties the site again; scripts/test.sh
 * does that at the start of every WordPress pass, so the php-engine pass after it starts from a fresh
 * database. Running it twice without a reset loads L more leads on top (uids and e-mails never collide).
 */
declare(strict_types=1);

use SolarCapture\Tests\Support\Admin_Session;
use SolarCapture\Tests\Support\Bookings;
use SolarCapture\Tests\Support\Curl_Transport;
use SolarCapture\Tests\Support\Http_Answer;
use SolarCapture\Tests\Support\Signed_Delivery;

require_once dirname(__DIR__) . '/support/load.php';
require_once dirname(__DIR__) . '/support/Admin_Session.php';
require_once __DIR__ . '/wp-child.php';

final class Scale_Failure extends RuntimeException
{
}

function fail(string $message): never
{
    throw new Scale_Failure($message);
}

function say(string $format, mixed ...$args): void
{
    vprintf($format . "\n", $args);
    flush();
}

/**
 * @param list<float> $ms
 * @return array{float, float} median and p90 (nearest rank)
 */
function median_p90(array $ms): array
{
    sort($ms);
    $n = count($ms);
    if (0 === $n) {
        return [NAN, NAN];
    }
    $m = intdiv($n, 2);
    $median = $n % 2 ? $ms[$m] : ($ms[$m - 1] + $ms[$m]) / 2;
    return [$median, $ms[max(0, (int) ceil(0.9 * $n) - 1)]];
}

/** @param list<float> $ms */
function percentile(array $ms, float $p): float
{
    sort($ms);
    return $ms[max(0, (int) ceil($p * count($ms)) - 1)];
}

final class Site
{
    public readonly mysqli $db;
    public readonly string $posts;
    public readonly string $postmeta;

    public function __construct(public readonly string $url, string $prefix)
    {
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
        $socket = (string) getenv('SC_DB_SOCKET');
        $this->db = '' !== $socket
            ? new mysqli('localhost', (string) getenv('SC_DB_USER'), (string) getenv('SC_DB_PASSWORD'), (string) getenv('SC_DB_NAME'), 0, $socket)
            : new mysqli('127.0.0.1', (string) getenv('SC_DB_USER'), (string) getenv('SC_DB_PASSWORD'), (string) getenv('SC_DB_NAME'), (int) getenv('SC_DB_PORT'));
        $this->db->set_charset('utf8mb4');
        $this->posts = $prefix . 'posts';
        $this->postmeta = $prefix . 'postmeta';
    }

    public function value(string $sql): string
    {
        $row = $this->db->query($sql)->fetch_row();
        return (string) ($row[0] ?? '');
    }

    /** Lead posts of every status (what the reindex walks). */
    public function leads(): int
    {
        return (int) $this->value("SELECT COUNT(*) FROM {$this->posts} WHERE post_type = 'solar_lead'");
    }

    public function maxPostId(): int
    {
        return (int) $this->value("SELECT COALESCE(MAX(ID), 0) FROM {$this->posts}");
    }

    /**
     * The e-mails of the leads with a post ID above $id and how many of those leads hold each (a range
     * of the primary key: post meta values have no index, a lookup by e-mail would read every meta row).
     *
     * @return array<string, int>
     */
    public function emailsOfLeadsAfter(int $id): array
    {
        $counts = [];
        $rows = $this->db->query("SELECT m.meta_value, COUNT(DISTINCT p.ID) FROM {$this->posts} p JOIN {$this->postmeta} m ON m.post_id = p.ID WHERE p.ID > $id AND p.post_type = 'solar_lead' AND m.meta_key = '_solar_email' GROUP BY m.meta_value");
        foreach ($rows->fetch_all() as [$email, $count]) {
            $counts[(string) $email] = (int) $count;
        }
        return $counts;
    }
}

/**
 * Made-up people: names (some with umlauts), unique e-mails, German phone numbers. $n makes them
 * unique within one $tag; the tag keeps runs and series apart.
 */
final class People
{
    private const FIRST = ['Ana', 'Jonas', 'Lea', 'Lukas', 'Mia', 'Felix', 'Emma', 'Paul', 'Sofia', 'Elias', 'Hannah', 'Noah',
        'Lina', 'Ben', 'Marie', 'Finn', 'Clara', 'Leon', 'Jörg', 'Zoë', 'Amir', 'Ida', 'Karl', 'Greta', 'Theo', 'Nora',
        'Yusuf', 'Ella', 'Malte', 'Frieda', 'Emil', 'Aylin'];
    private const LAST = ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann',
        'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun',
        'Krüger', 'Hofmann', 'Hartmann', 'Lange', 'Schmitt', 'Werner', 'Krause', 'Meier', 'Lehmann', 'Yılmaz', 'Kaya'];
    private const DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example', 'post.example', 'web.example'];
    /** Area codes of the loaded leads; the bench's own bookings use 351, so digits never collide. */
    public const AREAS = ['30', '40', '89', '221', '69', '711', '211', '511'];

    public static function name(int $n): string
    {
        return self::FIRST[$n % count(self::FIRST)] . ' ' . self::LAST[intdiv($n, count(self::FIRST)) % count(self::LAST)];
    }

    public static function ascii(string $text): string
    {
        $text = strtr($text, ['ä' => 'ae', 'ö' => 'oe', 'ü' => 'ue', 'ß' => 'ss', 'Ä' => 'ae', 'Ö' => 'oe', 'Ü' => 'ue', 'ë' => 'e', 'ı' => 'i']);
        return strtolower((string) preg_replace('/[^A-Za-z0-9]+/', '-', $text));
    }

    public static function email(string $tag, int $n): string
    {
        [$first, $last] = explode('-', self::ascii(self::name($n)), 2);
        return "$first.$last.$tag$n@" . self::DOMAINS[$n % count(self::DOMAINS)];
    }

    /** "+49 30 123-4567": a 7-digit subscriber number unique for n < 8,999,999. */
    public static function phone(int $n, string $area): string
    {
        $subscriber = 1000000 + $n;
        return sprintf('+49 %s %03d-%04d', $area, intdiv($subscriber, 10000), $subscriber % 10000);
    }

    public static function digits(string $phone): string
    {
        return (string) preg_replace('/\D+/', '', $phone);
    }
}

/**
 * Loads $count leads straight into the database. Lead $n gets post ID $first_id + $n, the e-mail
 * People::email($tag, $n), and a phone unless $n % 10 === 9.
 *
 * @return array{int, int} first post ID, meta rows written
 */
function load_leads(Site $site, int $count, string $tag): array
{
    $db = $site->db;
    $first_id = (int) $site->value("SELECT COALESCE(MAX(ID), 0) + 1 FROM {$site->posts}");
    $statuses = ['booked', 'booked', 'booked', 'booked', 'completed', 'completed', 'completed', 'cancelled', 'cancelled',
        'rescheduled', 'rescheduled', 'requested', 'requested', 'no_show'];
    $types = ['solar-survey', 'solar-survey', 'roof-check', 'consultation-call', 'battery-consult'];
    $reasons = ['Found another installer', 'Roof is being renovated first', 'Not the right time', 'Budget'];
    $now = time();
    $span = 730 * 86400; // leads came in over two years
    $batch = 2500;
    $meta_rows = 0;
    mt_srand(crc32($tag));
    for ($from = 0; $from < $count; $from += $batch) {
        $posts = [];
        $meta = [];
        for ($n = $from, $to = min($count, $from + $batch); $n < $to; $n++) {
            $id = $first_id + $n;
            $created = $now - $span + intdiv($n * $span, max(1, $count)) + mt_rand(0, 3600); // older ids, older leads
            $last_event = min($now, $created + mt_rand(0, 40 * 86400));
            $date = gmdate('Y-m-d H:i:s', $created);
            $modified = gmdate('Y-m-d H:i:s', $last_event);
            $name = People::name($n);
            $slug = People::ascii($name) . '-' . $tag . $n;
            $posts[] = "($id,0,'$date','$date','','" . $db->real_escape_string($name) . "','','private','closed','closed','','$slug','','','$modified','$modified','',0,'"
                . $db->real_escape_string($site->url) . "/?post_type=solar_lead&p=$id',0,'solar_lead','',0)";

            $status = $statuses[mt_rand(0, count($statuses) - 1)];
            $uid = "ld{$tag}x" . base_convert((string) $n, 10, 36);
            $start = intdiv($created + mt_rand(2, 30) * 86400, 1800) * 1800;
            if ('rescheduled' === $status) {
                $meta[] = "($id,'_solar_booking_uids','{$uid}r')"; // the uid it held before
            }
            $meta[] = "($id,'_solar_booking_uids','$uid')";
            $meta[] = "($id,'_solar_booking_status','$status')";
            $meta[] = "($id,'_solar_last_event_at','" . ($last_event * 1000 + mt_rand(0, 999)) . "')";
            $meta[] = "($id,'_solar_booking_uid','$uid')";
            $meta[] = "($id,'_solar_booking_start','$start')";
            $meta[] = "($id,'_solar_booking_end','" . ($start + (0 === $n % 3 ? 3600 : 1800)) . "')";
            $meta[] = "($id,'_solar_event_type','" . $types[$n % count($types)] . "')";
            $meta[] = "($id,'_solar_email','" . People::email($tag, $n) . "')";
            if (9 !== $n % 10) {
                $meta[] = "($id,'_solar_phone','" . People::phone($n, People::AREAS[$n % count(People::AREAS)]) . "')";
            }
            if ('cancelled' === $status && 0 === $n % 2) {
                $meta[] = "($id,'_solar_cancellation_reason','" . $reasons[$n % count($reasons)] . "')";
            }
        }
        $db->begin_transaction();
        $db->query("INSERT INTO {$site->posts} (ID, post_author, post_date, post_date_gmt, post_content, post_title, post_excerpt, post_status, comment_status, ping_status, post_password, post_name, to_ping, pinged, post_modified, post_modified_gmt, post_content_filtered, post_parent, guid, menu_order, post_type, post_mime_type, comment_count) VALUES " . implode(',', $posts));
        $db->query("INSERT INTO {$site->postmeta} (post_id, meta_key, meta_value) VALUES " . implode(',', $meta));
        $db->commit();
        $meta_rows += count($meta);
    }
    return [$first_id, $meta_rows];
}

/**
 * One measuring phase: $rounds interleaved rounds of every series (after 2 untimed warm-up rounds).
 *
 * @param callable(int): array{string, string, int} $known  A round's known booker: e-mail, name, lead id
 *                                                          (null = the lead the round just created).
 * @param callable(int): array{string, string}     $search A round's searched lead: e-mail, phone digits
 *                                                          (null = the lead the round just created).
 * @return array<string, list<float>> Milliseconds by series.
 */
function measure(Site $site, Admin_Session $admin, string $secret, string $tag, int $rounds, ?callable $known, ?callable $search): array
{
    $webhook = Curl_Transport::endpoint($site->url);
    $noop = $site->url . '/wp-json/solar-capture-test/v1/noop';
    $list = '/wp-admin/edit.php?post_type=solar_lead';
    $booking = static function (string $uid, string $email, string $name, string $phone, int $i): string {
        return Bookings::booking('BOOKING_CREATED', Bookings::iso(time()), [
            'title' => "Solar survey between Sun Installers and $name",
            'startTime' => Bookings::iso(time() + 86400 * (3 + $i % 20)),
            'endTime' => Bookings::iso(time() + 86400 * (3 + $i % 20) + 1800),
            'attendees' => [['name' => $name, 'email' => $email, 'timeZone' => 'Europe/Berlin', 'language' => ['locale' => 'de']] + ('' === $phone ? [] : ['phoneNumber' => $phone])],
            'responses' => ['name' => ['label' => 'your_name', 'value' => $name]],
            'uid' => $uid,
            'bookingId' => crc32($uid),
        ]);
    };
    $post = static function (string $what, string $body) use ($webhook, $secret): Http_Answer {
        $answer = Curl_Transport::post($webhook, Signed_Delivery::of($body, $secret));
        if (200 !== $answer->status) {
            fail("$what: HTTP {$answer->status} " . substr($answer->body, 0, 300));
        }
        return $answer;
    };
    $page = static function (string $what, string $path, ?string $must_show = null) use ($admin): Http_Answer {
        $answer = $admin->get($path);
        if (200 !== $answer->status) {
            fail("$what ($path): HTTP {$answer->status}");
        }
        if (!str_contains($answer->body, 'wp-list-table')) {
            fail("$what ($path): no list table in the page: " . substr(strip_tags($answer->body), 0, 300));
        }
        if (null !== $must_show && !str_contains($answer->body, $must_show)) {
            fail("$what ($path): the lead $must_show is not in the page");
        }
        return $answer;
    };

    $leads_before = $site->leads();
    $created = 0;
    $dup_body = $booking("sc{$tag}dup", "dup.$tag@example.com", 'Dora Duplicate', People::phone(0, '351'), 0);
    $post('seed of the duplicate', $dup_body);
    $created++;

    $series = ['noop' => [], 'new' => [], 'known' => [], 'duplicate' => [], 'list' => [], 'filter' => [], 'search-email' => [], 'search-phone' => []];
    for ($i = -2; $i < $rounds; $i++) {
        $n = $i + 2;
        $keep = static function (string $name, Http_Answer $answer) use (&$series, $i): void {
            if ($i >= 0) {
                $series[$name][] = $answer->milliseconds;
            }
        };
        $answer = Curl_Transport::post($noop, Signed_Delivery::of('{}', null));
        if (200 !== $answer->status) {
            fail("no-op route: HTTP {$answer->status} " . substr($answer->body, 0, 200));
        }
        $keep('noop', $answer);

        $email = "new.$tag.$n@example.com";
        $phone = People::phone(1 + $n, '351');
        $answer = $post('new-lead webhook', $booking("sc{$tag}new$n", $email, People::name($n), $phone, $n));
        $json = $answer->json();
        if (true !== ($json['created'] ?? null) || 'accepted' !== ($json['result'] ?? null)) {
            fail('new-lead webhook: no new lead: ' . $answer->body);
        }
        $created++;
        $keep('new', $answer);
        $new_lead = (int) $json['lead_id'];

        [$k_email, $k_name, $k_id] = null === $known ? [$email, People::name($n), $new_lead] : $known($n);
        $answer = $post('known-booker webhook', $booking("sc{$tag}known$n", $k_email, $k_name, '', $n));
        $json = $answer->json();
        if (false !== ($json['created'] ?? null) || $k_id !== ($json['lead_id'] ?? null)) {
            fail("known-booker webhook: expected lead $k_id to be matched by $k_email, got " . $answer->body);
        }
        $keep('known', $answer);

        $answer = $post('duplicate delivery', $dup_body);
        if (true !== ($answer->json()['duplicate'] ?? null)) {
            fail('duplicate delivery: not answered as a duplicate: ' . $answer->body);
        }
        $keep('duplicate', $answer);

        $keep('list', $page('lead list', $list));
        $keep('filter', $page('lead list filtered by status', "$list&solar_status=booked"));
        [$s_email, $s_digits] = null === $search ? [$email, People::digits($phone)] : $search($n);
        $keep('search-email', $page('search by e-mail', "$list&s=" . rawurlencode($s_email), $s_email));
        $keep('search-phone', $page('search by phone digits', "$list&s=$s_digits", $s_email));
    }
    $leads_after = $site->leads();
    if ($leads_after - $leads_before !== $created) {
        fail("lead count: $created new bookings were sent but there are " . ($leads_after - $leads_before) . ' more leads');
    }
    return $series;
}

/**
 * $count deliveries of different new bookings at the same time: every answer 200, exactly $count new leads.
 *
 * @return array{int, float, float, float} 200s, p50, p95, max (ms)
 */
function at_once(Site $site, string $secret, string $tag, int $count): array
{
    $deliveries = [];
    $emails = [];
    for ($n = 0; $n < $count; $n++) {
        $emails[] = $email = "burst.$tag.$n@example.com";
        $name = People::name(7 * $n + 3);
        $deliveries[] = Signed_Delivery::of(Bookings::booking('BOOKING_CREATED', Bookings::iso(time()), [
            'title' => "Solar survey between Sun Installers and $name",
            'attendees' => [['name' => $name, 'email' => $email, 'timeZone' => 'Europe/Berlin', 'phoneNumber' => People::phone(500000 + $n, '351')]],
            'uid' => "sc{$tag}burst$n",
            'bookingId' => 900000 + $n,
        ]), $secret);
    }
    $before = $site->leads();
    $last_id = $site->maxPostId();
    $answers = Curl_Transport::postEachAtOnce(Curl_Transport::endpoint($site->url), $deliveries);
    $after = $site->leads();
    $ok = count(array_filter($answers, static fn (Http_Answer $a): bool => 200 === $a->status));
    $ms = array_map(static fn (Http_Answer $a): float => $a->milliseconds, $answers);
    $result = [$ok, percentile($ms, 0.5), percentile($ms, 0.95), max($ms)];
    say('  %d at once: %d x 200, latency p50 %.1f ms, p95 %.1f ms, max %.1f ms; %d new leads', $count, $ok, $result[1], $result[2], $result[3], $after - $before);
    if ($ok !== $count) {
        $codes = array_count_values(array_map(static fn (Http_Answer $a): int => $a->status, $answers));
        $bad = array_values(array_filter($answers, static fn (Http_Answer $a): bool => 200 !== $a->status));
        fail("$count at once: only $ok answered 200 (statuses " . json_encode($codes) . '), e.g. ' . substr($bad[0]->body, 0, 300));
    }
    if ($after - $before !== $count) {
        fail("$count at once: " . ($after - $before) . " new leads instead of $count");
    }
    $held = $site->emailsOfLeadsAfter($last_id);
    foreach ($emails as $email) {
        if (1 !== ($held[$email] ?? 0)) {
            fail("$count at once: " . ($held[$email] ?? 0) . " leads for $email instead of 1");
        }
    }
    return $result;
}

// ------------------------------------------------------------------------------------------------ main

$options = getopt('', ['leads:', 'requests:', 'at-once:', 'help']);
if (isset($options['help'])) {
    echo preg_replace('~^ \* ?~m', '', (string) substr((string) file_get_contents(__FILE__), 6, (int) strpos((string) file_get_contents(__FILE__), ' */') - 6));
    exit(0);
}
$leads = (int) ($options['leads'] ?? 100000);
$rounds = (int) ($options['requests'] ?? 30);
$burst = (int) ($options['at-once'] ?? 50);
if ($leads < 1 || $rounds < 1 || $burst < 1) {
    fwrite(STDERR, "usage: php tests/bench/scale.php [--leads=N] [--requests=N] [--at-once=N] (each at least 1)\n");
    exit(2);
}
$url = rtrim((string) getenv('SC_URL'), '/');
$wp_dir = (string) getenv('SC_WP_DIR');
if ('' === $url || !is_file("$wp_dir/wp-load.php") || '' === (string) getenv('SC_DB_NAME')) {
    fwrite(STDERR, "scale: start the stack and eval \"\$(bash scripts/stack.sh env)\" first\n");
    exit(2);
}

$started = hrtime(true);
$mu_plugin = "$wp_dir/wp-content/mu-plugins/solar-capture-noop-route.php"; // tests/bench/http.php's name
$secret = 'scale-bench-secret-' . bin2hex(random_bytes(16));
$previous_secret = null;
try {
    if (!is_file($mu_plugin)) {
        @mkdir(dirname($mu_plugin));
        copy(dirname(__DIR__) . '/e2e/noop-route.php', $mu_plugin);
        register_shutdown_function(static function () use ($mu_plugin): void {
            @unlink($mu_plugin);
        });
    }
    $setup = wp_child('setup', ['SC_SCALE_SECRET' => $secret]);
    $previous_secret = (string) $setup['previous_secret'];
    if (true !== $setup['plugin_active']) {
        fail('the solar-capture plugin is not active on this site (bash scripts/stack.sh activate)');
    }
    $site = new Site($url, (string) $setup['prefix']);
    $admin = Admin_Session::login($url);
    $tag = bin2hex(random_bytes(3)); // keeps this run's uids and e-mails apart from any earlier run's
    $engine = (string) (getenv('SC_ENGINE') ?: '?');

    say('Scale benchmark on %s (engine %s in php-fpm): %s leads to load, %d timed requests per series, %d deliveries at once', $url, $engine, number_format($leads), $rounds, $burst);
    $empty_leads = $site->leads();
    say('Empty site (%s leads before the run): measuring...', number_format($empty_leads));
    $empty = measure($site, $admin, $secret, "{$tag}e", $rounds, null, null);
    $empty_burst = at_once($site, $secret, "{$tag}e", $burst);

    say('Loading %s leads into %s and %s...', number_format($leads), $site->posts, $site->postmeta);
    $before_load = $site->leads();
    $t = hrtime(true);
    [$first_id, $meta_rows] = load_leads($site, $leads, $tag);
    $load_seconds = (hrtime(true) - $t) / 1e9;
    $after_load = $site->leads();
    say('  load: %s leads (%s posts, %s meta rows) in %.2f s (%s leads/s)', number_format($leads), number_format($leads), number_format($meta_rows), $load_seconds, number_format($leads / max($load_seconds, 1e-9)));
    if ($after_load - $before_load !== $leads) {
        fail('lead count after the load: ' . ($after_load - $before_load) . " new lead posts instead of $leads");
    }
    $reindex = wp_child('reindex');
    if (true === $reindex['available']) {
        say('  reindex: solar_capture_reindex_leads() indexed %s leads in %.2f s', number_format((int) $reindex['count']), (float) $reindex['seconds']);
        // It indexes at least every loaded lead (none had an index row) and at most every lead the site
        // has (whether it also counts leads already indexed is the plugin's choice).
        if ((int) $reindex['count'] < $leads || (int) $reindex['count'] > $after_load) {
            fail("reindex: indexed {$reindex['count']} leads; $leads were loaded without an index row, the site has $after_load");
        }
    } else {
        say('  reindex: not available');
    }

    // The known booker and the searched lead are random loaded leads (with a phone, for the digits search).
    mt_srand(crc32($tag) ^ 0x5eed);
    $pick = static function () use ($leads): int {
        $n = mt_rand(0, $leads - 1);
        return 9 === $n % 10 && $leads > 1 ? ($n > 0 ? $n - 1 : $n + 1) : $n;
    };
    $known = static function () use ($pick, $tag, $first_id): array {
        $n = $pick();
        return [People::email($tag, $n), People::name($n), $first_id + $n];
    };
    $search = static function () use ($pick, $tag): array {
        $n = $pick();
        return [People::email($tag, $n), People::digits(People::phone($n, People::AREAS[$n % count(People::AREAS)]))];
    };
    $loaded_leads = $site->leads();
    say('%s leads: measuring...', number_format($loaded_leads));
    $loaded = measure($site, $admin, $secret, "{$tag}l", $rounds, $known, $search);
    $loaded_burst = at_once($site, $secret, "{$tag}l", $burst);

    // The CSV export of every lead: through nginx as the admin (the button's link), then in a child
    // process for its peak memory.
    $list = $admin->get('/wp-admin/edit.php?post_type=solar_lead');
    if (1 !== preg_match('/href="([^"]*action=solar_capture_export_leads[^"]*)"/', $list->body, $link)) {
        fail('the lead list has no Export CSV link');
    }
    $path = parse_url(html_entity_decode($link[1]));
    $csv = $admin->get(($path['path'] ?? '') . '?' . ($path['query'] ?? ''));
    $csv_rows = substr_count($csv->body, "\n") - 1;
    if (200 !== $csv->status || $csv_rows < $leads) {
        fail("export: HTTP {$csv->status} with $csv_rows rows, at least $leads expected");
    }
    $export = wp_child('export');
    say('  export: %s leads as CSV (%.1f MiB) through nginx in %.2f s; in a child process %.2f s, peak memory %.1f MiB (%.1f MiB when it started)',
        number_format($csv_rows), strlen($csv->body) / 1048576, $csv->milliseconds / 1000, (float) $export['seconds'], (float) $export['peak_mb'], (float) $export['base_mb']);

    $names = [
        'noop' => ['no-op REST route (baseline)', 1.2],
        'new' => ['webhook: new lead', 1.2],
        'known' => ['webhook: known booker (by e-mail)', 1.2],
        'duplicate' => ['webhook: duplicate delivery', 1.2],
        'list' => ['wp-admin lead list', 1.3],
        'filter' => ['lead list, status = booked', 1.3],
        'search-email' => ['lead list, search by e-mail', 1.3],
        'search-phone' => ['lead list, search by phone digits', 1.3],
    ];
    $label = number_format($loaded_leads) . ' leads';
    say('');
    say('Medians (p90) of %d interleaved requests, ms, engine %s. ratio = %s median / empty median, the issue\'s', $rounds, $engine, $label);
    say('target applies to it; "/no-op" = that ratio divided by the no-op route\'s own ratio, which takes out a');
    say('machine that got slower or faster between the two phases (other work on the cores).');
    say('%-36s %-17s %-17s %7s %7s  %s', 'request', 'empty site', $label, 'ratio', '/no-op', 'target');
    $missed = [];
    $noop_ratio = median_p90($loaded['noop'])[0] / median_p90($empty['noop'])[0];
    foreach ($names as $key => [$name, $limit]) {
        [$e_med, $e_p90] = median_p90($empty[$key]);
        [$l_med, $l_p90] = median_p90($loaded[$key]);
        $ratio = $l_med / $e_med;
        $verdict = $ratio <= $limit ? 'ok' : 'MISSED';
        if ('ok' !== $verdict) {
            $missed[] = $name;
        }
        say('%-36s %7.1f (%6.1f)  %7.1f (%6.1f)  %6.2fx %6.2fx  <= %.1fx %s', $name, $e_med, $e_p90, $l_med, $l_p90, $ratio, $ratio / $noop_ratio, $limit, $verdict);
    }
    foreach (['empty site' => $empty, $label => $loaded] as $where => $series) {
        $ratio = median_p90($series['new'])[0] / median_p90($series['noop'])[0];
        say('%-36s %s: %.2fx the no-op route (target < 2x) %s', 'webhook: new lead', $where, $ratio, $ratio < 2 ? 'ok' : 'MISSED');
    }
    say('%d deliveries of different new bookings at once: empty site %d x 200, p50 %.0f / p95 %.0f / max %.0f ms; %s: %d x 200, p50 %.0f / p95 %.0f / max %.0f ms',
        $burst, $empty_burst[0], $empty_burst[1], $empty_burst[2], $empty_burst[3], $label, $loaded_burst[0], $loaded_burst[1], $loaded_burst[2], $loaded_burst[3]);
    say('Load of %s leads: %.2f s; reindex: %s. Whole run: %.1f s. Figures only: %s.',
        number_format($leads), $load_seconds,
        true === $reindex['available'] ? sprintf('%.2f s', (float) $reindex['seconds']) : 'not available',
        (hrtime(true) - $started) / 1e9,
        [] === $missed ? 'every target met' : 'targets missed by: ' . implode('; ', $missed));
    say('The site keeps the loaded leads (bash scripts/stack.sh reset-db empties it).');
    $status = 0;
} catch (Scale_Failure | RuntimeException | mysqli_sql_exception $e) {
    fwrite(STDERR, 'scale: FAILED: ' . $e->getMessage() . "\n");
    $status = 1;
} finally {
    if (null !== $previous_secret) {
        try {
            wp_child('secret', ['SC_SCALE_SECRET' => $previous_secret]);
        } catch (Scale_Failure $e) {
            fwrite(STDERR, 'scale: restoring the secret failed: ' . $e->getMessage() . "\n");
        }
    }
}
exit($status);
