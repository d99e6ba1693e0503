<?php
/**
 * "Export CSV" of the lead list: every column, the list's filters, formula cells made inert, only for users
 * who may read leads, with a nonce.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Admin\Lead_Admin;
use SolarCapture\Plugin\Admin\Lead_Export;
use SolarCapture\Plugin\Leads\Lead_Roles;

final class LeadExportTest extends TestCase
{
    /** @return list<array<string, string>> The CSV's rows by heading. */
    private function export(array $query = [], int $batch = Lead_Export::BATCH): array
    {
        $out = fopen('php://memory', 'w+b');
        $written = $this->plugin->lead_export->write($out, $query, $batch);
        rewind($out);
        $csv = (string) stream_get_contents($out);
        self::assertStringStartsWith("\xEF\xBB\xBF", $csv, 'a UTF-8 byte order mark');
        $lines = array_map(static fn (string $line): array => str_getcsv($line, ',', '"', ''), explode("\n", trim(substr($csv, 3))));
        $headings = array_shift($lines);
        self::assertCount($written, $lines);
        return array_map(static fn (array $cells): array => array_combine($headings, $cells), $lines);
    }

    public function testEveryLeadWithEveryColumn(): void
    {
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', [
            'responses' => ['roof' => ['label' => 'Roof', 'value' => 'south-facing'], 'panels' => ['label' => 'Panels', 'value' => ['12', '14']]],
        ]));
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z', ['cancellationReason' => 'Roof too small', 'responses' => null]));
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T11:00:00Z', ['uid' => 'uid-bo', 'attendees' => [['name' => 'Bo Ek', 'email' => 'bo@example.com']]]));

        $rows = $this->export();
        self::assertSame(['Bo Ek', 'Ana Müller'], array_column($rows, 'Name'), 'newest first');
        $ana = $rows[1];
        self::assertSame('ana.mueller@example.com', $ana['E-mail']);
        self::assertSame("'+49 30 1234567", $ana['Phone'], 'a phone number starting with + is a formula to a spreadsheet');
        self::assertSame('Cancelled', $ana['Booking status']);
        self::assertSame('Roof too small', $ana['Cancellation reason']);
        self::assertSame(wp_date('Y-m-d H:i', strtotime('2025-03-10T09:00:00Z')), $ana['Appointment (' . wp_timezone_string() . ')']);
        self::assertSame('solar-survey', $ana['Event type']);
        self::assertSame('uid-ana-1', $ana['Booking uid']);
        self::assertStringContainsString('Roof: south-facing; Panels: 12, 14', $ana['Booking answers']);
    }

    /** A name typed by a visitor must not become a formula in the office's spreadsheet. */
    public function testCellsThatLookLikeFormulasAreMadeInert(): void
    {
        foreach (['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', 'Ann = Bob'] as $i => $name) {
            $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['uid' => "uid-f$i", 'attendees' => [['name' => $name, 'email' => "f$i@example.com"]]]));
        }
        $names = array_column($this->export(), 'Name');
        self::assertSame(['Ann = Bob', "'@SUM(A1)", "'-2+3", "'+1+1", '\'=HYPERLINK("http://evil.example","x")'], $names);
        self::assertSame("'\tx", Lead_Export::cell("\tx"));
        self::assertSame("'\rx", Lead_Export::cell("\rx"));
        self::assertSame('', Lead_Export::cell(''));
    }

    public function testTheListsFiltersAndSearchApply(): void
    {
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T11:00:00Z', ['uid' => 'uid-bo', 'attendees' => [['name' => 'Bo Ek', 'email' => 'bo@example.com']]]));
        $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'));
        $this->deliver(self::booking('BOOKING_CANCELLED', '2025-03-02T10:00:00Z'));

        self::assertSame(['Ana Müller'], array_column($this->export([Lead_Admin::STATUS_FILTER => 'cancelled']), 'Name'));
        self::assertSame(['Bo Ek'], array_column($this->export(['s' => 'bo@example']), 'Name'));
        self::assertSame([], $this->export([Lead_Admin::STATUS_FILTER => 'no_show']));

        // Batch after batch down the ids, the filter kept in each.
        for ($i = 0; $i < 5; ++$i) {
            $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T12:00:00Z', ['uid' => "uid-many-$i", 'attendees' => [['name' => "Many $i", 'email' => "many$i@example.com"]]]));
        }
        self::assertSame(['Many 4', 'Many 3', 'Many 2', 'Many 1', 'Many 0', 'Ana Müller', 'Bo Ek'], array_column($this->export([], 2), 'Name'));
        self::assertSame(['Ana Müller'], array_column($this->export([Lead_Admin::STATUS_FILTER => 'cancelled'], 1), 'Name'));
    }

    public function testOnlyUsersWhoMayReadLeadsExportAndOnlyWithTheNonce(): void
    {
        foreach (['editor', 'author'] as $role) {
            self::loginAs($role);
            $this->request(['action' => Lead_Export::ACTION, '_wpnonce' => wp_create_nonce(Lead_Export::ACTION)]);
            self::assertSame(403, $this->runAction([$this->plugin->lead_export, 'handle'])['status'], $role);
        }
        self::loginAs(Lead_Roles::ROLE);
        $this->request(['action' => Lead_Export::ACTION, '_wpnonce' => 'forged']);
        self::assertSame(403, $this->runAction([$this->plugin->lead_export, 'handle'])['status'], 'a link from elsewhere');

        $GLOBALS['typenow'] = 'solar_lead';
        $this->request([Lead_Admin::STATUS_FILTER => 'booked']);
        $button = self::capture(fn () => $this->plugin->lead_export->button('top'));
        self::assertStringContainsString('Export CSV', $button);
        self::assertStringContainsString(Lead_Admin::STATUS_FILTER . '=booked', $button, 'the list\'s filter goes along');
        self::assertStringContainsString('_wpnonce=', $button);
        unset($GLOBALS['typenow']);
    }
}
