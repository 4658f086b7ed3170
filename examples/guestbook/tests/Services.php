<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Config;
use Guestbook\Schema;

/** The services the tests need, checked once by the bootstrap. */
final class Services
{
    /** Why the migrations could not run, or null when they did. */
    public static ?string $migrationError = null;

    public static function prepare(): void
    {
        $config = Config::fromEnvironment();
        $deadline = microtime(true) + 5.0;
        while (true) {
            try {
                Schema::setUp($config);
                self::$migrationError = null;
                return;
            } catch (\Throwable $e) {
                self::$migrationError = sprintf('%s: %s', get_class($e), trim($e->getMessage()));
                if (microtime(true) > $deadline) {
                    return;
                }
                usleep(200000);
            }
        }
    }

    public static function describePostgres(Config $config): string
    {
        return sprintf(
            'PostgreSQL at %s:%d, user %s, database %s (PGHOST, PGPORT or POSTGRES_PORT, PGUSER, PGDATABASE)',
            $config->pgHost,
            $config->pgPort,
            $config->pgUser,
            $config->pgDatabase,
        );
    }

    public static function describeRedis(Config $config): string
    {
        return sprintf('Redis at %s:%d (REDIS_HOST, REDIS_PORT)', $config->redisHost, $config->redisPort);
    }
}
