<?php
/**
 * A logged-in wp-admin session over real HTTP: logs in through wp-login.php with a cookie jar, then
 * GETs admin pages with those cookies, each on a fresh connection (as Curl_Transport sends, so request
 * times compare). Used by tests/bench/scale.php; require it next to load.php.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Support;

final class Admin_Session
{
    /** @param string $cookie The Cookie header value of the session. */
    private function __construct(private readonly string $site, private readonly string $cookie)
    {
    }

    /**
     * Logs in (user and password of scripts/stack.sh env by default).
     *
     * @throws \RuntimeException When WordPress does not hand out a logged-in cookie.
     */
    public static function login(?string $site_url = null, ?string $user = null, ?string $password = null): self
    {
        $site = rtrim($site_url ?? (string) getenv('SC_URL'), '/');
        $handle = curl_init();
        curl_setopt_array($handle, [
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 30,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_COOKIEFILE => '', // the in-memory cookie engine: wordpress_test_cookie, then the auth cookies
        ]);
        curl_setopt($handle, CURLOPT_URL, "$site/wp-login.php");
        curl_exec($handle);
        curl_setopt_array($handle, [
            CURLOPT_URL => "$site/wp-login.php",
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => http_build_query([
                'log' => $user ?? (string) getenv('SC_ADMIN_USER'),
                'pwd' => $password ?? (string) getenv('SC_ADMIN_PASSWORD'),
                'wp-submit' => 'Log In',
                'redirect_to' => "$site/wp-admin/",
                'testcookie' => '1',
            ]),
        ]);
        curl_exec($handle);
        $status = (int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE);
        $pairs = [];
        $logged_in = false;
        foreach (curl_getinfo($handle, CURLINFO_COOKIELIST) ?: [] as $line) {
            // Netscape format: domain, subdomains, path, secure, expiry, name, value.
            $fields = explode("\t", (string) $line);
            if (count($fields) >= 7) {
                $pairs[$fields[5]] = $fields[5] . '=' . $fields[6];
                $logged_in = $logged_in || str_starts_with($fields[5], 'wordpress_logged_in_');
            }
        }
        curl_close($handle);
        if (302 !== $status || !$logged_in) {
            throw new \RuntimeException("wp-login.php answered HTTP $status without a logged-in cookie: wrong SC_ADMIN_USER/SC_ADMIN_PASSWORD?");
        }
        return new self($site, implode('; ', $pairs));
    }

    /** GETs a page of the site (a path like /wp-admin/edit.php?post_type=solar_lead) as the logged-in user. */
    public function get(string $path): Http_Answer
    {
        $handle = curl_init($this->site . $path);
        curl_setopt_array($handle, [
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 60,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_COOKIE => $this->cookie,
        ]);
        $start = hrtime(true);
        $body = (string) curl_exec($handle);
        $answer = new Http_Answer((int) curl_getinfo($handle, CURLINFO_RESPONSE_CODE), $body, (hrtime(true) - $start) / 1e6);
        curl_close($handle);
        return $answer;
    }
}
