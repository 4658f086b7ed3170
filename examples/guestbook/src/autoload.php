<?php

declare(strict_types=1);

// The app has no Composer dependencies: this maps Guestbook\Foo to src/Foo.php.
spl_autoload_register(static function (string $class): void {
    $prefix = 'Guestbook\\';
    if (str_starts_with($class, $prefix)) {
        $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});
