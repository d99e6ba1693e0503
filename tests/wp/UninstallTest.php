<?php
/**
 * uninstall.php, run the way WordPress runs it (WP_UNINSTALL_PLUGIN defined) in a child PHP process.
 *
 * The stack's site must not lose its data to this test, and dropping tables is DDL that no transaction
 * can undo. So the test builds a scratch site inside the same database under its own table prefix
 * (options, posts and postmeta copied empty from the real ones, the plugin's tables created by its own
 * Schema), points $wpdb at it in this process and in the child, and drops it afterwards.
 *
 * @group uninstall
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Jobs\Delivery_Retention;
use SolarCapture\Plugin\Webhook\Endpoint_Check;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Plugin;
use SolarCapture\Plugin\Database\Schema;
use SolarCapture\Plugin\Jobs\Lead_Reindex;
use SolarCapture\Plugin\Webhook\Secrets;
use SolarCapture\Plugin\Admin\Settings_Page;
use SolarCapture\Tests\Support\Bookings;
use SolarCapture\Tests\Support\Rest_Transport;
use SolarCapture\Tests\Support\Signed_Delivery;

final class UninstallTest extends \PHPUnit\Framework\TestCase
{
    private const PREFIX = 'scuninstall_';
    private const SECRET = 'uninstall-test-secret-with-more-than-32-characters';

    private const OPTIONS = [
        Secrets::OPTION,
        Secrets::PREVIOUS_OPTION,
        'solar_capture_secret_last_matched',
        'solar_capture_previous_secret_last_matched',
        Schema::VERSION_OPTION,
        Settings_Page::DELETE_DATA_OPTION,
        Delivery_Retention::OPTION,
        Delivery_Retention::LAST_RUN,
    ];

    private string $real_prefix = '';

    protected function setUp(): void
    {
        global $wpdb;
        $this->dropScratchTables();
        foreach (['options', 'posts', 'postmeta'] as $table) {
            self::assertNotFalse($wpdb->query('CREATE TABLE ' . self::PREFIX . $table . ' LIKE ' . $wpdb->prefix . $table));
        }
        // The copied options table starts empty: give the scratch site the few options WordPress needs.
        $wpdb->query('INSERT INTO ' . self::PREFIX . "options (option_name, option_value, autoload) SELECT option_name, option_value, autoload FROM {$wpdb->options} WHERE option_name IN ('siteurl', 'home', 'blogname', 'active_plugins', 'db_version', 'initial_db_version', 'template', 'stylesheet', 'permalink_structure', 'rewrite_rules', '{$wpdb->prefix}user_roles')");
        $wpdb->query('UPDATE ' . self::PREFIX . "options SET option_name = '" . self::PREFIX . "user_roles' WHERE option_name = '{$wpdb->prefix}user_roles'");

        $this->real_prefix = $this->switchPrefix(self::PREFIX);
        self::assertTrue(Plugin::instance()->schema->install(), 'the scratch site has the plugin tables');
    }

    protected function tearDown(): void
    {
        $this->switchPrefix($this->real_prefix);
        $this->dropScratchTables();
    }

    public function testWithoutWpUninstallPluginTheFileDoesNothing(): void
    {
        [$status, $output] = $this->runUninstall(false, 'echo "continued";');
        self::assertSame([0, ''], [$status, $output], 'uninstall.php exits at once');
        $schema = Plugin::instance()->schema;
        self::assertTrue($schema->table_exists($schema->deliveries_table()));
    }

    public function testUninstallRemovesTablesSettingsAndCronButKeepsLeadsByDefault(): void
    {
        $lead = $this->lead();
        $this->useThePlugin();
        foreach (self::OPTIONS as $option) {
            update_option($option, 'something');
        }
        update_option(Settings_Page::DELETE_DATA_OPTION, false);
        set_transient(Endpoint_Check::CACHE, ['problems' => []], 600);
        set_transient(Settings_Page::TEST_RESULT_TRANSIENT . '1', ['ok' => true, 'message' => 'x'], 600);
        set_transient('unrelated_plugin_cache', 'keep me', 600);
        Plugin::instance()->retention->schedule();
        Plugin::instance()->reindex->start();
        self::assertNotFalse(wp_next_scheduled(Delivery_Retention::CRON_HOOK));
        self::assertNotFalse(wp_next_scheduled(Lead_Reindex::CRON_HOOK));

        [$status, $output] = $this->runUninstall(true);
        self::assertSame([0, ''], [$status, $output]);

        wp_cache_flush();
        $schema = Plugin::instance()->schema;
        self::assertSame(self::PREFIX . 'solar_capture_deliveries', $schema->deliveries_table());
        self::assertCount(6, $schema->tables());
        foreach ($schema->tables() as $table) {
            self::assertStringStartsWith(self::PREFIX, $table);
            self::assertFalse($schema->table_exists($table), $table);
        }
        foreach (self::OPTIONS as $option) {
            self::assertNull(get_option($option, null), $option);
        }
        self::assertFalse(wp_next_scheduled(Delivery_Retention::CRON_HOOK));
        self::assertFalse(wp_next_scheduled(Lead_Reindex::CRON_HOOK));
        self::assertFalse(get_transient(Endpoint_Check::CACHE));
        self::assertFalse(get_transient(Settings_Page::TEST_RESULT_TRANSIENT . '1'));
        self::assertSame([], self::leftoverOptions(), 'no option or transient of the plugin is left');
        self::assertSame('keep me', get_transient('unrelated_plugin_cache'), 'other plugins\' data stays');
        self::assertSame('Kept Lead', get_post($lead)->post_title, 'leads stay unless the site chose otherwise');
        self::assertSame('kept@example.com', get_post_meta($lead, Lead::META_EMAIL, true));
    }

    public function testUninstallDeletesLeadsWhenTheSiteChoseSo(): void
    {
        global $wpdb;
        $lead = $this->lead();
        $this->lead();
        $this->useThePlugin();
        $page = wp_insert_post(['post_type' => 'page', 'post_status' => 'publish', 'post_title' => 'About us'], true);
        update_option(Settings_Page::DELETE_DATA_OPTION, true);

        [$status, $output] = $this->runUninstall(true);
        self::assertSame([0, ''], [$status, $output]);

        wp_cache_flush();
        self::assertNull(get_post($lead));
        self::assertSame('0', (string) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->posts} WHERE post_type = %s", Lead::POST_TYPE)));
        self::assertSame('0', (string) $wpdb->get_var($wpdb->prepare("SELECT COUNT(*) FROM {$wpdb->postmeta} WHERE meta_key = %s", Lead::META_EMAIL)));
        self::assertSame('About us', get_post($page)->post_title, 'other content is untouched');
        self::assertNull(get_option(Settings_Page::DELETE_DATA_OPTION, null));
        self::assertSame([], self::leftoverOptions(), 'no option or transient of the plugin is left');
    }

    /** Uses the plugin on the scratch site as a site would, so that it writes the options it writes itself. */
    private function useThePlugin(): void
    {
        update_option(Secrets::OPTION, self::SECRET);
        $answer = Rest_Transport::post(Signed_Delivery::of(Bookings::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'), self::SECRET));
        self::assertSame(200, $answer->get_status(), (string) wp_json_encode($answer->get_data()));
        self::assertTrue($answer->get_data()['created'] ?? null, 'the booking made a lead on the scratch site');
        Plugin::instance()->retention->prune();
        self::assertNotSame([], self::leftoverOptions(), 'the plugin wrote its options on the scratch site');
    }

    /**
     * @return list<string> Names of the options on the current (scratch) site that belong to the plugin:
     *                      solar_capture*, and its transients _transient_solar_capture* with their timeouts.
     */
    private static function leftoverOptions(): array
    {
        global $wpdb;
        self::assertSame(self::PREFIX . 'options', $wpdb->options, 'the scratch site is the one looked at');
        $like = static fn (string $start): string => $wpdb->esc_like($start) . '%';
        return $wpdb->get_col($wpdb->prepare(
            "SELECT option_name FROM {$wpdb->options} WHERE option_name LIKE %s OR option_name LIKE %s OR option_name LIKE %s ORDER BY option_name",
            $like('solar_capture'),
            $like('_transient_solar_capture'),
            $like('_transient_timeout_solar_capture')
        ));
    }

    private function lead(): int
    {
        $id = wp_insert_post(['post_type' => Lead::POST_TYPE, 'post_status' => 'private', 'post_title' => 'Kept Lead'], true);
        self::assertIsInt($id);
        update_post_meta($id, Lead::META_EMAIL, 'kept@example.com');
        return $id;
    }

    /** @return string The previous prefix. */
    private function switchPrefix(string $prefix): string
    {
        global $wpdb;
        $previous = $wpdb->set_prefix($prefix);
        self::assertIsString($previous);
        wp_cache_flush();
        return $previous;
    }

    private function dropScratchTables(): void
    {
        global $wpdb;
        foreach (['options', 'posts', 'postmeta', 'solar_capture_deliveries', 'solar_capture_timeline', 'solar_capture_lead_index', 'solar_capture_lead_keys', 'solar_capture_refusals', 'solar_capture_delivery_emails'] as $table) {
            $wpdb->query('DROP TABLE IF EXISTS ' . self::PREFIX . $table);
        }
    }

    /** @return array{int, string} Exit status and output of a PHP process that loads WordPress, switches to the scratch site and includes uninstall.php. */
    private function runUninstall(bool $as_wordpress, string $after = ''): array
    {
        $code = ($as_wordpress ? "define('WP_UNINSTALL_PLUGIN', 'solar-capture/solar-capture.php');" : '')
            . '$_SERVER["HTTP_HOST"] = ' . var_export($_SERVER['HTTP_HOST'], true) . ';'
            . 'ob_start(); require ' . var_export(SC_TESTS_WP_DIR . '/wp-load.php', true) . '; ob_end_clean();'
            . '$GLOBALS["wpdb"]->set_prefix(' . var_export(self::PREFIX, true) . '); wp_cache_flush();'
            . 'include ' . var_export(SOLAR_CAPTURE_DIR . '/uninstall.php', true) . ';'
            . $after;
        $output = [];
        exec(escapeshellarg(PHP_BINARY) . ' -r ' . escapeshellarg($code) . ' 2>&1', $output, $status);
        return [$status, implode("\n", $output)];
    }
}
