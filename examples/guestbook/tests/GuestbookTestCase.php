<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\App;
use Guestbook\Config;
use Guestbook\Connections;
use Guestbook\Request;
use Guestbook\Response;
use PHPUnit\Framework\TestCase;

/**
 * Every test gets its own isolation, so tests pass in any order and with any data left in the
 * database:
 *  - PostgreSQL: a transaction begun in setUp and rolled back in tearDown (tests that must commit
 *    register their entries' names with keepClean(), deleted in tearDown);
 *  - Redis: a key prefix of its own (`guestbook-test:<random>:`), whose keys are deleted in tearDown.
 */
abstract class GuestbookTestCase extends TestCase
{
    protected Config $config;
    protected \PDO $db;
    protected \Redis $redis;
    /** @var list<string> entry names to delete from PostgreSQL in tearDown */
    private array $cleanup = [];

    protected function setUp(): void
    {
        $this->config = Config::fromEnvironment()->with([
            'redisPrefix' => 'guestbook-test:' . bin2hex(random_bytes(6)) . ':',
        ]);
        if (Services::$migrationError !== null) {
            $this->fail('The bootstrap could not migrate ' . Services::describePostgres($this->config) . ': ' . Services::$migrationError);
        }
        try {
            $this->db = Connections::postgres($this->config);
        } catch (\PDOException $e) {
            $this->fail('Cannot connect to ' . Services::describePostgres($this->config) . ': ' . $e->getMessage());
        }
        try {
            $this->redis = Connections::redisConnection($this->config);
        } catch (\RedisException $e) {
            $this->fail('Cannot connect to ' . Services::describeRedis($this->config) . ': ' . $e->getMessage());
        }
        $this->db->beginTransaction();
    }

    protected function tearDown(): void
    {
        if (isset($this->db)) {
            if ($this->db->inTransaction()) {
                $this->db->rollBack();
            }
            if ($this->cleanup !== []) {
                $delete = $this->db->prepare('DELETE FROM entries WHERE name = ?');
                foreach ($this->cleanup as $name) {
                    $delete->execute([$name]);
                }
            }
        }
        if (isset($this->redis)) {
            self::deleteKeys($this->redis, $this->config->redisPrefix);
            $this->redis->close();
        }
    }

    /** Deletes every key that starts with $prefix (with the connection's own prefix turned off). */
    public static function deleteKeys(\Redis $redis, string $prefix): void
    {
        $saved = $redis->getOption(\Redis::OPT_PREFIX);
        $redis->setOption(\Redis::OPT_PREFIX, '');
        $redis->setOption(\Redis::OPT_SCAN, \Redis::SCAN_RETRY);
        $iterator = null;
        while (($keys = $redis->scan($iterator, $prefix . '*', 1000)) !== false) {
            if ($keys !== []) {
                $redis->del($keys);
            }
        }
        $redis->setOption(\Redis::OPT_PREFIX, $saved);
    }

    /** A name no other test (nor leftover row) has, at most 100 characters. */
    protected function uniqueName(string $label = 'Test'): string
    {
        return $label . ' ' . bin2hex(random_bytes(5));
    }

    /** Deletes the entries named $name in tearDown: for tests that commit. */
    protected function keepClean(string $name): void
    {
        $this->cleanup[] = $name;
    }

    /**
     * The app on this test's connections (its transaction and its Redis prefix), with a rate limit
     * no test reaches unless it sets one ($config: Config's constructor arguments by name).
     */
    protected function app(array $config = []): App
    {
        return new App($this->config->with($config + ['signLimit' => 1000, 'signWindow' => 60]), Connections::of($this->db, $this->redis));
    }

    protected function request(string $method, string $path, array $form = [], string $client = '203.0.113.7', array $query = []): Response
    {
        return $this->app()->handle(new Request($method, $path, $query, $form, $client));
    }

    /** A TCP port on 127.0.0.1 where nothing listens: connections to it are refused. */
    protected static function closedPort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($server === false) {
            throw new \RuntimeException("cannot bind a port: $error");
        }
        $port = (int) substr(strrchr(stream_socket_get_name($server, false), ':'), 1);
        fclose($server);
        return $port;
    }

    /** @return list<array{id:int,name:string,message:string}> */
    protected function rowsNamed(\PDO $db, string $name): array
    {
        $query = $db->prepare('SELECT id, name, message FROM entries WHERE name = ? ORDER BY id');
        $query->execute([$name]);
        return array_map(fn (array $r) => ['id' => (int) $r['id'], 'name' => $r['name'], 'message' => $r['message']], $query->fetchAll(\PDO::FETCH_ASSOC));
    }

    protected function countRows(): int
    {
        return (int) $this->db->query('SELECT count(*) FROM entries')->fetchColumn();
    }
}
