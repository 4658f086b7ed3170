<?php

declare(strict_types=1);

namespace Guestbook;

final class Response
{
    /** @param array<string,string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly string $body = '',
        public readonly array $headers = [],
    ) {
    }

    /** @param array<string,string> $headers */
    public static function json(int $status, mixed $data, array $headers = []): self
    {
        $body = json_encode($data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR) . "\n";
        return new self($status, $body, ['Content-Type' => 'application/json'] + $headers);
    }

    /** @param array<string,string> $headers */
    public static function html(int $status, string $html, array $headers = []): self
    {
        return new self($status, $html, ['Content-Type' => 'text/html; charset=utf-8'] + $headers);
    }

    /** @param array<string,string> $headers */
    public static function text(int $status, string $text, array $headers = []): self
    {
        return new self($status, $text, ['Content-Type' => 'text/plain; charset=utf-8'] + $headers);
    }

    public function header(string $name): ?string
    {
        foreach ($this->headers as $key => $value) {
            if (strcasecmp($key, $name) === 0) {
                return $value;
            }
        }
        return null;
    }

    public function send(): void
    {
        http_response_code($this->status);
        foreach ($this->headers as $name => $value) {
            header("$name: $value");
        }
        echo $this->body;
    }
}
