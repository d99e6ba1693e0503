<?php
/** php/solar_capture.stub.php declares exactly what the loaded extension exposes. */
declare(strict_types=1);

namespace SolarCapture\Tests;

use PHPUnit\Framework\TestCase;

/** @group native */
final class StubTest extends TestCase
{
    private const DESCRIBE = <<<'PHP'
        $out = [];
        foreach (['verify_signature', 'matching_secret', 'normalize_payload', 'version'] as $f) {
            $r = new ReflectionFunction("SolarCapture\\$f");
            $out['functions'][$f] = [
                'params' => array_map(static fn ($p) => [$p->getName(), (string) $p->getType(), $p->isOptional(), $p->isPassedByReference()], $r->getParameters()),
                'returns' => (string) $r->getReturnType(),
            ];
        }
        $c = new ReflectionClass('SolarCapture\PayloadException');
        $out['exception'] = ['parent' => $c->getParentClass()->getName(), 'constants' => $c->getConstants(), 'final' => $c->isFinal()];
        echo json_encode($out);
        PHP;

    public function testStubMatchesTheExtension(): void
    {
        $native = json_decode($this->describe('-d extension=' . escapeshellarg(self::extensionPath()), 'true'), true);
        $stub = json_decode($this->describe('', 'require ' . var_export(dirname(__DIR__, 2) . '/php/solar_capture.stub.php', true)), true);
        self::assertNotEmpty($native['functions']);
        self::assertSame($native, $stub);
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
