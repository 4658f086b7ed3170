<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Connections;
use Guestbook\Schema;

/** The migrations, on the real database and on an empty schema made for each test. */
final class SchemaTest extends GuestbookTestCase
{
    private ?\PDO $scratch = null;
    private string $schema = '';

    /** A connection of its own whose search_path is an empty schema, dropped in tearDown. */
    private function scratch(): \PDO
    {
        $this->schema = 'guestbook_test_' . bin2hex(random_bytes(5));
        $this->scratch = Connections::postgres($this->config);
        $this->scratch->exec("CREATE SCHEMA {$this->schema}");
        $this->scratch->exec("SET search_path TO {$this->schema}");
        return $this->scratch;
    }

    protected function tearDown(): void
    {
        if ($this->scratch !== null) {
            $this->scratch->exec("DROP SCHEMA IF EXISTS {$this->schema} CASCADE");
            $this->scratch = null;
        }
        parent::tearDown();
    }

    public function testMigratingAnEmptySchemaAppliesEveryMigrationOnce(): void
    {
        $db = $this->scratch();
        $this->assertSame(array_keys(Schema::MIGRATIONS), Schema::migrate($db));
        $this->assertSame([], Schema::migrate($db), 'a second run applies nothing');
        $this->assertSame([], Schema::migrate($db), 'nor does a third');

        $tables = $db->prepare('SELECT table_name FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name');
        $tables->execute([$this->schema]);
        $this->assertSame(['entries', 'schema_migrations'], $tables->fetchAll(\PDO::FETCH_COLUMN));
        $versions = $db->query('SELECT version FROM schema_migrations ORDER BY version')->fetchAll(\PDO::FETCH_COLUMN);
        $this->assertSame(array_keys(Schema::MIGRATIONS), array_map('intval', $versions));
    }

    public function testATableFromBeforeTheMigrationsTableIsAdopted(): void
    {
        $db = $this->scratch();
        // What the first bin/migrate.php created, with a row in it.
        $db->exec('CREATE TABLE entries (id serial PRIMARY KEY, name text NOT NULL, message text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())');
        $db->exec("INSERT INTO entries (name, message) VALUES ('Ada', 'kept')");
        $this->assertSame(array_keys(Schema::MIGRATIONS), Schema::migrate($db));
        $this->assertSame([['name' => 'Ada', 'message' => 'kept']], $db->query('SELECT name, message FROM entries')->fetchAll(\PDO::FETCH_ASSOC));
    }

    public function testTheDatabaseRejectsEmptyAndTooLongValuesItself(): void
    {
        $db = $this->scratch();
        Schema::migrate($db);
        $insert = $db->prepare('INSERT INTO entries (name, message) VALUES (?, ?)');
        foreach ([['', 'message'], ['name', ''], [str_repeat('n', 101), 'message'], ['name', str_repeat('m', 1001)]] as [$name, $message]) {
            try {
                $insert->execute([$name, $message]);
                $this->fail(sprintf('the database accepted a %d-character name and a %d-character message', strlen($name), strlen($message)));
            } catch (\PDOException $e) {
                $this->assertSame('23514', $e->getCode(), $e->getMessage()); // check_violation
            }
        }
        $insert->execute([str_repeat('n', 100), str_repeat('m', 1000)]);
        $this->assertSame(1, (int) $db->query('SELECT count(*) FROM entries')->fetchColumn());
    }

    public function testTheConfiguredDatabaseIsUpToDateAndSetUpIsIdempotent(): void
    {
        $this->assertFalse(Schema::createDatabase($this->config), 'the database exists already');
        $this->assertSame([], Schema::setUp($this->config), 'the bootstrap applied every migration already');
        $versions = $this->db->query('SELECT version FROM schema_migrations ORDER BY version')->fetchAll(\PDO::FETCH_COLUMN);
        $this->assertSame(array_keys(Schema::MIGRATIONS), array_map('intval', $versions));
    }

    public function testBinMigrateSaysTheSchemaIsUpToDate(): void
    {
        $output = [];
        exec(escapeshellarg(PHP_BINARY) . ' ' . escapeshellarg(dirname(__DIR__) . '/bin/migrate.php') . ' 2>&1', $output, $status);
        $this->assertSame(0, $status, implode("\n", $output));
        $this->assertSame(['guestbook: schema is up to date'], $output);
    }
}
