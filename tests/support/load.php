<?php
/**
 * The shared test support, loaded with plain require_once (no Composer) by tests/wp, tests/e2e,
 * tests/bench/http.php, tests/browser/admin_flow.php and scripts/demo-site.php:
 * Bookings (the webhook bodies), Signed_Delivery (body + Cal.com's headers), sent by Rest_Transport
 * (in process) or Curl_Transport (over HTTP, answering Http_Answer); Fake_Calcom (Cal.com's API v2, stateful).
 */
declare(strict_types=1);

require_once __DIR__ . '/Bookings.php';
require_once __DIR__ . '/Signed_Delivery.php';
require_once __DIR__ . '/Rest_Transport.php';
require_once __DIR__ . '/Http_Answer.php';
require_once __DIR__ . '/Curl_Transport.php';
require_once __DIR__ . '/Fake_Calcom.php';
