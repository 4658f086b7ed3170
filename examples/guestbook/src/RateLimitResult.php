<?php

declare(strict_types=1);

namespace Guestbook;

final class RateLimitResult
{
    public function __construct(
        public readonly bool $allowed,
        public readonly int $remaining,
        /** Seconds until the window ends. */
        public readonly int $retryAfter,
    ) {
    }
}
