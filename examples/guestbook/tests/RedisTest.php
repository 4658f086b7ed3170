<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Guestbook;
use Guestbook\RateLimiter;

/** What lives in Redis: the visit counter, the cached entry count and the signing rate limit. */
final class RedisTest extends GuestbookTestCase
{
    private function guestbook(): Guestbook
    {
        return new Guestbook($this->db, $this->redis);
    }

    public function testVisitsAreCountedInRedis(): void
    {
        $this->assertSame(0, $this->guestbook()->visits());
        $this->assertSame(1, $this->guestbook()->countVisit());
        $this->assertSame(2, $this->guestbook()->countVisit());
        $this->assertSame(2, $this->guestbook()->visits());
        $this->assertSame('2', $this->redis->get(Guestbook::VISITS_KEY));
    }

    public function testKeysCarryTheConfiguredPrefix(): void
    {
        $this->guestbook()->countVisit();
        $this->redis->setOption(\Redis::OPT_PREFIX, '');
        $this->assertSame('1', $this->redis->get($this->config->redisPrefix . Guestbook::VISITS_KEY));
        $this->redis->setOption(\Redis::OPT_PREFIX, $this->config->redisPrefix);
    }

    public function testTheCountIsCachedInRedisUntilTheNextSignature(): void
    {
        $rows = $this->countRows();
        $this->assertFalse($this->redis->get(Guestbook::COUNT_KEY), 'nothing cached yet');
        $this->assertSame($rows, $this->guestbook()->count());
        $this->assertSame((string) $rows, $this->redis->get(Guestbook::COUNT_KEY));
        $ttl = $this->redis->ttl(Guestbook::COUNT_KEY);
        $this->assertGreaterThan(0, $ttl);
        $this->assertLessThanOrEqual(Guestbook::COUNT_TTL, $ttl);

        // A row written behind the app's back: the cached count is served, PostgreSQL is not asked.
        $this->db->exec("INSERT INTO entries (name, message) VALUES ('" . $this->uniqueName('psql') . "', 'behind the cache')");
        $this->assertSame($rows, $this->guestbook()->count());

        // Signing drops the cache: the next count comes from PostgreSQL.
        $this->guestbook()->sign($this->uniqueName('Ada'), 'hello');
        $this->assertFalse($this->redis->get(Guestbook::COUNT_KEY));
        $this->assertSame($rows + 2, $this->guestbook()->count());
    }

    public function testTheRateLimitAllowsTheLimitThenRefuses(): void
    {
        $limiter = new RateLimiter($this->redis, 'sign', 3, 60);
        $results = array_map(fn () => $limiter->hit('198.51.100.1'), range(1, 5));
        $this->assertSame([true, true, true, false, false], array_map(fn ($r) => $r->allowed, $results));
        $this->assertSame([2, 1, 0, 0, 0], array_map(fn ($r) => $r->remaining, $results));
        $this->assertGreaterThan(0, $results[4]->retryAfter);
        $this->assertLessThanOrEqual(60, $results[4]->retryAfter);
        $this->assertSame('5', $this->redis->get($limiter->key('198.51.100.1')));
    }

    public function testTheRateLimitCountsEachClientApart(): void
    {
        $limiter = new RateLimiter($this->redis, 'sign', 1, 60);
        $this->assertTrue($limiter->hit('198.51.100.1')->allowed);
        $this->assertFalse($limiter->hit('198.51.100.1')->allowed);
        $this->assertTrue($limiter->hit('198.51.100.2')->allowed);
        $limiter->reset('198.51.100.1');
        $this->assertTrue($limiter->hit('198.51.100.1')->allowed);
    }

    public function testTheRateLimitWindowExpires(): void
    {
        $limiter = new RateLimiter($this->redis, 'sign', 1, 1);
        $this->assertTrue($limiter->hit('198.51.100.1')->allowed);
        $this->assertFalse($limiter->hit('198.51.100.1')->allowed);
        $ttl = $this->redis->pttl($limiter->key('198.51.100.1'));
        $this->assertGreaterThan(0, $ttl, 'the key expires');
        usleep(($ttl + 100) * 1000);
        $this->assertTrue($limiter->hit('198.51.100.1')->allowed, 'a new window');
    }

    public function testARateLimitKeyLeftWithoutExpiryGetsOne(): void
    {
        $limiter = new RateLimiter($this->redis, 'sign', 5, 60);
        $this->redis->set($limiter->key('198.51.100.1'), '2'); // e.g. written by an older version
        $this->assertSame(2, $limiter->hit('198.51.100.1')->remaining);
        $this->assertGreaterThan(0, $this->redis->ttl($limiter->key('198.51.100.1')));
    }
}
