<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * `/health`: PostgreSQL and Redis each get a trivial query; 200 when both answer, else 503, with
 * each one's state (and the error of each failing one) in the JSON body.
 */
final class Health
{
    /** @param array<string,?string> $failures check => null when it answered, else the error */
    private function __construct(private array $failures)
    {
    }

    public static function check(Connections $connections): self
    {
        return self::run([
            'postgres' => static fn (): bool => (int) $connections->db()->query('SELECT 1')->fetchColumn() === 1,
            'redis' => static function () use ($connections): bool {
                $pong = $connections->redis()->ping();
                return $pong === true || $pong === '+PONG' || $pong === 'PONG';
            },
        ]);
    }

    /** @param array<string,callable():bool> $checks true when healthy; false or an exception when not */
    public static function run(array $checks): self
    {
        $failures = [];
        foreach ($checks as $name => $check) {
            try {
                $failures[$name] = $check() ? null : 'unexpected answer';
            } catch (\Throwable $e) {
                $failures[$name] = trim(get_class($e) . ': ' . $e->getMessage());
            }
        }
        return new self($failures);
    }

    public function ok(): bool
    {
        return array_filter($this->failures) === [];
    }

    public function httpStatus(): int
    {
        return $this->ok() ? 200 : 503;
    }

    /** @return array<string,mixed> {"status":"ok"|"failing", "<check>":"ok"|"failing"..., "errors":{...} when failing} */
    public function toArray(): array
    {
        $body = ['status' => $this->ok() ? 'ok' : 'failing'];
        foreach ($this->failures as $name => $failure) {
            $body[$name] = $failure === null ? 'ok' : 'failing';
        }
        if (!$this->ok()) {
            $body['errors'] = array_filter($this->failures);
        }
        return $body;
    }
}
