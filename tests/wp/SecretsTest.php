<?php
/**
 * Secrets: the current and the previous one are accepted (rotation), the delivery records which slot
 * matched, each slot's last match is kept, and SOLAR_CAPTURE_CALCOM_SECRET in wp-config.php wins.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Webhook\Secrets;

final class SecretsTest extends TestCase
{
    public function testTheCurrentSecretVerifiesAndIsRecordedAsSlotZero(): void
    {
        delete_option(Secrets::LAST_MATCH_OPTIONS[Secrets::SLOT_CURRENT]);
        $data = self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        self::assertSame('0', (string) $this->delivery($data['delivery_id'])->secret_slot);
        self::assertEqualsWithDelta(time(), $this->plugin->secrets->last_match(Secrets::SLOT_CURRENT), 5);
    }

    public function testDuringARotationThePreviousSecretIsStillAcceptedAndRecorded(): void
    {
        update_option(Secrets::OPTION, 'the-new-secret');
        update_option(Secrets::PREVIOUS_OPTION, self::SECRET);
        delete_option(Secrets::LAST_MATCH_OPTIONS[Secrets::SLOT_PREVIOUS]);
        delete_option(Secrets::LAST_MATCH_OPTIONS[Secrets::SLOT_CURRENT]);

        $old = self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        self::assertSame('1', (string) $this->delivery($old['delivery_id'])->secret_slot);
        self::assertNotNull($this->plugin->secrets->last_match(Secrets::SLOT_PREVIOUS));
        self::assertNull($this->plugin->secrets->last_match(Secrets::SLOT_CURRENT));

        $new = self::assertResult($this->deliver(self::fixture('02_booking_cancelled.json'), 'the-new-secret'), 'accepted');
        self::assertSame('0', (string) $this->delivery($new['delivery_id'])->secret_slot);
        self::assertNotNull($this->plugin->secrets->last_match(Secrets::SLOT_CURRENT));

        self::assertError($this->deliver(self::fixture('03_booking_rescheduled.json'), 'neither'), 401, 'solar_capture_invalid_signature');

        // Rotation over: the previous secret no longer verifies.
        update_option(Secrets::PREVIOUS_OPTION, '');
        self::assertError($this->deliver(self::fixture('04_booking_requested.json')), 401, 'solar_capture_invalid_signature');
    }

    public function testRotateKeepsTheOldSecretAsPrevious(): void
    {
        $new = $this->plugin->secrets->rotate();
        self::assertIsString($new);
        self::assertGreaterThanOrEqual(32, strlen($new));
        self::assertSame($new, $this->plugin->secrets->current());
        self::assertSame(self::SECRET, $this->plugin->secrets->previous());
        self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        self::assertResult($this->deliver(self::fixture('02_booking_cancelled.json'), $new), 'accepted');
    }

    public function testSecretsAreTrimmedOfPastedWhitespaceOnly(): void
    {
        update_option(Secrets::OPTION, "  " . self::SECRET . "\n");
        self::assertSame(self::SECRET, get_option(Secrets::OPTION));
        update_option(Secrets::OPTION, 'a secret with spaces inside');
        self::assertSame('a secret with spaces inside', $this->plugin->secrets->current());
        self::assertResult($this->deliver(self::fixture('01_booking_created.json'), 'a secret with spaces inside'), 'accepted');
    }

    public function testOnlyAPreviousSecretStillVerifies(): void
    {
        update_option(Secrets::OPTION, '');
        update_option(Secrets::PREVIOUS_OPTION, self::SECRET);
        $data = self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        self::assertSame('1', (string) $this->delivery($data['delivery_id'])->secret_slot);
    }

    /**
     * @runInSeparateProcess
     * @preserveGlobalState disabled
     */
    public function testTheWpConfigConstantWinsOverTheOption(): void
    {
        define('SOLAR_CAPTURE_CALCOM_SECRET', 'secret-from-wp-config');
        self::assertTrue($this->plugin->secrets->current_is_constant());
        self::assertSame('secret-from-wp-config', $this->plugin->secrets->current());

        self::assertError($this->deliver(self::fixture('01_booking_created.json'), self::SECRET), 401, 'solar_capture_invalid_signature');
        $data = self::assertResult($this->deliver(self::fixture('01_booking_created.json'), 'secret-from-wp-config'), 'accepted');
        self::assertSame('0', (string) $this->delivery($data['delivery_id'])->secret_slot);

        self::assertNull($this->plugin->secrets->rotate(), 'a secret set in wp-config.php is not rotated from wp-admin');

        // The option being empty changes nothing either.
        update_option(Secrets::OPTION, '');
        self::assertResult($this->deliver(self::fixture('02_booking_cancelled.json'), 'secret-from-wp-config'), 'accepted');
    }

    /** Found on the landed main: the secrets were autoloaded options, in every request's memory. */
    public function testSecretsAreNotAutoloaded(): void
    {
        delete_option(Secrets::OPTION);
        $secrets = $this->plugin->secrets;
        self::assertTrue($secrets->set_current('first-secret-0123456789abcdefghijklmnop', false));
        self::assertTrue($secrets->set_current('second-secret-0123456789abcdefghijklmno', true), 'a rotation');
        self::assertNotAutoloaded(Secrets::OPTION);
        self::assertNotAutoloaded(Secrets::PREVIOUS_OPTION);
        self::assertArrayNotHasKey(Secrets::OPTION, wp_load_alloptions(true));
    }

    public function testTheUpgradeStopsAutoloadingSecretsSavedBefore(): void
    {
        global $wpdb;
        $wpdb->query($wpdb->prepare("UPDATE {$wpdb->options} SET autoload = 'yes' WHERE option_name = %s", Secrets::OPTION));
        Secrets::stop_autoloading();
        self::assertNotAutoloaded(Secrets::OPTION);
        self::assertSame(self::SECRET, $this->plugin->secrets->current(), 'the value is untouched');
    }

    private static function assertNotAutoloaded(string $option): void
    {
        global $wpdb;
        $autoload = $wpdb->get_var($wpdb->prepare("SELECT autoload FROM {$wpdb->options} WHERE option_name = %s", $option));
        self::assertContains($autoload, ['no', 'off'], "$option is autoloaded");
    }
}
