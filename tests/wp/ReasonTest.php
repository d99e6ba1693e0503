<?php
/**
 * The reason catalogue: every code has words, refusals have their HTTP status and REST error code, and
 * the screens and answers take their sentences from it.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\WP;

use SolarCapture\Plugin\Pipeline\Delivery_Outcome;
use SolarCapture\Plugin\Pipeline\Reason;
use SolarCapture\Plugin\Webhook\Webhook_Controller;

final class ReasonTest extends TestCase
{
    public function testEveryCodeHasALabelAndCodesAreUniqueColumnValues(): void
    {
        $codes = Reason::codes();
        self::assertSame(array_values(array_unique($codes)), $codes);
        $constants = (new \ReflectionClass(Reason::class))->getConstants();
        foreach ($constants as $name => $value) {
            if (is_string($value)) {
                self::assertContains($value, $codes, "Reason::$name has words");
            }
        }
        foreach ($codes as $code) {
            self::assertMatchesRegularExpression('/\A[a-z_]{2,32}\z/', $code, 'fits reason_code varchar(32)');
            self::assertNotSame('', Reason::label($code), $code);
        }
        self::assertSame('', Reason::label('no_such_code'));
    }

    public function testEveryRefusalNamesItsFixAndHasAnErrorStatus(): void
    {
        foreach (array_merge(Reason::BEFORE_SIGNATURE, [Reason::NOT_JSON, Reason::NOT_AN_EVENT, Reason::CUSTOM_TEMPLATE, Reason::STORAGE_UNAVAILABLE, Reason::ENGINE_ERROR, Reason::PROCESSING_FAILED]) as $code) {
            self::assertGreaterThanOrEqual(400, Reason::http_status($code), $code);
            self::assertGreaterThan(30, strlen(Reason::fix($code)), "$code names a fix");
        }
        foreach ([Reason::PING, Reason::APPLIED, Reason::DUPLICATE, Reason::NO_MATCHING_LEAD, Reason::NO_LEAD_EFFECT] as $code) {
            self::assertSame(200, Reason::http_status($code), $code);
        }
        self::assertSame([413, 503, 401, 401, 401, 401], array_map([Reason::class, 'http_status'], Reason::BEFORE_SIGNATURE));
    }

    public function testTheAnswerIsBuiltFromTheOutcomeAlone(): void
    {
        $error = Webhook_Controller::answer(new Delivery_Outcome('rejected', Reason::NOT_JSON, 9, null, null, false, false, null, 'body: expected a value at byte 3'));
        self::assertInstanceOf(\WP_Error::class, $error);
        self::assertSame('solar_capture_not_json', $error->get_error_code());
        self::assertSame(['status' => 400], $error->get_error_data());
        self::assertSame(Reason::sentence(Reason::NOT_JSON, 'body: expected a value at byte 3'), $error->get_error_message());
        self::assertStringContainsString('expected a value at byte 3', $error->get_error_message(), 'the engine\'s words are kept');

        $failed = Webhook_Controller::answer(new Delivery_Outcome('failed', Reason::STORAGE_UNAVAILABLE, 12));
        self::assertSame(['status' => 503, 'delivery_id' => 12], $failed->get_error_data());

        $duplicate = Webhook_Controller::answer(new Delivery_Outcome('duplicate', Reason::DUPLICATE, 13, 'BOOKING_CREATED', null, false, false, 4));
        self::assertInstanceOf(\WP_REST_Response::class, $duplicate);
        self::assertSame(['result' => 'duplicate', 'reason' => 'duplicate', 'duplicate' => true, 'delivery_id' => 13, 'trigger' => 'BOOKING_CREATED', 'duplicate_of' => 4], array_diff_key($duplicate->get_data(), ['message' => 1]));
    }

    public function testTheCustomTemplateSentenceIsTheSameInTheAnswerTheLogAndTheNotice(): void
    {
        self::loginAs('administrator');
        $answer = $this->deliver('false');
        self::assertError($answer, 422, 'solar_capture_custom_template');
        $row = $this->lastDelivery();
        $sentence = Reason::sentence(Reason::CUSTOM_TEMPLATE);
        self::assertStringStartsWith(Reason::label(Reason::CUSTOM_TEMPLATE), $answer->get_data()['message']);
        self::assertStringEndsWith(Reason::fix(Reason::CUSTOM_TEMPLATE), $answer->get_data()['message']);
        self::assertStringEndsWith(Reason::fix(Reason::CUSTOM_TEMPLATE), \SolarCapture\Plugin\Admin\Delivery_Log::explain($row));
        $notices = array_column($this->plugin->notices->notices(), 'message', 'id');
        self::assertSame($sentence, $notices['custom_template']);
    }
}
