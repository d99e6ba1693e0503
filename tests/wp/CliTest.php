<?php
/**
 * wp solar-capture status | connect | reconcile | reindex, through the stand-in WP_CLI class
 * (tests/support/WP_CLI.php), against the fake of Cal.com's API: what each prints and its exit code.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Calcom\Api_Settings;
use SolarCapture\Plugin\Cli\Command;

require_once dirname(__DIR__) . '/support/WP_CLI.php';

final class CliTest extends CalcomTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        $this->plugin->cli->register();
        self::assertSame($this->plugin->cli, \WP_CLI::$commands['solar-capture']);
    }

    public function testConnectThenStatus(): void
    {
        delete_option(Api_Settings::KEY_OPTION);
        self::assertSame(1, \WP_CLI::run('solar-capture', 'connect'));
        self::assertStringContainsString('error: No Cal.com API key: pass --api-key=<key>', \WP_CLI::printed());

        self::assertSame(0, \WP_CLI::run('solar-capture', 'connect', ['api-key' => \Fake_Calcom::KEY, 'api-base' => $this->fake->url]));
        $printed = \WP_CLI::printed();
        self::assertStringContainsString('log: - API key accepted: Cal.com user sunny (sales@sunny.example).', $printed);
        self::assertStringContainsString('log: - Webhook created in Cal.com', $printed);
        self::assertStringContainsString('success: Connected', $printed);

        self::assertSame(0, \WP_CLI::run('solar-capture', 'connect', ['test' => false]));
        self::assertStringContainsString('(nothing needed changing)', \WP_CLI::printed());
        self::assertStringNotContainsString('Test delivery', \WP_CLI::printed(), '--no-test');

        self::assertSame(0, \WP_CLI::run('solar-capture', 'status'));
        $status = \WP_CLI::printed();
        self::assertMatchesRegularExpression('/log: Engine: +(native|php) /', $status);
        self::assertStringContainsString('log: Cal.com API key:     cal_••••••••cdef', $status);
        self::assertStringContainsString('log: Cal.com user:        sunny <sales@sunny.example>', $status);
        self::assertMatchesRegularExpression('#log: Webhook: +[0-9a-f-]{36} -> http#', $status);
        self::assertStringContainsString('log: Last reconciliation: never run', $status);
        self::assertStringNotContainsString(\Fake_Calcom::KEY, $status);

        self::assertSame(1, \WP_CLI::run('solar-capture', 'connect', ['api-key' => 'cal_live_bad00000000000']));
        self::assertStringContainsString('error: Cal.com does not accept the API key', \WP_CLI::printed());
        self::assertSame(1, \WP_CLI::run('solar-capture', 'connect', ['api-base' => 'ftp://nope']));
    }

    public function testReconcileExitCodes(): void
    {
        $this->fake->reset(['bookings' => [self::apiBooking()]]);
        self::assertSame(0, \WP_CLI::run('solar-capture', 'reconcile', ['since' => '2026-01-01T00:00:00Z']));
        self::assertMatchesRegularExpression('/success: .*1 seen, 1 applied, 0 unchanged, 0 errors \(since 2026-01-01T00:00:00Z, 2 pages/', \WP_CLI::printed());

        self::assertSame(1, \WP_CLI::run('solar-capture', 'reconcile', ['since' => 'last tuesday']));
        self::assertStringContainsString('error: --since=last tuesday is not an ISO 8601 time', \WP_CLI::printed());

        $this->fake->reset(['generate' => ['count' => 300, 'from' => time() - 400, 'step' => 1], 'faults' => [['method' => 'GET', 'path' => '/v2/bookings', 'status' => 429, 'after' => 1]]]);
        self::assertSame(Command::RATE_LIMITED, \WP_CLI::run('solar-capture', 'reconcile'));
        self::assertMatchesRegularExpression('/warning: .*rate limit.*250 seen, 250 applied/', \WP_CLI::printed());
        self::assertSame(0, \WP_CLI::run('solar-capture', 'reconcile'), 'resumes');
        self::assertStringContainsString('50 seen, 50 applied', \WP_CLI::printed());

        // A booking the pipeline can't apply (no attendee e-mail: no lead to create or match).
        $this->fake->reset(['bookings' => [self::apiBooking(['uid' => 'uid-nobody', 'attendees' => [['name' => 'Nobody', 'timeZone' => 'UTC', 'absent' => false]]])]]);
        self::assertSame(Command::BOOKING_ERRORS, \WP_CLI::run('solar-capture', 'reconcile', ['since' => '2026-01-01']));
        self::assertStringContainsString('warning: booking uid-nobody: unmatched', \WP_CLI::printed());

        update_option(Api_Settings::KEY_OPTION, 'cal_live_revoked00000000');
        self::assertSame(1, \WP_CLI::run('solar-capture', 'reconcile'));
        self::assertStringContainsString('does not accept the API key', \WP_CLI::printed());
    }

    public function testReindex(): void
    {
        self::assertSame(200, $this->deliver(\SolarCapture\Tests\Support\Bookings::booking('BOOKING_CREATED', '2026-11-01T10:00:00.000Z'))->get_status());
        self::assertSame(0, \WP_CLI::run('solar-capture', 'reindex'));
        self::assertMatchesRegularExpression('/^success: \d+ leads indexed in [0-9.]+ s\.$/', \WP_CLI::printed());
    }
}
