<?php
/** Sends a Signed_Delivery in this process, through rest_do_request() of the loaded WordPress. */
declare(strict_types=1);

namespace SolarCapture\Tests\Support;

final class Rest_Transport
{
    public const ROUTE = '/solar-capture/v1/calcom-webhook';

    public static function post(Signed_Delivery $delivery, string $route = self::ROUTE): \WP_REST_Response
    {
        $request = new \WP_REST_Request('POST', $route);
        foreach ($delivery->headers as $name => $value) {
            $request->set_header($name, $value);
        }
        $request->set_body($delivery->body);
        return rest_do_request($request);
    }
}
