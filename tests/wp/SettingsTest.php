<?php
/**
 * Settings: sanitising, saving and rotating the secret, removing the previous one, and the checks
 * (capability, nonce) every admin action makes.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Jobs\Delivery_Retention;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Admin\Settings_Page;

final class SettingsTest extends TestCase
{
    private const NEW_SECRET = 'Zq8vN2kLw5Rt7Yb3Hc6Jd9Fg1Mx4Pe0SaUo2Ki';

    protected function setUp(): void
    {
        parent::setUp();
        require_once ABSPATH . 'wp-admin/includes/admin.php';
    }

    public function testSecretsAreSanitisedWhateverWritesThem(): void
    {
        update_option(Secrets::OPTION, " \t" . self::NEW_SECRET . "\r\n");
        self::assertSame(self::NEW_SECRET, get_option(Secrets::OPTION), 'pasted whitespace goes');
        update_option(Secrets::OPTION, 'inner spaces stay');
        self::assertSame('inner spaces stay', get_option(Secrets::OPTION));
        update_option(Secrets::OPTION, str_repeat('x', 600));
        self::assertSame(Secrets::MAX_LENGTH, strlen(get_option(Secrets::OPTION)));
        update_option(Secrets::PREVIOUS_OPTION, ['not', 'a', 'string']);
        self::assertSame('', get_option(Secrets::PREVIOUS_OPTION));
    }

    public function testRetentionDaysAreAWholeNumberInRange(): void
    {
        $cases = ['45' => 45, ' 7 ' => 7, '0' => 1, '-3' => 1, '99999' => 3650, 'abc' => 30, '' => 30, '12.9' => 12];
        foreach ($cases as $submitted => $stored) {
            update_option(Delivery_Retention::OPTION, (string) $submitted);
            self::assertSame($stored, get_option(Delivery_Retention::OPTION), var_export($submitted, true));
        }
        delete_option(Delivery_Retention::OPTION);
        self::assertSame(30, $this->plugin->retention->days(), 'the default');
    }

    public function testDeleteLeadsOnUninstallIsABoolean(): void
    {
        foreach (['1' => true, 'on' => true, '0' => false, 'false' => false, '' => false] as $submitted => $stored) {
            update_option(Settings_Page::DELETE_DATA_OPTION, (string) $submitted);
            self::assertSame($stored, get_option(Settings_Page::DELETE_DATA_OPTION), var_export($submitted, true));
        }
    }

    public function testTheDataTabPostsOnlyItsOwnGroupSoTheSecretsSurvive(): void
    {
        $allowed = apply_filters('allowed_options', []);
        self::assertEqualsCanonicalizing([Settings_Page::DELETE_DATA_OPTION, Delivery_Retention::OPTION], $allowed[Settings_Page::GROUP]);
        self::assertEqualsCanonicalizing([Secrets::OPTION, Secrets::PREVIOUS_OPTION], $allowed[Settings_Page::SECRETS_GROUP]);

        self::loginAs('administrator');
        $html = self::capture(function (): void {
            $this->request(['tab' => 'data']);
            $this->plugin->settings_page->render();
        });
        self::assertStringContainsString("name='option_page' value='solar_capture'", $html);
        self::assertStringContainsString('name="' . Delivery_Retention::OPTION . '" value="30" min="1" max="3650"', $html);
        self::assertStringContainsString('name="' . Settings_Page::DELETE_DATA_OPTION . '" value="1"', $html);
        self::assertStringNotContainsString('solar_capture_secret', $html);
    }

    public function testSavingASecret(): void
    {
        $page = $this->plugin->settings_page;
        update_option(Secrets::OPTION, '');
        self::assertSame('secret_empty', $page->save_secret("  \n", true));
        self::assertSame('', get_option(Secrets::OPTION));

        self::assertSame('secret_saved', $page->save_secret(' ' . self::NEW_SECRET . ' ', true));
        self::assertSame(self::NEW_SECRET, $this->plugin->secrets->current());
        self::assertSame('', $this->plugin->secrets->previous(), 'nothing to keep the first time');

        self::assertSame('secret_saved_short', $page->save_secret('only-twenty-characte', false));
        self::assertSame('only-twenty-characte', $this->plugin->secrets->current(), 'a short secret is saved, with a warning');
        self::assertSame('', $this->plugin->secrets->previous(), 'not kept when unticked');
    }

    public function testRotationKeepsThePreviousSecretUntilItIsRemoved(): void
    {
        $secrets = $this->plugin->secrets;
        self::assertResult($this->deliver(self::fixture('15_ping_test.json')), 'accepted');
        $old_match = $secrets->last_match(Secrets::SLOT_CURRENT);
        self::assertNotNull($old_match);

        self::assertSame('secret_rotated', $this->plugin->settings_page->save_secret(self::NEW_SECRET, true));
        self::assertSame(self::NEW_SECRET, $secrets->current());
        self::assertSame(self::SECRET, $secrets->previous());
        self::assertSame($old_match, $secrets->last_match(Secrets::SLOT_PREVIOUS), 'the old secret keeps its history');
        self::assertNull($secrets->last_match(Secrets::SLOT_CURRENT));

        // Both are accepted during the rotation, and each delivery records which one matched.
        $old = self::assertResult($this->deliver(self::fixture('01_booking_created.json')), 'accepted');
        $new = self::assertResult($this->deliver(self::fixture('02_booking_cancelled.json'), self::NEW_SECRET), 'accepted');
        self::assertSame('1', (string) $this->delivery($old['delivery_id'])->secret_slot);
        self::assertSame('0', (string) $this->delivery($new['delivery_id'])->secret_slot);
        self::assertNotNull($secrets->last_match(Secrets::SLOT_CURRENT));

        // Saving the same secret again changes nothing (and doesn't push it into "previous").
        $this->plugin->settings_page->save_secret(self::NEW_SECRET, true);
        self::assertSame(self::SECRET, $secrets->previous());

        self::assertTrue($secrets->remove_previous());
        self::assertSame('', $secrets->previous());
        self::assertNull($secrets->last_match(Secrets::SLOT_PREVIOUS));
        self::assertError($this->deliver(self::fixture('03_booking_rescheduled.json')), 401, 'solar_capture_invalid_signature');
        self::assertResult($this->deliver(self::fixture('03_booking_rescheduled.json'), self::NEW_SECRET), 'accepted');
    }

    public function testGeneratedSecretsAreLongAndRandom(): void
    {
        $a = Secrets::generate();
        $b = Secrets::generate();
        self::assertMatchesRegularExpression('/\A[A-Za-z0-9]{48}\z/', $a);
        self::assertNotSame($a, $b);
        self::assertGreaterThanOrEqual(Secrets::MIN_LENGTH, strlen((string) $this->plugin->secrets->rotate()));
    }

    public function testTheSaveActionNeedsTheCapabilityAndTheNonce(): void
    {
        $page = $this->plugin->settings_page;
        self::loginAs('editor');
        $this->request([], ['solar_capture_new_secret' => self::NEW_SECRET, '_wpnonce' => wp_create_nonce(Settings_Page::SAVE_SECRET_ACTION)]);
        $end = $this->runAction([$page, 'handle_save_secret']);
        self::assertSame(403, $end['status']);
        self::assertSame(self::SECRET, get_option(Secrets::OPTION), 'an editor changes nothing');

        self::loginAs('administrator');
        $this->request([], ['solar_capture_new_secret' => self::NEW_SECRET, '_wpnonce' => 'forged']);
        $end = $this->runAction([$page, 'handle_save_secret']);
        self::assertSame(403, $end['status']);
        self::assertSame(self::SECRET, get_option(Secrets::OPTION), 'a wrong nonce changes nothing');

        $this->request([], ['solar_capture_new_secret' => self::NEW_SECRET, 'solar_capture_keep_previous' => '1', '_wpnonce' => wp_create_nonce(Settings_Page::SAVE_SECRET_ACTION)]);
        $end = $this->runAction([$page, 'handle_save_secret']);
        self::assertNull($end['die']);
        self::assertSame($page->page_url(['solar_capture_notice' => 'secret_rotated']), $end['redirect']);
        self::assertSame(self::NEW_SECRET, get_option(Secrets::OPTION));
        self::assertSame(self::SECRET, get_option(Secrets::PREVIOUS_OPTION));

        // The notice after the redirect never shows the secret.
        $this->request(['solar_capture_notice' => 'secret_rotated']);
        $html = self::capture([$page, 'render']);
        self::assertStringContainsString('New secret saved', $html);
        self::assertStringNotContainsString(self::NEW_SECRET, $html);
    }

    public function testEveryOtherActionChecksCapabilityAndNonce(): void
    {
        $page = $this->plugin->settings_page;
        update_option(Secrets::PREVIOUS_OPTION, 'previous-secret-0123456789-0123456789');
        $actions = [
            Settings_Page::REMOVE_PREVIOUS_ACTION => 'handle_remove_previous',
            Settings_Page::TEST_ACTION => 'handle_test_delivery',
            Settings_Page::CHECK_ACTION => 'handle_check_endpoint',
        ];
        $this->fakeHttp(static fn () => self::fail('no request may be sent without capability and nonce'));
        foreach ($actions as $nonce_action => $method) {
            self::loginAs('editor');
            $this->request([], ['_wpnonce' => wp_create_nonce($nonce_action)]);
            self::assertSame(403, $this->runAction([$page, $method])['status'], "$method as editor");
            self::loginAs('administrator');
            $this->request([], ['_wpnonce' => wp_create_nonce('another-action')]);
            self::assertSame(403, $this->runAction([$page, $method])['status'], "$method with a wrong nonce");
        }
        self::assertSame('previous-secret-0123456789-0123456789', get_option(Secrets::PREVIOUS_OPTION));

        $this->request([], ['_wpnonce' => wp_create_nonce(Settings_Page::REMOVE_PREVIOUS_ACTION)]);
        self::assertSame($page->page_url(['solar_capture_notice' => 'previous_removed']), $this->runAction([$page, 'handle_remove_previous'])['redirect']);
        self::assertSame('', $this->plugin->secrets->previous());
    }

    public function testTheScreenIsForAdministratorsOnly(): void
    {
        self::loginAs('editor');
        self::assertSame(403, $this->runAction([$this->plugin->settings_page, 'render'])['status']);
    }

    /**
     * @runInSeparateProcess
     * @preserveGlobalState disabled
     */
    public function testASecretFromWpConfigCantBeReplacedHere(): void
    {
        define('SOLAR_CAPTURE_CALCOM_SECRET', 'secret-from-wp-config-0123456789abcdef');
        self::assertSame('secret_constant', $this->plugin->settings_page->save_secret(self::NEW_SECRET, true));
        self::assertFalse($this->plugin->secrets->set_current(self::NEW_SECRET, true));
        self::assertSame('secret-from-wp-config-0123456789abcdef', $this->plugin->secrets->current());
        self::assertSame('', $this->plugin->secrets->previous());
    }
}
