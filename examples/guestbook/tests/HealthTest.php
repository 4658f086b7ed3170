<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\App;
use Guestbook\Connections;
use Guestbook\Health;
use Guestbook\Request;

/** /health: 200 when PostgreSQL and Redis both answer, 503 naming the one that does not. */
final class HealthTest extends GuestbookTestCase
{
    private function connections(bool $postgres, bool $redis): Connections
    {
        $port = self::closedPort();
        $config = $this->config->with(['pgPort' => $port, 'redisPort' => $port]);
        return new Connections(
            $postgres ? fn (): \PDO => $this->db : static fn (): \PDO => Connections::postgres($config),
            $redis ? fn (): \Redis => $this->redis : static fn (): \Redis => Connections::redisConnection($config),
        );
    }

    public function testOkWhenBothAnswer(): void
    {
        $health = Health::check($this->connections(true, true));
        $this->assertTrue($health->ok());
        $this->assertSame(200, $health->httpStatus());
        $this->assertSame(['status' => 'ok', 'postgres' => 'ok', 'redis' => 'ok'], $health->toArray());
    }

    public function testFailingWhenRedisIsDown(): void
    {
        $health = Health::check($this->connections(true, false));
        $this->assertSame(503, $health->httpStatus());
        $body = $health->toArray();
        $this->assertSame(['status' => 'failing', 'postgres' => 'ok', 'redis' => 'failing'], array_diff_key($body, ['errors' => 0]));
        $this->assertSame(['redis'], array_keys($body['errors']));
        $this->assertStringStartsWith('RedisException: ', $body['errors']['redis']);
    }

    public function testFailingWhenPostgresIsDown(): void
    {
        $health = Health::check($this->connections(false, true));
        $this->assertSame(503, $health->httpStatus());
        $body = $health->toArray();
        $this->assertSame(['status' => 'failing', 'postgres' => 'failing', 'redis' => 'ok'], array_diff_key($body, ['errors' => 0]));
        $this->assertStringStartsWith('PDOException: ', $body['errors']['postgres']);
    }

    public function testFailingWhenBothAreDown(): void
    {
        $body = Health::check($this->connections(false, false))->toArray();
        $this->assertSame(['status' => 'failing', 'postgres' => 'failing', 'redis' => 'failing'], array_diff_key($body, ['errors' => 0]));
        $this->assertSame(['postgres', 'redis'], array_keys($body['errors']));
    }

    public function testAWrongAnswerIsAFailureToo(): void
    {
        $health = Health::run(['postgres' => fn () => true, 'redis' => fn () => false]);
        $this->assertFalse($health->ok());
        $this->assertSame(['redis' => 'unexpected answer'], $health->toArray()['errors']);
    }

    public function testTheEndpointAnswers200WithJson(): void
    {
        $response = $this->request('GET', '/health');
        $this->assertSame(200, $response->status);
        $this->assertSame('application/json', $response->header('Content-Type'));
        $this->assertSame("{\"status\":\"ok\",\"postgres\":\"ok\",\"redis\":\"ok\"}\n", $response->body);
    }

    public function testTheEndpointAnswers503WhenRedisIsDown(): void
    {
        $app = new App($this->config, $this->connections(true, false));
        $response = $app->handle(new Request('GET', '/health'));
        $this->assertSame(503, $response->status);
        $this->assertSame('application/json', $response->header('Content-Type'));
        $body = json_decode($response->body, true, flags: JSON_THROW_ON_ERROR);
        $this->assertSame(['failing', 'ok', 'failing'], [$body['status'], $body['postgres'], $body['redis']]);
    }

    public function testOtherPagesAnswer503WhenAServiceIsDownAndLogWhy(): void
    {
        foreach ([[false, true, 'PDOException'], [true, false, 'RedisException']] as [$postgres, $redis, $exception]) {
            $log = [];
            $app = new App($this->config->with(['appEnv' => 'test']), $this->connections($postgres, $redis), function (string $line) use (&$log): void {
                $log[] = $line;
            });
            foreach (['/', '/entries'] as $path) {
                $response = $app->handle(new Request('GET', $path));
                $this->assertSame(503, $response->status, "GET $path with postgres " . ($postgres ? 'up' : 'down') . ', redis ' . ($redis ? 'up' : 'down'));
                $this->assertSame('unavailable', json_decode($response->body, true)['status']);
            }
            $this->assertCount(2, $log);
            $this->assertStringStartsWith("guestbook: $exception: ", $log[0]);
            $this->assertArrayHasKey('error', json_decode($response->body, true), 'outside prod, the answer has the error');
            $prod = new App($this->config->with(['appEnv' => 'prod']), $this->connections($postgres, $redis), fn (string $line) => null);
            $this->assertSame("{\"status\":\"unavailable\"}\n", $prod->handle(new Request('GET', '/'))->body, 'in prod, only the log has it');
        }
    }
}
