<?php
/**
 * POST /solar-capture/v1/leads (contract section 4): the site's enquiry makes a lead with status `new`,
 * an e-mail that has a lead updates it without a second one, bad input names its field, a robot and a
 * flood are refused, and the booking link the answer carries brings the booking back to that lead.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Capture\Booking_Link;
use SolarCapture\Plugin\Capture\Lead_Capture;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;

final class LeadCaptureTest extends TestCase
{
    private const VALID = [
        'name' => 'Grace Hopper',
        'email' => 'Grace@Example.org',
        'phone' => '+44 20 7946 0018',
        'postcode' => 'SW1A 1AA',
        'answers' => ['homeowner' => 'yes', 'roof_type' => 'pitched', 'monthly_bill' => '£100–£150'],
    ];

    protected function setUp(): void
    {
        parent::setUp();
        update_option(Booking_Link::OPTION, 'sunny-solar/roof-survey');
        $this->hook('solar_capture_form_rate_limit', static fn (): int => 1000);
    }

    /** @param array<string, mixed> $fields */
    private function submit(array $fields, string $content_type = 'application/json'): \WP_REST_Response
    {
        $request = new \WP_REST_Request('POST', '/solar-capture/v1/leads');
        $request->set_header('Content-Type', $content_type);
        if ('application/json' === $content_type) {
            $request->set_body((string) wp_json_encode($fields));
        } else {
            $request->set_body_params($fields);
        }
        $response = rest_do_request($request);
        self::assertInstanceOf(\WP_REST_Response::class, $response);
        return $response;
    }

    public function testAValidEnquiryMakesANewLeadAndAnswersItsReferenceAndBookingLink(): void
    {
        $response = $this->submit(self::VALID);
        self::assertSame(201, $response->get_status(), (string) wp_json_encode($response->get_data()));
        $data = $response->get_data();
        self::assertSame(['lead_id', 'lead_ref', 'booking_url'], array_keys($data));
        $lead = $data['lead_id'];
        self::assertSame(solar_capture_lead_ref($lead), $data['lead_ref']);
        self::assertSame('https://cal.com/sunny-solar/roof-survey?name=Grace%20Hopper&email=grace%40example.org&metadata%5Blead_id%5D=' . $lead . '&metadata%5Blead_ref%5D=' . $data['lead_ref'], $data['booking_url']);
        self::assertSame($data['booking_url'], solar_capture_booking_url($lead));
        self::assertSame('Grace Hopper', self::title($lead));
        self::assertSame(['grace@example.org', 'new', '+44 20 7946 0018', 'SW1A 1AA'], [self::meta($lead, Lead::META_EMAIL), self::meta($lead, Lead::META_STATUS), self::meta($lead, Lead::META_PHONE), self::meta($lead, Lead::META_POSTCODE)]);
        self::assertSame(self::VALID['answers'], json_decode(self::meta($lead, Lead::META_FORM_ANSWERS), true));
        self::assertSame('FORM_SUBMITTED', $this->timeline($lead)[0]->trigger_event);
        self::assertSame($lead, $this->plugin->lead_index->find_by_email('grace@example.org'));

        // Form-encoded, as a plain HTML form posts it.
        $form = $this->submit(['name' => 'Ada', 'email' => 'ada@example.org'], 'application/x-www-form-urlencoded');
        self::assertSame(201, $form->get_status());
    }

    /** @return iterable<string, array{array<string, mixed>, string}> */
    public static function badInput(): iterable
    {
        yield 'no name' => [['name' => '  '] + self::VALID, 'solar_capture_invalid_name'];
        yield 'no e-mail' => [['email' => ''] + self::VALID, 'solar_capture_invalid_email'];
        yield 'not an e-mail' => [['email' => 'grace at example'] + self::VALID, 'solar_capture_invalid_email'];
        yield 'letters in the phone' => [['phone' => 'call me'] + self::VALID, 'solar_capture_invalid_phone'];
        yield 'name too long' => [['name' => str_repeat('x', 201)] + self::VALID, 'solar_capture_invalid_name'];
        yield 'address too long' => [['postcode' => str_repeat('x', 201)] + self::VALID, 'solar_capture_invalid_postcode'];
        yield 'answer too long' => [['answers' => ['notes' => str_repeat('x', 501)]] + self::VALID, 'solar_capture_invalid_answers'];
        yield 'answers not a list' => [['answers' => 'yes'] + self::VALID, 'solar_capture_invalid_answers'];
        yield 'honeypot filled' => [['website' => 'http://spam.example'] + self::VALID, 'solar_capture_invalid_spam'];
    }

    /**
     * @dataProvider badInput
     * @param array<string, mixed> $fields
     */
    public function testBadInputIs400NamingTheFieldAndStoresNothing(array $fields, string $code): void
    {
        $response = $this->submit($fields);
        self::assertSame(400, $response->get_status());
        self::assertSame($code, $response->get_data()['code']);
        self::assertGreaterThan(15, strlen($response->get_data()['message']));
        self::assertSame([], self::leadIds());
    }

    public function testAnEmailThatHasALeadUpdatesItWithoutASecondOneOrSayingSo(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z'))->get_data()['lead_id'];
        $response = $this->submit(['name' => 'Somebody Else', 'email' => 'ANA.MUELLER@example.com', 'postcode' => '10115 Berlin']);
        self::assertSame(201, $response->get_status());
        self::assertSame(['lead_id', 'lead_ref', 'booking_url'], array_keys($response->get_data()), 'the same answer as for a new lead');
        self::assertSame([$lead], self::leadIds());
        self::assertSame('Ana Müller', self::title($lead), 'the name stays');
        self::assertSame('booked', self::meta($lead, Lead::META_STATUS), 'a booked lead stays booked');
        self::assertSame('10115 Berlin', self::meta($lead, Lead::META_POSTCODE));
        self::assertSame(['BOOKING_CREATED', 'FORM_SUBMITTED'], array_map(static fn ($e) => $e->trigger_event, $this->timeline($lead)));
    }

    public function testMarkupInEveryFieldIsStoredAsText(): void
    {
        $script = '<script>alert(1)</script>';
        $response = $this->submit(['name' => $script, 'email' => 'x@example.org', 'postcode' => $script, 'answers' => ['notes' => $script]]);
        self::assertSame(201, $response->get_status());
        $lead = $response->get_data()['lead_id'];
        self::assertSame($script, self::title($lead));
        self::assertSame($script, self::meta($lead, Lead::META_POSTCODE));
        self::assertStringContainsString('%3Cscript%3E', $response->get_data()['booking_url'], 'encoded in the link');
    }

    public function testOneClientSendingTooManyGets429(): void
    {
        $this->hook('solar_capture_form_rate_limit', static fn (): int => 2, 20);
        // A client of its own: other suites (HTTP) count against 127.0.0.1 for real.
        $address = $_SERVER['REMOTE_ADDR'];
        $_SERVER['REMOTE_ADDR'] = '203.0.113.' . random_int(1, 254);
        try {
            $this->sendThree();
        } finally {
            $_SERVER['REMOTE_ADDR'] = $address;
        }
        self::assertCount(2, self::leadIds());
    }

    private function sendThree(): void
    {
        self::assertSame(201, $this->submit(['email' => 'a1@example.org'] + self::VALID)->get_status());
        self::assertSame(201, $this->submit(['email' => 'a2@example.org'] + self::VALID)->get_status());
        $third = $this->submit(['email' => 'a3@example.org'] + self::VALID);
        self::assertSame(429, $third->get_status());
        self::assertSame('solar_capture_too_many_requests', $third->get_data()['code']);
    }

    /** The booking step: a booking through the answer's link lands on the lead, even by somebody else's e-mail. */
    public function testABookingThroughTheLinkLandsOnTheLeadAndKeepsItsContact(): void
    {
        $data = $this->submit(self::VALID)->get_data();
        $booking = self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', [
            'metadata' => ['lead_id' => (string) $data['lead_id'], 'lead_ref' => $data['lead_ref']],
            'attendees' => [['name' => 'G. Hopper (office)', 'email' => 'office@hopper.example', 'timeZone' => 'Europe/London']],
        ]);
        $answer = self::assertResult($this->deliver($booking), 'accepted');
        self::assertSame($data['lead_id'], $answer['lead_id']);
        self::assertSame('booked', self::meta($data['lead_id'], Lead::META_STATUS));
        self::assertSame(['Grace Hopper', 'grace@example.org', 'office@hopper.example'], [self::title($data['lead_id']), self::meta($data['lead_id'], Lead::META_EMAIL), self::meta($data['lead_id'], Lead::META_BOOKING_EMAIL)]);
        self::assertCount(1, self::leadIds());

        // The same booking link without the reference does not touch the lead.
        $unsigned = self::booking('BOOKING_CREATED', '2025-03-02T10:00:00Z', [
            'uid' => 'uid-other',
            'metadata' => ['lead_id' => (string) $data['lead_id']],
            'attendees' => [['name' => 'Mallory', 'email' => 'mallory@example.net']],
        ]);
        self::assertNotSame($data['lead_id'], self::assertResult($this->deliver($unsigned), 'accepted')['lead_id']);
    }

    public function testNoEventTypeConfiguredGivesNoLinkAndAFullUrlIsKept(): void
    {
        update_option(Booking_Link::OPTION, '');
        self::assertSame('', $this->submit(self::VALID)->get_data()['booking_url']);
        update_option(Booking_Link::OPTION, 'https://cal.installer.example/team/survey?layout=month_view');
        $url = solar_capture_booking_url(self::leadIds()[0]);
        self::assertStringStartsWith('https://cal.installer.example/team/survey?layout=month_view&name=Grace%20Hopper&', $url);
    }

    public function testTheFirstTouchIsKeptOnTheLeadAndTheListFiltersBySource(): void
    {
        global $wpdb;
        $source = ['utm_source' => 'Newsletter', 'utm_campaign' => 'spring', 'landing' => '/solar-quote?utm_source=Newsletter', 'evil' => 'x'];
        $lead = $this->submit(['source' => $source] + self::VALID)->get_data()['lead_id'];
        self::assertSame(['utm_source' => 'Newsletter', 'utm_campaign' => 'spring', 'landing' => '/solar-quote?utm_source=Newsletter'], json_decode(self::meta($lead, Lead::META_SOURCE), true), 'known keys only');
        // A later enquiry of the same person does not change where they first came from.
        $this->submit(['source' => ['utm_source' => 'google']] + self::VALID);
        self::assertSame('Newsletter', json_decode(self::meta($lead, Lead::META_SOURCE), true)['utm_source']);

        $other = $this->submit(['email' => 'ref@example.org', 'source' => json_encode(['referrer' => 'https://www.solar-forum.example/thread/1'])] + self::VALID)->get_data()['lead_id'];
        self::assertEqualsCanonicalizing(['newsletter', 'solar-forum.example'], $this->plugin->lead_index->sources());
        $where = $this->plugin->lead_index->list_clauses('', '', '', [], null, 'solar-forum.example')['condition'];
        self::assertSame([(string) $other], $wpdb->get_col("SELECT lead_id FROM {$this->plugin->lead_index->table()} WHERE {$where}"));
        self::assertSame('google ads', Lead_Capture::source_label(['gclid' => 'abc']));
        self::assertSame('direct', Lead_Capture::source_label(['landing' => '/']));
        self::assertSame('', Lead_Capture::source_label([]));
    }
}
