<?php
/**
 * The enquiry form ([solar_capture_form], block solar-capture/lead-form): labelled fields and questions,
 * a plain POST without JavaScript (errors beside their fields, values kept, then the booking step), the
 * fill-time, question and consent checks, and everything shown back escaped.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Capture\Booking_Link;
use SolarCapture\Plugin\Capture\Form_Settings;
use SolarCapture\Plugin\Leads\Lead_Post_Type as Lead;

final class LeadFormTest extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        update_option(Booking_Link::OPTION, 'sunny-solar/roof-survey');
        $this->hook('solar_capture_form_rate_limit', static fn (): int => 1000);
    }

    /** A "form shown at" token from $seconds ago, as the form would have sent it. */
    private static function startedAgo(int $seconds): string
    {
        $time = (string) (time() - $seconds);
        return $time . '.' . substr(hash_hmac('sha256', 'solar-capture-form:' . $time, (string) get_option('solar_capture_lead_key')), 0, 16);
    }

    /** @param array<string, mixed> $post */
    private function postForm(array $post): string
    {
        $this->request([], ['solar_capture' => $post + ['form' => 'solar-capture', 'started' => self::startedAgo(10)]]);
        $method = $_SERVER['REQUEST_METHOD'] ?? 'GET';
        $_SERVER['REQUEST_METHOD'] = 'POST';
        try {
            $this->plugin->lead_form->handle_plain_post();
        } finally {
            $_SERVER['REQUEST_METHOD'] = $method;
        }
        return do_shortcode('[solar_capture_form]');
    }

    public function testTheFormHasLabelledFieldsTheQuestionsAHoneypotAndWorksWithoutJavaScript(): void
    {
        $html = do_shortcode('[solar_capture_form]');
        foreach (['name', 'email', 'phone', 'postcode'] as $field) {
            self::assertMatchesRegularExpression('~<label for="solar-capture-' . $field . '">~', $html);
            self::assertStringContainsString('id="solar-capture-' . $field . '"', $html);
        }
        foreach (Form_Settings::default_questions() as $slug => $question) {
            self::assertStringContainsString('name="solar_capture[answers][' . $slug . ']"', $html);
            self::assertStringContainsString(esc_html($question['label']), $html);
        }
        self::assertStringContainsString('<form class="solar-capture-form" method="post"', $html, 'a plain POST without JavaScript');
        self::assertStringContainsString('name="solar_capture[website]"', $html);
        self::assertStringNotContainsString('name="name"', $html, 'no WordPress query variable as a field name (a plain POST would be looked up as a post slug)');
        self::assertStringContainsString('aria-hidden="true"', $html);
        self::assertMatchesRegularExpression('~name="solar_capture\[started\]" value="\d+\.[0-9a-f]{16}"~', $html);
        self::assertStringNotContainsString('[consent]', $html, 'no consent text configured: no checkbox');
        self::assertStringNotContainsString('<script src="http', $html, 'no external script');
        $block = render_block(['blockName' => 'solar-capture/lead-form', 'attrs' => [], 'innerBlocks' => [], 'innerHTML' => '', 'innerContent' => []]);
        self::assertStringContainsString('<form class="solar-capture-form"', $block, 'the block renders the same form');
        self::assertNotNull(\WP_Block_Type_Registry::get_instance()->get_registered('solar-capture/lead-form'));
    }

    public function testAPlainPostMakesTheLeadAndShowsTheBookingStep(): void
    {
        $html = $this->postForm(['name' => 'Grace Hopper', 'email' => 'grace@example.org', 'answers' => ['homeowner' => 'Yes', 'roof_type' => 'Flat']]);
        self::assertCount(1, self::leadIds());
        $lead = self::leadIds()[0];
        self::assertStringContainsString('Thank you. Your enquiry has arrived.', $html);
        self::assertStringContainsString('href="' . esc_url(solar_capture_booking_url($lead)) . '"', $html);
        self::assertStringNotContainsString('<form', $html);
        self::assertSame(['homeowner' => 'Yes', 'roof_type' => 'Flat'], json_decode(self::meta($lead, Lead::META_FORM_ANSWERS), true));
    }

    public function testAnErrorIsShownBesideItsFieldAndTheValuesAreKept(): void
    {
        $html = $this->postForm(['name' => '<b>Grace</b>', 'email' => 'not-an-address', 'answers' => ['homeowner' => 'Yes']]);
        self::assertSame([], self::leadIds());
        self::assertStringContainsString('id="solar-capture-email" type="email" name="solar_capture[email]" value="not-an-address"', $html);
        self::assertStringContainsString('aria-invalid="true" aria-describedby="solar-capture-email-error"', $html);
        self::assertMatchesRegularExpression('~<span class="solar-capture-form-error" id="solar-capture-email-error">Please enter a valid e-mail~', $html);
        self::assertStringContainsString('value="&lt;b&gt;Grace&lt;/b&gt;"', $html, 'kept, escaped');
        self::assertStringContainsString('<option value="Yes" selected=\'selected\'>', $html);
    }

    public function testARequiredQuestionAnAnswerNotOfferedAndMissingConsentAreRefused(): void
    {
        $base = ['name' => 'Grace', 'email' => 'grace@example.org'];
        self::assertStringContainsString('aria-describedby="solar-capture-answer-homeowner-error"', $this->postForm($base));
        self::assertStringContainsString('Please choose one of the answers offered', $this->postForm($base + ['answers' => ['homeowner' => 'Maybe']]));

        update_option(Form_Settings::CONSENT_OPTION, 'Sunny Solar may contact me about my enquiry.');
        $html = $this->postForm($base + ['answers' => ['homeowner' => 'No']]);
        self::assertStringContainsString('aria-describedby="solar-capture-consent-error"', $html);
        self::assertSame([], self::leadIds());

        $this->postForm($base + ['answers' => ['homeowner' => 'No'], 'consent' => '1']);
        $consent = json_decode(self::meta(self::leadIds()[0], Lead::META_CONSENT), true);
        self::assertSame('Sunny Solar may contact me about my enquiry.', $consent['text'], 'the text shown is kept');
        self::assertMatchesRegularExpression('/\A[0-9a-f]{24}\z/', $consent['client'], 'a keyed hash, not the address');
        self::assertStringNotContainsString('127.0.0.1', self::meta(self::leadIds()[0], Lead::META_CONSENT));
        self::assertEqualsWithDelta(time(), strtotime($consent['time']), 5);
    }

    public function testAFormSentFasterThanAPersonCanFillItInOrWithAForgedTokenIsRefused(): void
    {
        foreach ([self::startedAgo(0), (time() - 60) . '.0000000000000000', 'nonsense', ''] as $started) {
            $this->request([], ['solar_capture' => ['form' => 'solar-capture', 'started' => $started, 'name' => 'Bot', 'email' => 'bot@example.org', 'answers' => ['homeowner' => 'Yes']]]);
            $_SERVER['REQUEST_METHOD'] = 'POST';
            $this->plugin->lead_form->handle_plain_post();
            $_SERVER['REQUEST_METHOD'] = 'GET';
            self::assertStringContainsString('The form was sent too quickly', do_shortcode('[solar_capture_form]'), $started);
        }
        self::assertSame([], self::leadIds());
    }

    public function testTheLeadFormTabEditsTheEventTypeTheQuestionsAndTheConsent(): void
    {
        $questions = Form_Settings::sanitize_questions("Do you own the property? | Yes; No | required\nRoof size in m²\n\nBest time to call | Morning; Evening");
        self::assertSame([
            'do_you_own_the_property' => ['label' => 'Do you own the property?', 'choices' => ['Yes', 'No'], 'required' => true],
            'roof_size_in_m' => ['label' => 'Roof size in m²', 'choices' => [], 'required' => false],
            'best_time_to_call' => ['label' => 'Best time to call', 'choices' => ['Morning', 'Evening'], 'required' => false],
        ], $questions);
        update_option(Form_Settings::QUESTIONS_OPTION, $questions);
        self::assertSame("Do you own the property? | Yes; No | required\nRoof size in m²\nBest time to call | Morning; Evening", Form_Settings::questions_as_text(), 'shown as it was typed');
        self::assertStringContainsString('name="solar_capture[answers][roof_size_in_m]"', do_shortcode('[solar_capture_form]'));

        self::loginAs('administrator');
        $this->request(['tab' => 'form']);
        $html = self::capture([$this->plugin->settings_page, 'render']);
        self::assertStringContainsString('name="solar_capture_booking_link" value="sunny-solar/roof-survey"', $html);
        self::assertStringContainsString('Booking page: https://cal.com/sunny-solar/roof-survey', $html);
        self::assertStringContainsString('Do you own the property? | Yes; No | required', $html);
        self::assertStringContainsString("name='option_page' value='solar_capture_form'", $html);
        global $new_allowed_options, $allowed_options;
        $allowed = $allowed_options ?? $new_allowed_options ?? [];
        self::assertEqualsCanonicalizing(['solar_capture_booking_link', 'solar_capture_booking_origin', 'solar_capture_consent_text', 'solar_capture_form_questions', 'solar_capture_unbooked_hours', 'solar_capture_booking_mode'], $allowed['solar_capture_form'] ?? []);
    }

    public function testTheLeadScreenAndThePrivacyExportShowTheAnswersAndTheConsent(): void
    {
        update_option(Form_Settings::CONSENT_OPTION, 'Sunny Solar may contact me.');
        $this->postForm(['name' => 'Grace', 'email' => 'grace@example.org', 'postcode' => '<b>SW1A 1AA</b>', 'answers' => ['homeowner' => 'Yes', 'roof_type' => 'Flat'], 'consent' => '1']);
        $lead = self::leadIds()[0];
        self::loginAs('administrator');
        $html = self::capture(fn () => $this->plugin->lead_admin->render_booking(get_post($lead)));
        self::assertStringContainsString('<th scope="row">Do you own the property?</th><td>Yes</td>', $html, 'labelled by the question');
        self::assertStringContainsString('<th scope="row">Roof type</th><td>Flat</td>', $html);
        self::assertStringContainsString('&lt;b&gt;SW1A 1AA&lt;/b&gt;', $html, 'escaped');
        self::assertStringContainsString('Sunny Solar may contact me.', $html);
        $export = wp_json_encode($this->plugin->privacy->export_leads('grace@example.org'));
        self::assertStringContainsString('SW1A 1AA', $export);
        self::assertStringContainsString('homeowner', $export);
        self::assertStringContainsString('Sunny Solar may contact me.', $export);
    }

    public function testEachBookingsAnswersAreKeptOnTheTimelineAndShown(): void
    {
        $lead = $this->deliver(self::booking('BOOKING_CREATED', '2025-03-01T10:00:00Z', ['responses' => [
            'name' => ['label' => 'your_name', 'value' => 'Ana Müller'],
            'roof' => ['label' => 'Roof', 'value' => '<i>south</i>'],
            'battery' => ['label' => 'Battery?', 'value' => true],
        ]]))->get_data()['lead_id'];
        $this->deliver(self::booking('BOOKING_RESCHEDULED', '2025-03-02T10:00:00Z', ['uid' => 'uid-ana-2', 'rescheduleUid' => 'uid-ana-1', 'responses' => ['name' => ['value' => 'Ana Müller'], 'rescheduleReason' => ['value' => 'Holiday']]]));
        $timeline = $this->timeline($lead);
        self::assertSame([
            'name' => ['label' => 'your_name', 'answer' => 'Ana Müller'],
            'roof' => ['label' => 'Roof', 'answer' => '<i>south</i>'],
            'battery' => ['label' => 'Battery?', 'answer' => true],
        ], json_decode($timeline[0]->answers, true), 'under the questions of Cal.com\'s booking form');
        self::assertSame(['name' => ['label' => 'name', 'answer' => 'Ana Müller'], 'rescheduleReason' => ['label' => 'rescheduleReason', 'answer' => 'Holiday']], json_decode($timeline[1]->answers, true), 'per event; a field without a label keeps its name');
        self::loginAs('administrator');
        $html = self::capture(fn () => $this->plugin->lead_admin->render_timeline(get_post($lead)));
        self::assertStringContainsString('<dt>Roof</dt><dd>&lt;i&gt;south&lt;/i&gt;</dd>', $html);
        self::assertStringContainsString('<dt>Battery?</dt><dd>Yes</dd>', $html);
        self::assertStringContainsString('Holiday', wp_json_encode($this->plugin->privacy->export_leads('ana.mueller@example.com')));
    }

    public function testTheBookingStepHandsCalComsEmbedTheLinkAndItsParameters(): void
    {
        $html = $this->postForm(['name' => 'Grace Hopper', 'email' => 'grace@example.org', 'answers' => ['homeowner' => 'Yes']]);
        $lead = self::leadIds()[0];
        self::assertStringContainsString('data-cal-origin="https://cal.com" data-cal-link="sunny-solar/roof-survey" data-cal-script="https://app.cal.com/embed/embed.js"', $html);
        self::assertStringContainsString('data-booking-url="' . esc_attr(solar_capture_booking_url($lead)) . '"', $html, 'the embed is configured from the link');

        update_option(Booking_Link::OPTION, 'https://cal.installer.example:8443/team/survey');
        $this->hook('solar_capture_embed_script_url', static fn (string $url): string => 'http://127.0.0.1/embed-core/embed.js');
        self::assertSame(['origin' => 'https://cal.installer.example:8443', 'calLink' => 'team/survey', 'script' => 'http://127.0.0.1/embed-core/embed.js'], Booking_Link::embed());

        update_option(Booking_Link::MODE_OPTION, 'link');
        self::assertStringNotContainsString('data-cal-link', do_shortcode('[solar_capture_form]'), 'link only: no embed');
    }
}
