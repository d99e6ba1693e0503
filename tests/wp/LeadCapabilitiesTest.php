<?php
/**
 * Leads have capabilities of their own: administrators hold them all, a Sales rep works on leads and
 * nothing else, Editors, Shop managers, Authors and Contributors get nothing of them, and nobody adds a
 * lead by hand unless the site allows it.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Admin\Delivery_Log;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;
use SolarCapture\Plugin\Leads\Lead_Roles;

final class LeadCapabilitiesTest extends TestCase
{
    private int $lead;

    protected function setUp(): void
    {
        parent::setUp();
        $this->lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        // WooCommerce's Shop manager: an Editor's capabilities and more.
        if (null === get_role('shop_manager')) {
            add_role('shop_manager', 'Shop manager', get_role('editor')->capabilities + ['manage_woocommerce' => true]);
        }
    }

    /** Found on the landed main: leads used the capabilities of posts. */
    public function testEditorsShopManagersAuthorsAndContributorsGetNothingOfLeads(): void
    {
        foreach (['editor', 'shop_manager', 'author', 'contributor', 'subscriber'] as $role) {
            self::loginAs($role);
            foreach (['read_post', 'edit_post', 'delete_post'] as $cap) {
                self::assertFalse(current_user_can($cap, $this->lead), "$role: $cap");
            }
            self::assertFalse(current_user_can(get_post_type_object(Lead::POST_TYPE)->cap->edit_posts), "$role sees no Solar leads menu");
            self::assertFalse(current_user_can(get_post_type_object(Lead::POST_TYPE)->cap->create_posts), "$role gets no Add new lead");
            self::assertFalse(current_user_can(Delivery_Log::CAPABILITY), "$role: delivery log");
        }
    }

    public function testASalesRepWorksOnLeadsAndNothingElse(): void
    {
        self::loginAs(Lead_Roles::ROLE);
        self::assertTrue(current_user_can('read_post', $this->lead));
        self::assertTrue(current_user_can('edit_post', $this->lead));
        self::assertTrue(current_user_can(Delivery_Log::CAPABILITY), 'the delivery log, without bodies');
        self::assertFalse(current_user_can(Delivery_Log::BODY_CAPABILITY));
        self::assertFalse(current_user_can('delete_post', $this->lead), 'deleting personal data is left to administrators');
        self::assertFalse(current_user_can(Lead_Roles::CREATE_CAP));
        foreach (['edit_posts', 'edit_pages', 'upload_files', 'manage_options', 'list_users'] as $cap) {
            self::assertFalse(current_user_can($cap), "a sales rep has no $cap");
        }
        self::assertSame('Sales rep', wp_roles()->role_names[Lead_Roles::ROLE]);
    }

    public function testAdministratorsHoldEveryLeadCapabilityButAddingByHandIsOptIn(): void
    {
        self::loginAs('administrator');
        foreach (['read_post', 'edit_post', 'delete_post'] as $cap) {
            self::assertTrue(current_user_can($cap, $this->lead), $cap);
        }
        self::assertFalse(current_user_can(Lead_Roles::CREATE_CAP), 'nobody adds leads by hand by default');

        $admin = get_role('administrator');
        $admin->add_cap(Lead_Roles::CREATE_CAP);
        try {
            self::loginAs('administrator');
            self::assertTrue(current_user_can(get_post_type_object(Lead::POST_TYPE)->cap->create_posts), 'a site that allows it');
        } finally {
            $admin->remove_cap(Lead_Roles::CREATE_CAP);
        }
    }

    public function testInstallingAgainRestoresWhatARoleLostAndNothingMore(): void
    {
        $rep = get_role(Lead_Roles::ROLE);
        $rep->remove_cap('edit_solar_leads');
        $rep->add_cap('edit_posts');
        try {
            Lead_Roles::install();
            self::assertTrue(get_role(Lead_Roles::ROLE)->has_cap('edit_solar_leads'));
            self::assertTrue(get_role(Lead_Roles::ROLE)->has_cap('edit_posts'), 'what the site added stays');
        } finally {
            get_role(Lead_Roles::ROLE)->remove_cap('edit_posts');
        }
    }
}
