<?php
/** php/solar_capture.stub.php declares exactly what the loaded extension exposes. */
declare(strict_types=1);

namespace SolarCapture\Tests;

use PHPUnit\Framework\TestCase;

/** @group native */
final class StubTest extends TestCase
{
    /** Runs after a prelude that sets $functions: the names of the functions to describe. */
    private const DESCRIBE = <<<'PHP'
        $out = [];
        foreach ($functions as $f) {
            $r = new ReflectionFunction($f);
            $out['functions'][$r->getName()] = [
                'params' => array_map(static fn ($p) => [$p->getName(), (string) $p->getType(), $p->isOptional(), $p->isPassedByReference()], $r->getParameters()),
                'returns' => (string) $r->getReturnType(),
            ];
        }
        ksort($out['functions']);
        $c = new ReflectionClass('SolarCapture\PayloadException');
        $out['exception'] = ['parent' => $c->getParentClass()->getName(), 'constants' => $c->getConstants(), 'final' => $c->isFinal()];
        echo json_encode($out);
        PHP;

    public function testStubMatchesTheExtension(): void
    {
        $native = json_decode($this->describe(
            '-d extension=' . escapeshellarg(self::extensionPath()),
            '$functions = get_extension_funcs("solar_capture")'
        ), true);
        $stub = json_decode($this->describe(
            '',
            'require ' . var_export(dirname(__DIR__, 2) . '/php/solar_capture.stub.php', true)
                . '; $functions = get_defined_functions()["user"]'
        ), true);
        self::assertCount(6, $native['functions']);
        self::assertSame($native, $stub);
    }

    /** `php --ri solar_capture` shows the version and whether SHA-256 runs on hardware, as engine_info() says. */
    public function testInfoShowsVersionAndSha256Hardware(): void
    {
        $cmd = sprintf('%s -n -d extension=%s --ri solar_capture 2>&1', escapeshellarg(PHP_BINARY), escapeshellarg(self::extensionPath()));
        $out = (string) shell_exec($cmd);
        $info = \SolarCapture\engine_info();
        self::assertStringContainsString('version => ' . $info['version'], $out);
        self::assertMatchesRegularExpression('/^SHA-256 hardware instructions => ' . ($info['sha256_hardware'] ? 'yes' : 'no') . '\b/m', $out);
    }

    private static function extensionPath(): string
    {
        return getenv('SOLAR_CAPTURE_SO') ?: dirname(__DIR__, 2) . '/target/release/libsolar_capture.so';
    }

    private function describe(string $flags, string $prelude): string
    {
        $cmd = sprintf('%s -n %s -r %s 2>&1', escapeshellarg(PHP_BINARY), $flags, escapeshellarg($prelude . ';' . self::DESCRIBE));
        $out = (string) shell_exec($cmd);
        self::assertJson($out, $out);
        return $out;
    }
}
