<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * Connection settings and limits, from the environment Slipway provides.
 *
 * PostgreSQL: libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE (PGPORT falls back to
 * POSTGRES_PORT, the service's port, which the production images get with `-e`).
 * Redis: REDIS_HOST (default 127.0.0.1), REDIS_PORT, and REDIS_PREFIX, the prefix of every key
 * (default "guestbook:").
 * Signing: at most SIGN_RATE_LIMIT signatures per client in SIGN_RATE_WINDOW seconds.
 */
final class Config
{
    public function __construct(
        public readonly string $pgHost = '127.0.0.1',
        public readonly int $pgPort = 5432,
        public readonly string $pgUser = 'guestbook',
        public readonly ?string $pgPassword = null,
        public readonly string $pgDatabase = 'guestbook',
        public readonly string $redisHost = '127.0.0.1',
        public readonly int $redisPort = 6379,
        /** Prepended to every Redis key: the app's keys never collide with another's. */
        public readonly string $redisPrefix = 'guestbook:',
        public readonly int $signLimit = 10,
        public readonly int $signWindow = 60,
        public readonly string $appEnv = 'prod',
        /** Seconds to wait for a connection to PostgreSQL or Redis. */
        public readonly float $connectTimeout = 2.0,
    ) {
    }

    /** @param array<string,string>|null $env the variables; default the process's (getenv()) */
    public static function fromEnvironment(?array $env = null): self
    {
        $env ??= getenv();
        $get = static function (string ...$names) use ($env): ?string {
            foreach ($names as $name) {
                $value = $env[$name] ?? '';
                if ($value !== '') {
                    return $value;
                }
            }
            return null;
        };
        $port = static function (string ...$names) use ($env, $get): ?int {
            foreach ($names as $name) {
                $value = $get($name);
                if ($value !== null && ctype_digit($value)) {
                    return (int) $value;
                }
            }
            return null;
        };
        return new self(
            pgHost: $get('PGHOST') ?? '127.0.0.1',
            pgPort: $port('PGPORT', 'POSTGRES_PORT') ?? 5432,
            pgUser: $get('PGUSER') ?? 'guestbook',
            pgPassword: $get('PGPASSWORD'),
            pgDatabase: $get('PGDATABASE') ?? 'guestbook',
            redisHost: $get('REDIS_HOST') ?? '127.0.0.1',
            redisPort: $port('REDIS_PORT') ?? 6379,
            redisPrefix: $get('REDIS_PREFIX') ?? 'guestbook:',
            signLimit: $port('SIGN_RATE_LIMIT') ?? 10,
            signWindow: max(1, $port('SIGN_RATE_WINDOW') ?? 60),
            appEnv: $get('APP_ENV') ?? 'prod',
        );
    }

    /** @param array<string,mixed> $changes constructor arguments by name */
    public function with(array $changes): self
    {
        return new self(...array_merge(get_object_vars($this), $changes));
    }
}
