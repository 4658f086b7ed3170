<?php

declare(strict_types=1);

// The `migrate` job: creates the database and applies the missing migrations (src/Schema.php).
// Idempotent. Retried for up to 2 s: PostgreSQL accepts connections a moment after pg_isready says so.
require __DIR__ . '/../src/autoload.php';

use Guestbook\Config;
use Guestbook\Schema;

$config = Config::fromEnvironment();
for ($attempt = 1; ; $attempt++) {
    try {
        $applied = Schema::setUp($config);
        if ($applied !== []) {
            echo 'guestbook: applied migration ' . implode(', ', $applied) . "\n";
        }
        echo "guestbook: schema is up to date\n";
        exit(0);
    } catch (PDOException $e) {
        if ($attempt >= 20) {
            fwrite(STDERR, "guestbook: migration failed: {$e->getMessage()}\n");
            exit(1);
        }
        usleep(100000);
    }
}
