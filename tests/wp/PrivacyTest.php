<?php
/**
 * Leads are never readable anonymously: not over REST, not through query vars, not by permalink.
 * (The same is checked over HTTP by the end-to-end suite.)
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Lead_Post_Type as Lead;

final class PrivacyTest extends TestCase
{
    private int $lead;

    protected function setUp(): void
    {
        parent::setUp();
        $this->lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        wp_set_current_user(0);
    }

    public function testThePostTypeIsPrivateByDesign(): void
    {
        $type = get_post_type_object(Lead::POST_TYPE);
        self::assertNotNull($type);
        self::assertFalse($type->public);
        self::assertFalse($type->publicly_queryable);
        self::assertTrue($type->exclude_from_search);
        self::assertFalse($type->show_in_rest);
        self::assertTrue($type->show_ui);
        self::assertTrue($type->map_meta_cap);
        self::assertFalse($type->query_var);
        self::assertFalse(is_post_type_viewable($type));
        self::assertSame('private', get_post_status($this->lead));

        foreach ([Lead::META_EMAIL, Lead::META_PHONE, Lead::META_STATUS, Lead::META_BOOKING_UID, Lead::META_BOOKING_START, Lead::META_BOOKING_END, Lead::META_EVENT_TYPE, Lead::META_CANCELLATION_REASON, Lead::META_LAST_EVENT_AT] as $key) {
            $registered = get_registered_meta_keys('post', Lead::POST_TYPE);
            self::assertArrayHasKey($key, $registered);
            self::assertFalse($registered[$key]['show_in_rest'], $key);
            self::assertTrue(is_protected_meta($key, 'post'), $key);
        }
    }

    public function testTheRestApiRevealsNothingAnonymously(): void
    {
        foreach (['/wp/v2/solar_lead', '/wp/v2/solar_lead/' . $this->lead, '/wp/v2/types/solar_lead'] as $route) {
            $response = rest_do_request(new \WP_REST_Request('GET', $route));
            self::assertContains($response->get_status(), [401, 403, 404], $route);
        }
        foreach (['/wp/v2/posts/' . $this->lead, '/wp/v2/pages/' . $this->lead] as $route) {
            self::assertSame(404, rest_do_request(new \WP_REST_Request('GET', $route))->get_status(), $route);
        }
        $search = new \WP_REST_Request('GET', '/wp/v2/search');
        $search->set_param('search', 'Müller');
        self::assertSame([], rest_do_request($search)->get_data());

        $types = rest_do_request(new \WP_REST_Request('GET', '/wp/v2/types'))->get_data();
        self::assertArrayNotHasKey(Lead::POST_TYPE, $types);
        self::assertStringNotContainsString('ana.mueller', (string) wp_json_encode(rest_do_request(new \WP_REST_Request('GET', '/wp/v2/posts'))->get_data()));
    }

    public function testFrontEndQueriesFindNothingAnonymously(): void
    {
        // ?post_type=solar_lead: not publicly queryable, so WordPress drops the query var.
        $saved = [$_GET, $_SERVER['REQUEST_URI']];
        try {
            $_GET = ['post_type' => Lead::POST_TYPE];
            $_SERVER['REQUEST_URI'] = '/?post_type=' . Lead::POST_TYPE;
            $wp = new \WP();
            $wp->parse_request();
            self::assertArrayNotHasKey('post_type', $wp->query_vars);
        } finally {
            [$_GET, $_SERVER['REQUEST_URI']] = $saved;
        }

        // ?p=<id> (what a permalink resolves to) and searches, as an anonymous visitor.
        foreach ([['p' => $this->lead], ['p' => $this->lead, 'post_type' => Lead::POST_TYPE], ['s' => 'Müller'], ['post_type' => 'any', 's' => 'Ana']] as $vars) {
            $query = new \WP_Query($vars);
            self::assertSame([], wp_list_pluck($query->posts, 'ID'), (string) wp_json_encode($vars));
        }
        self::assertFalse(current_user_can('read_post', $this->lead));
    }

    public function testOnlyUsersWhoMayReadPrivatePostsSeeLeads(): void
    {
        $subscriber = wp_insert_user(['user_login' => 'sc_sub_' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => 'subscriber']);
        $editor = wp_insert_user(['user_login' => 'sc_ed_' . wp_generate_password(6, false), 'user_pass' => wp_generate_password(), 'role' => 'editor']);
        self::assertIsInt($subscriber);
        self::assertIsInt($editor);

        wp_set_current_user($subscriber);
        self::assertFalse(current_user_can('read_post', $this->lead));
        self::assertFalse(current_user_can('edit_post', $this->lead));

        wp_set_current_user($editor);
        self::assertTrue(current_user_can('read_post', $this->lead));
        self::assertTrue(current_user_can('edit_post', $this->lead));
    }

    public function testALeadSavedWithPublishStaysPrivate(): void
    {
        $id = wp_insert_post(['post_type' => Lead::POST_TYPE, 'post_status' => 'publish', 'post_title' => 'Typed in by hand'], true);
        self::assertIsInt($id);
        self::assertSame('private', get_post_status($id));
    }
}
