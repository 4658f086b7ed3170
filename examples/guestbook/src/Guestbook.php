<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * The guestbook: entries in PostgreSQL; in Redis, the number of entries (a cache, dropped at each
 * signature and expiring after COUNT_TTL seconds) and a visit counter.
 */
final class Guestbook
{
    public const COUNT_KEY = 'count';
    public const VISITS_KEY = 'visits';
    public const COUNT_TTL = 60;

    public function __construct(private \PDO $db, private \Redis $redis)
    {
    }

    /**
     * Validates and stores a signature.
     *
     * @return int the new entry's id
     * @throws ValidationException
     */
    public function sign(string $name, string $message): int
    {
        $entry = Entry::validate($name, $message);
        $insert = $this->db->prepare('INSERT INTO entries (name, message) VALUES (?, ?) RETURNING id');
        $insert->execute([$entry['name'], $entry['message']]);
        $id = (int) $insert->fetchColumn();
        $this->redis->del(self::COUNT_KEY);
        return $id;
    }

    /** @return list<array{id:int,name:string,message:string,created_at:string}> newest first */
    public function entries(int $limit = 50): array
    {
        $query = $this->db->prepare('SELECT id, name, message, created_at FROM entries ORDER BY id DESC LIMIT ?');
        $query->bindValue(1, max(0, $limit), \PDO::PARAM_INT);
        $query->execute();
        return array_map(self::row(...), $query->fetchAll(\PDO::FETCH_ASSOC));
    }

    /** @return array{id:int,name:string,message:string,created_at:string}|null */
    public function find(int $id): ?array
    {
        $query = $this->db->prepare('SELECT id, name, message, created_at FROM entries WHERE id = ?');
        $query->execute([$id]);
        $row = $query->fetch(\PDO::FETCH_ASSOC);
        return $row === false ? null : self::row($row);
    }

    /** The number of entries: from Redis when cached, else counted in PostgreSQL and cached. */
    public function count(): int
    {
        $cached = $this->redis->get(self::COUNT_KEY);
        if ($cached !== false) {
            return (int) $cached;
        }
        $count = (int) $this->db->query('SELECT count(*) FROM entries')->fetchColumn();
        $this->redis->set(self::COUNT_KEY, (string) $count, ['ex' => self::COUNT_TTL]);
        return $count;
    }

    /** The visits counted so far. */
    public function visits(): int
    {
        return (int) $this->redis->get(self::VISITS_KEY);
    }

    /** Counts one more visit of the page; returns the total. */
    public function countVisit(): int
    {
        return (int) $this->redis->incr(self::VISITS_KEY);
    }

    /** @param array<string,mixed> $row */
    private static function row(array $row): array
    {
        return ['id' => (int) $row['id'], 'name' => (string) $row['name'], 'message' => (string) $row['message'], 'created_at' => (string) $row['created_at']];
    }
}
