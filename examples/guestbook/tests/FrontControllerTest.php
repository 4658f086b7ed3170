<?php

declare(strict_types=1);

namespace GuestbookTests;

/**
 * public/index.php through real HTTP: PHP's built-in server as the `web` service runs it, with
 * this test's Redis prefix; the entries it commits are deleted in tearDown.
 */
final class FrontControllerTest extends GuestbookTestCase
{
    private ?WebServer $server = null;

    protected function setUp(): void
    {
        parent::setUp();
        $this->db->rollBack(); // the server commits; tearDown deletes what it wrote (keepClean)
        $this->server = new WebServer(self::closedPort(), tempnam(sys_get_temp_dir(), 'guestbook-php-s-'), [
            'REDIS_PREFIX' => $this->config->redisPrefix,
            'SIGN_RATE_LIMIT' => '100',
        ]);
    }

    protected function tearDown(): void
    {
        if ($this->server !== null) {
            $this->server->stop();
            @unlink($this->server->logFile);
        }
        parent::tearDown();
    }

    public function testHealthOverHttp(): void
    {
        $response = $this->server->request('/health');
        $this->assertSame(200, $response['status'], $response['body']);
        $this->assertSame('application/json', $response['headers']['content-type']);
        $this->assertSame("{\"status\":\"ok\",\"postgres\":\"ok\",\"redis\":\"ok\"}\n", $response['body']);
    }

    public function testSignThenReadOverHttp(): void
    {
        $name = $this->uniqueName('<Http>');
        $this->keepClean($name);
        $signed = $this->server->request('/', ['name' => $name, 'message' => 'through php -S & index.php']);
        $this->assertSame(303, $signed['status'], $signed['body']);
        $this->assertSame('/', $signed['headers']['location']);

        $page = $this->server->request('/');
        $this->assertSame(200, $page['status']);
        $this->assertStringContainsString('<li><strong>' . htmlspecialchars($name) . '</strong>: through php -S &amp; index.php</li>', $page['body']);
        $this->assertStringContainsString('visit number 1 ', $page['body']);

        $entries = json_decode($this->server->request('/entries')['body'], true, flags: JSON_THROW_ON_ERROR);
        $this->assertContains($name, array_column($entries['entries'], 'name'));
        $this->assertCount(1, $this->rowsNamed($this->db, $name), 'committed to PostgreSQL');
        $this->assertSame('1', $this->redis->get('visits'), 'the visit was counted under this test\'s prefix');
    }

    public function testErrorsOverHttp(): void
    {
        $this->assertSame(422, $this->server->request('/', ['name' => '', 'message' => 'x'])['status']);
        $this->assertSame(404, $this->server->request('/missing')['status']);
    }
}
