<?php

declare(strict_types=1);

// Loads the app, then creates the database and applies the migrations (idempotent), as
// bin/migrate.php does. If PostgreSQL cannot be reached, the suite still runs: every test that
// needs it then fails with the reason (see Services), so JUnit reports name what broke.
require __DIR__ . '/../src/autoload.php';
require __DIR__ . '/Services.php';
require __DIR__ . '/GuestbookTestCase.php';
require __DIR__ . '/WebServer.php';

GuestbookTests\Services::prepare();
