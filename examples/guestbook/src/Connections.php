<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * Opens the connections to PostgreSQL (PDO) and Redis (phpredis), once each and only when first
 * needed: `/health` can then report which of the two is down.
 */
final class Connections
{
    private ?\PDO $db = null;
    private ?\Redis $redis = null;

    /**
     * @param \Closure():\PDO $openDb
     * @param \Closure():\Redis $openRedis
     */
    public function __construct(private \Closure $openDb, private \Closure $openRedis)
    {
    }

    public static function fromConfig(Config $config): self
    {
        return new self(
            static fn (): \PDO => self::postgres($config),
            static fn (): \Redis => self::redisConnection($config),
        );
    }

    /** Connections that already exist (tests). */
    public static function of(\PDO $db, \Redis $redis): self
    {
        return new self(static fn (): \PDO => $db, static fn (): \Redis => $redis);
    }

    public function db(): \PDO
    {
        return $this->db ??= ($this->openDb)();
    }

    public function redis(): \Redis
    {
        return $this->redis ??= ($this->openRedis)();
    }

    /** A PDO connection to $database (default the configured one); errors throw PDOException. */
    public static function postgres(Config $config, ?string $database = null): \PDO
    {
        $dsn = sprintf(
            'pgsql:host=%s;port=%d;dbname=%s;connect_timeout=%d;application_name=guestbook',
            $config->pgHost,
            $config->pgPort,
            $database ?? $config->pgDatabase,
            max(1, (int) ceil($config->connectTimeout)),
        );
        return new \PDO($dsn, $config->pgUser, $config->pgPassword, [
            \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
            \PDO::ATTR_DEFAULT_FETCH_MODE => \PDO::FETCH_ASSOC,
        ]);
    }

    /** A Redis connection whose keys all start with the configured prefix; errors throw RedisException. */
    public static function redisConnection(Config $config): \Redis
    {
        $redis = new \Redis();
        if (!$redis->connect($config->redisHost, $config->redisPort, $config->connectTimeout)) {
            throw new \RedisException("cannot connect to Redis at {$config->redisHost}:{$config->redisPort}");
        }
        $redis->setOption(\Redis::OPT_READ_TIMEOUT, $config->connectTimeout);
        $redis->setOption(\Redis::OPT_PREFIX, $config->redisPrefix);
        return $redis;
    }
}
