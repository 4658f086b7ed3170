<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * The database schema, as numbered migrations recorded in `schema_migrations`. Idempotent: run it
 * any number of times, from any number of processes at once (an advisory lock serializes them);
 * it applies only what is missing.
 */
final class Schema
{
    /** @var array<int,list<string>> version => statements */
    public const MIGRATIONS = [
        // IF NOT EXISTS: databases created before schema_migrations existed already have the table.
        1 => [
            'CREATE TABLE IF NOT EXISTS entries (
                id serial PRIMARY KEY,
                name text NOT NULL,
                message text NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now()
            )',
        ],
        2 => [
            'ALTER TABLE entries ADD CONSTRAINT entries_name_length
                CHECK (char_length(name) BETWEEN 1 AND ' . Entry::NAME_MAX . ')',
            'ALTER TABLE entries ADD CONSTRAINT entries_message_length
                CHECK (char_length(message) BETWEEN 1 AND ' . Entry::MESSAGE_MAX . ')',
        ],
    ];

    private const LOCK = 'guestbook schema';

    /**
     * Creates the configured database, from the maintenance database `postgres`, if missing.
     *
     * @return bool whether it was created
     */
    public static function createDatabase(Config $config): bool
    {
        $admin = Connections::postgres($config, 'postgres');
        $exists = $admin->prepare('SELECT 1 FROM pg_database WHERE datname = ?');
        $exists->execute([$config->pgDatabase]);
        if ($exists->fetchColumn() !== false) {
            return false;
        }
        try {
            $admin->exec('CREATE DATABASE "' . str_replace('"', '""', $config->pgDatabase) . '"');
        } catch (\PDOException $e) {
            if ($e->getCode() === '42P04') { // duplicate_database: another process was faster
                return false;
            }
            throw $e;
        }
        return true;
    }

    /**
     * Applies the missing migrations to the database $db is connected to (in its current schema).
     *
     * @return list<int> the versions applied now
     */
    public static function migrate(\PDO $db): array
    {
        $db->beginTransaction();
        try {
            $db->prepare('SELECT pg_advisory_xact_lock(hashtext(?))')->execute([self::LOCK]);
            $db->exec('CREATE TABLE IF NOT EXISTS schema_migrations (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )');
            $done = array_map('intval', $db->query('SELECT version FROM schema_migrations')->fetchAll(\PDO::FETCH_COLUMN));
            $applied = [];
            foreach (self::MIGRATIONS as $version => $statements) {
                if (in_array($version, $done, true)) {
                    continue;
                }
                foreach ($statements as $sql) {
                    $db->exec($sql);
                }
                $db->prepare('INSERT INTO schema_migrations (version) VALUES (?)')->execute([$version]);
                $applied[] = $version;
            }
            $db->commit();
            return $applied;
        } catch (\Throwable $e) {
            $db->rollBack();
            throw $e;
        }
    }

    /**
     * What `bin/migrate.php` and the tests' bootstrap run: the database, then the migrations.
     *
     * @return list<int> the versions applied now
     */
    public static function setUp(Config $config): array
    {
        self::createDatabase($config);
        return self::migrate(Connections::postgres($config));
    }
}
