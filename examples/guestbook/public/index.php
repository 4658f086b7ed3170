<?php

declare(strict_types=1);

// The front controller: every request (php -S's router, nginx + php-fpm) comes here.
require __DIR__ . '/../src/autoload.php';

Guestbook\App::fromEnvironment()->handle(Guestbook\Request::fromGlobals())->send();
