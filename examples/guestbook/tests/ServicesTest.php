<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Config;
use Guestbook\Connections;
use PHPUnit\Framework\TestCase;

/**
 * The services themselves, each on its own (not through GuestbookTestCase, which needs both):
 * when one is down, its test here fails naming it and its settings, and the other passes.
 */
final class ServicesTest extends TestCase
{
    public function testPostgresAnswersAsTheConfiguredUserAndDatabase(): void
    {
        $config = Config::fromEnvironment();
        try {
            $db = Connections::postgres($config);
        } catch (\PDOException $e) {
            $this->fail('Cannot connect to ' . Services::describePostgres($config) . ': ' . $e->getMessage());
        }
        $row = $db->query('SELECT current_user AS "user", current_database() AS database, 1 AS one')->fetch(\PDO::FETCH_ASSOC);
        $this->assertSame(['user' => $config->pgUser, 'database' => $config->pgDatabase, 'one' => 1], $row);
    }

    public function testTheBootstrapMigratedTheDatabase(): void
    {
        $this->assertNull(Services::$migrationError, 'The bootstrap could not migrate ' . Services::describePostgres(Config::fromEnvironment()));
    }

    public function testRedisAnswersPing(): void
    {
        $config = Config::fromEnvironment();
        try {
            $redis = Connections::redisConnection($config);
        } catch (\RedisException $e) {
            $this->fail('Cannot connect to ' . Services::describeRedis($config) . ': ' . $e->getMessage());
        }
        $this->assertContains($redis->ping(), [true, '+PONG', 'PONG']);
        $redis->close();
    }
}
