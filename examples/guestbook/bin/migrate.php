<?php

declare(strict_types=1);

require __DIR__ . '/../src/Guestbook.php';

// Retried briefly: PostgreSQL accepts connections a moment after pg_isready says so.
for ($attempt = 1; ; $attempt++) {
    try {
        Guestbook\Guestbook::migrate();
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
