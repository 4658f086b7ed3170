<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * The guestbook: entries in PostgreSQL, a visit counter in Redis.
 *
 * Connection settings come from the environment Slipway provides: PGHOST, PGUSER, PGDATABASE,
 * POSTGRES_PORT and REDIS_PORT (every service's port is exported as <NAME>_PORT).
 */
final class Guestbook
{
    public function __construct(private \PDO $db, private \Redis $redis)
    {
    }

    public static function fromEnvironment(): self
    {
        return new self(self::connect(self::env('PGDATABASE', 'guestbook')), self::redis());
    }

    public static function connect(string $database): \PDO
    {
        $dsn = sprintf(
            'pgsql:host=%s;port=%s;dbname=%s',
            self::env('PGHOST', '127.0.0.1'),
            self::env('POSTGRES_PORT', '5432'),
            $database
        );
        return new \PDO($dsn, self::env('PGUSER', 'guestbook'), null, [\PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION]);
    }

    public static function redis(): \Redis
    {
        $redis = new \Redis();
        $redis->connect(self::env('REDIS_HOST', '127.0.0.1'), (int) self::env('REDIS_PORT', '6379'), 2.0);
        return $redis;
    }

    /** Creates the database (from the maintenance database `postgres`) and the table, if missing. */
    public static function migrate(): void
    {
        $name = self::env('PGDATABASE', 'guestbook');
        $admin = self::connect('postgres');
        $exists = $admin->prepare('SELECT 1 FROM pg_database WHERE datname = ?');
        $exists->execute([$name]);
        if ($exists->fetchColumn() === false) {
            $admin->exec('CREATE DATABASE "' . str_replace('"', '""', $name) . '"');
        }
        self::connect($name)->exec(
            'CREATE TABLE IF NOT EXISTS entries (
                id serial PRIMARY KEY,
                name text NOT NULL,
                message text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )'
        );
    }

    public function sign(string $name, string $message): int
    {
        $name = trim($name);
        $message = trim($message);
        if ($name === '' || $message === '') {
            throw new \InvalidArgumentException('name and message are required');
        }
        $insert = $this->db->prepare('INSERT INTO entries (name, message) VALUES (?, ?) RETURNING id');
        $insert->execute([mb_substr($name, 0, 100), mb_substr($message, 0, 1000)]);
        $this->redis->del('guestbook:count');
        return (int) $insert->fetchColumn();
    }

    /** @return list<array{id:int,name:string,message:string,created_at:string}> */
    public function entries(int $limit = 50): array
    {
        $query = $this->db->prepare('SELECT id, name, message, created_at FROM entries ORDER BY id DESC LIMIT ?');
        $query->execute([$limit]);
        return array_map(
            fn (array $row) => ['id' => (int) $row['id']] + $row,
            $query->fetchAll(\PDO::FETCH_ASSOC)
        );
    }

    /** Entries in PostgreSQL, cached in Redis until the next signature. */
    public function count(): int
    {
        $cached = $this->redis->get('guestbook:count');
        if ($cached !== false) {
            return (int) $cached;
        }
        $count = (int) $this->db->query('SELECT count(*) FROM entries')->fetchColumn();
        $this->redis->set('guestbook:count', (string) $count);
        return $count;
    }

    public function countVisit(): int
    {
        return (int) $this->redis->incr('guestbook:visits');
    }

    /** @return array{postgres:string,redis:string} */
    public function health(): array
    {
        $postgres = $this->db->query('SELECT 1')->fetchColumn() == 1 ? 'ok' : 'failing';
        $pong = $this->redis->ping();
        $redis = ($pong === true || $pong === '+PONG' || $pong === 'PONG') ? 'ok' : 'failing';
        return ['postgres' => $postgres, 'redis' => $redis];
    }

    private static function env(string $name, string $default): string
    {
        $value = getenv($name);
        return $value === false || $value === '' ? $default : $value;
    }
}
