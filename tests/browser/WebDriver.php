<?php
/**
 * A minimal W3C WebDriver client (JSON over HTTP with curl) for chromedriver: only what the browser
 * test needs, no third-party package.
 */
declare(strict_types=1);

namespace SolarCapture\Tests\Browser;

final class WebDriverError extends \RuntimeException
{
    public function __construct(public readonly string $error, string $message)
    {
        parent::__construct("$error: $message");
    }
}

final class WebDriver
{
    private const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

    private string $session = '';

    /** @param array<string, mixed> $capabilities alwaysMatch capabilities */
    public function __construct(private string $base, array $capabilities)
    {
        $value = $this->call('POST', '/session', ['capabilities' => ['alwaysMatch' => $capabilities]]);
        $this->session = (string) $value['sessionId'];
    }

    public function quit(): void
    {
        if ('' !== $this->session) {
            try {
                $this->call('DELETE', "/session/{$this->session}");
            } finally {
                $this->session = '';
            }
        }
    }

    public function go(string $url): void
    {
        $this->cmd('POST', '/url', ['url' => $url]);
    }

    public function url(): string
    {
        return (string) $this->cmd('GET', '/url');
    }

    public function source(): string
    {
        return (string) $this->cmd('GET', '/source');
    }

    /** Element id of the first match, or null. */
    public function find(string $css): ?string
    {
        $found = $this->cmd('POST', '/elements', ['using' => 'css selector', 'value' => $css]);
        return isset($found[0][self::ELEMENT]) ? (string) $found[0][self::ELEMENT] : null;
    }

    /** @return list<string> Element ids. */
    public function findAll(string $css): array
    {
        $found = $this->cmd('POST', '/elements', ['using' => 'css selector', 'value' => $css]);
        return array_map(static fn (array $e): string => (string) $e[self::ELEMENT], $found);
    }

    /** Element id of the first match; fails when there is none after $seconds. */
    public function waitFor(string $css, float $seconds = 10.0): string
    {
        $deadline = microtime(true) + $seconds;
        do {
            $id = $this->find($css);
            if (null !== $id) {
                return $id;
            }
            usleep(100_000);
        } while (microtime(true) < $deadline);
        throw new \RuntimeException("no element matches '$css' after {$seconds}s on " . $this->url());
    }

    /** Waits until a JavaScript expression is truthy. */
    public function waitUntil(string $expression, float $seconds = 15.0): void
    {
        $deadline = microtime(true) + $seconds;
        do {
            try {
                if ($this->js("return !!($expression);")) {
                    return;
                }
            } catch (WebDriverError $e) {
                // A navigation in progress can make the script fail: try again.
            }
            usleep(100_000);
        } while (microtime(true) < $deadline);
        throw new \RuntimeException("'$expression' is still false after {$seconds}s on " . $this->url());
    }

    public function click(string $element): void
    {
        $this->cmd('POST', "/element/$element/click", []);
    }

    public function type(string $element, string $text): void
    {
        $this->cmd('POST', "/element/$element/clear", []);
        $this->cmd('POST', "/element/$element/value", ['text' => $text]);
    }

    /** Visible text of an element. */
    public function text(string $element): string
    {
        return (string) $this->cmd('GET', "/element/$element/text");
    }

    /** A DOM property (e.g. value) of an element. */
    public function property(string $element, string $name): mixed
    {
        return $this->cmd('GET', "/element/$element/property/$name");
    }

    /** @param list<mixed> $args */
    public function js(string $script, array $args = []): mixed
    {
        return $this->cmd('POST', '/execute/sync', ['script' => $script, 'args' => $args]);
    }

    /** The text of the open JavaScript dialog (alert, confirm, prompt), or null when none is open. */
    public function dialogText(): ?string
    {
        try {
            return (string) $this->cmd('GET', '/alert/text');
        } catch (WebDriverError $e) {
            if ('no such alert' === $e->error) {
                return null;
            }
            throw $e;
        }
    }

    /**
     * Writes a PNG of the viewport. With GD (php-gd, which Debian's wordpress package depends on) the
     * image is reduced to a 256-colour palette: wp-admin has few colours, and the files are for the
     * repository.
     */
    public function screenshot(string $file): int
    {
        $png = base64_decode((string) $this->cmd('GET', '/screenshot'), true);
        if (false === $png) {
            throw new \RuntimeException('the screenshot is not base64');
        }
        if (function_exists('imagecreatefromstring')) {
            $image = imagecreatefromstring($png);
            if (false !== $image && imagetruecolortopalette($image, false, 256)) {
                ob_start();
                imagepng($image, null, 9);
                $png = (string) ob_get_clean();
            }
        }
        if (false === file_put_contents($file, $png)) {
            throw new \RuntimeException("could not write $file");
        }
        return strlen($png);
    }

    /** @param array<string, mixed>|null $body */
    private function cmd(string $method, string $path, ?array $body = null): mixed
    {
        return $this->call($method, "/session/{$this->session}$path", $body);
    }

    /** @param array<string, mixed>|null $body */
    private function call(string $method, string $path, ?array $body = null): mixed
    {
        $curl = curl_init($this->base . $path);
        curl_setopt_array($curl, [
            CURLOPT_CUSTOMREQUEST => $method,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_TIMEOUT => 120,
            CURLOPT_HTTPHEADER => ['Content-Type: application/json; charset=utf-8'],
        ]);
        if (null !== $body) {
            curl_setopt($curl, CURLOPT_POSTFIELDS, json_encode($body, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | (array() === $body ? JSON_FORCE_OBJECT : 0)));
        }
        $answer = curl_exec($curl);
        $error = curl_error($curl);
        curl_close($curl);
        if (!is_string($answer)) {
            throw new \RuntimeException("WebDriver $method $path: $error");
        }
        $data = json_decode($answer, true);
        if (!is_array($data) || !array_key_exists('value', $data)) {
            throw new \RuntimeException("WebDriver $method $path answered: " . substr($answer, 0, 500));
        }
        if (is_array($data['value']) && isset($data['value']['error'])) {
            throw new WebDriverError((string) $data['value']['error'], (string) ($data['value']['message'] ?? ''));
        }
        return $data['value'];
    }
}
