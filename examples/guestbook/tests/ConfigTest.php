<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Config;
use PHPUnit\Framework\TestCase;

/** Settings from the environment (no services needed). */
final class ConfigTest extends TestCase
{
    public function testLibpqVariablesAndRedisPortAreRead(): void
    {
        $config = Config::fromEnvironment([
            'PGHOST' => 'db.internal', 'PGPORT' => '6543', 'PGUSER' => 'app', 'PGPASSWORD' => 'secret',
            'PGDATABASE' => 'book', 'POSTGRES_PORT' => '1111', 'REDIS_HOST' => 'cache', 'REDIS_PORT' => '7000',
            'SIGN_RATE_LIMIT' => '3', 'SIGN_RATE_WINDOW' => '30', 'APP_ENV' => 'test',
        ]);
        $this->assertSame(
            ['db.internal', 6543, 'app', 'secret', 'book', 'cache', 7000, 'guestbook:', 3, 30, 'test'],
            [$config->pgHost, $config->pgPort, $config->pgUser, $config->pgPassword, $config->pgDatabase, $config->redisHost,
             $config->redisPort, $config->redisPrefix, $config->signLimit, $config->signWindow, $config->appEnv],
        );
    }

    public function testAnEmptyPgportFallsBackToPostgresPort(): void
    {
        // The production image: PGPORT was empty at build time, POSTGRES_PORT comes with `podman run -e`.
        $this->assertSame(47549, Config::fromEnvironment(['PGPORT' => '', 'POSTGRES_PORT' => '47549'])->pgPort);
        $this->assertSame(47549, Config::fromEnvironment(['PGPORT' => '$POSTGRES_PORT', 'POSTGRES_PORT' => '47549'])->pgPort);
    }

    public function testDefaults(): void
    {
        $config = Config::fromEnvironment([]);
        $this->assertSame(
            ['127.0.0.1', 5432, 'guestbook', null, 'guestbook', '127.0.0.1', 6379, 'guestbook:', 10, 60, 'prod'],
            [$config->pgHost, $config->pgPort, $config->pgUser, $config->pgPassword, $config->pgDatabase, $config->redisHost,
             $config->redisPort, $config->redisPrefix, $config->signLimit, $config->signWindow, $config->appEnv],
        );
    }

    public function testWithChangesOnlyTheGivenSettings(): void
    {
        $config = Config::fromEnvironment(['REDIS_PORT' => '7000']);
        $changed = $config->with(['redisPrefix' => 'other:']);
        $this->assertSame('other:', $changed->redisPrefix);
        $this->assertSame(7000, $changed->redisPort);
        $this->assertSame('guestbook:', $config->redisPrefix);
    }
}
