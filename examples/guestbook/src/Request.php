<?php

declare(strict_types=1);

namespace Guestbook;

final class Request
{
    /**
     * @param array<string,mixed> $query
     * @param array<string,mixed> $form the POSTed fields
     */
    public function __construct(
        public readonly string $method,
        public readonly string $path,
        public readonly array $query = [],
        public readonly array $form = [],
        public readonly string $client = '127.0.0.1',
    ) {
    }

    public static function fromGlobals(): self
    {
        return new self(
            strtoupper($_SERVER['REQUEST_METHOD'] ?? 'GET'),
            parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/',
            $_GET,
            $_POST,
            (string) ($_SERVER['REMOTE_ADDR'] ?? 'unknown'),
        );
    }

    /** A form or query field as a string ('' when missing or not a string). */
    public function field(string $name, bool $fromQuery = false): string
    {
        $value = ($fromQuery ? $this->query : $this->form)[$name] ?? '';
        return is_string($value) ? $value : '';
    }
}
