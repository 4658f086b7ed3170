<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * A fixed-window rate limit in Redis: at most $limit hits per client in $window seconds, the
 * window starting at the client's first hit. One atomic script per hit (INCR, and EXPIRE when the
 * key has no expiry yet), so concurrent requests and crashed processes cannot leave a key behind.
 */
final class RateLimiter
{
    private const SCRIPT = <<<'LUA'
        local n = redis.call('INCR', KEYS[1])
        if redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
        return {n, redis.call('TTL', KEYS[1])}
        LUA;

    public function __construct(
        private \Redis $redis,
        private string $name,
        public readonly int $limit,
        public readonly int $window,
    ) {
    }

    /** Counts one hit of $client. */
    public function hit(string $client): RateLimitResult
    {
        $result = $this->redis->eval(self::SCRIPT, [$this->key($client), (string) $this->window], 1);
        if (!is_array($result)) {
            throw new \RedisException('rate limit script failed: ' . ($this->redis->getLastError() ?? 'no result'));
        }
        [$hits, $ttl] = array_map('intval', $result);
        return new RateLimitResult($hits <= $this->limit, max(0, $this->limit - $hits), max(1, $ttl));
    }

    /** Forgets $client's hits. */
    public function reset(string $client): void
    {
        $this->redis->del($this->key($client));
    }

    public function key(string $client): string
    {
        return "ratelimit:{$this->name}:" . $client;
    }
}
