<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Guestbook;

/** The routes of public/index.php (Guestbook\App), on this test's transaction and Redis prefix. */
final class AppTest extends GuestbookTestCase
{
    public function testThePageShowsTheCountAndCountsVisits(): void
    {
        $first = $this->request('GET', '/');
        $this->assertSame(200, $first->status);
        $this->assertSame('text/html; charset=utf-8', $first->header('Content-Type'));
        $this->assertStringContainsString(sprintf('<p>%d entries, visit number 1 (PHP %s, ', $this->countRows(), PHP_VERSION), $first->body);
        $this->assertStringContainsString('visit number 2 ', $this->request('GET', '/')->body);
    }

    public function testSigningRedirectsAndTheEntryIsShown(): void
    {
        $name = $this->uniqueName('Ada');
        $before = $this->countRows();
        $signed = $this->request('POST', '/', ['name' => $name, 'message' => 'Hello from the form']);
        $this->assertSame(303, $signed->status);
        $this->assertSame('/', $signed->header('Location'));
        $this->assertSame('', $signed->body);

        $page = $this->request('GET', '/')->body;
        $this->assertStringContainsString("<li><strong>$name</strong>: Hello from the form</li>", $page);
        $this->assertStringContainsString(sprintf('<p>%d entries, ', $before + 1), $page);
    }

    public function testEntriesAnswersJson(): void
    {
        $name = $this->uniqueName('Json');
        $id = (new Guestbook($this->db, $this->redis))->sign($name, 'as JSON');
        $response = $this->request('GET', '/entries', query: ['limit' => '1']);
        $this->assertSame(200, $response->status);
        $this->assertSame('application/json', $response->header('Content-Type'));
        $body = json_decode($response->body, true, flags: JSON_THROW_ON_ERROR);
        $this->assertSame($this->countRows(), $body['count']);
        $this->assertCount(1, $body['entries']);
        $this->assertSame(['id' => $id, 'name' => $name, 'message' => 'as JSON'], array_diff_key($body['entries'][0], ['created_at' => 0]));
    }

    public function testAnInvalidSignatureAnswers422WithTheErrorsAndStoresNothing(): void
    {
        $before = $this->countRows();
        $response = $this->request('POST', '/', ['name' => '   ', 'message' => str_repeat('x', 1001)]);
        $this->assertSame(422, $response->status);
        $this->assertStringContainsString('<li data-field="name">The name is required.</li>', $response->body);
        $this->assertStringContainsString('<li data-field="message">The message is too long (1001 characters, at most 1000).</li>', $response->body);
        $this->assertSame($before, $this->countRows());
        $this->assertStringContainsString(' entries, visit number 0 ', $response->body, 'showing the errors is not a visit');
        $this->assertSame(422, $this->request('POST', '/', [])->status, 'no fields at all');
        $this->assertSame(422, $this->request('POST', '/', ['name' => ['array'], 'message' => 'x'])->status, 'a field that is not a string');
    }

    public function testVisitorTextIsEscapedInThePage(): void
    {
        $name = '<script>alert("x")</script> ' . bin2hex(random_bytes(4));
        $message = "Tom & Jerry's <b>bold</b> \"quote\"";
        $this->assertSame(303, $this->request('POST', '/', ['name' => $name, 'message' => $message])->status);

        $page = $this->request('GET', '/')->body;
        $this->assertStringNotContainsString('<script>', $page);
        $this->assertStringNotContainsString('<b>bold</b>', $page);
        $this->assertStringContainsString('<strong>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; ', $page);
        $this->assertStringContainsString('Tom &amp; Jerry&apos;s &lt;b&gt;bold&lt;/b&gt; &quot;quote&quot;</li>', $page);
    }

    public function testRejectedInputIsEscapedInTheForm(): void
    {
        $response = $this->request('POST', '/', ['name' => '"><script>x</script>', 'message' => '']);
        $this->assertSame(422, $response->status);
        $this->assertStringNotContainsString('<script>', $response->body);
        $this->assertStringContainsString('value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"', $response->body);
    }

    public function testSigningIsRateLimitedPerClient(): void
    {
        $app = $this->app(['signLimit' => 2, 'signWindow' => 60]);
        $sign = fn (string $client) => $app->handle(new \Guestbook\Request('POST', '/', [], ['name' => $this->uniqueName(), 'message' => 'spam?'], $client));
        $this->assertSame([303, 303], [$sign('198.51.100.9')->status, $sign('198.51.100.9')->status]);
        $before = $this->countRows();
        $refused = $sign('198.51.100.9');
        $this->assertSame(429, $refused->status);
        $this->assertGreaterThan(0, (int) $refused->header('Retry-After'));
        $this->assertLessThanOrEqual(60, (int) $refused->header('Retry-After'));
        $this->assertSame($before, $this->countRows(), 'a refused signature is not stored');
        $this->assertSame(303, $sign('198.51.100.10')->status, 'another client may still sign');
    }

    public function testUnknownPathsAndMethods(): void
    {
        $this->assertSame(404, $this->request('GET', '/nope')->status);
        $put = $this->request('PUT', '/');
        $this->assertSame(405, $put->status);
        $this->assertSame('GET, POST', $put->header('Allow'));
        $this->assertSame('GET', $this->request('DELETE', '/health')->header('Allow'));
        $this->assertSame(200, $this->request('HEAD', '/health')->status);
    }
}
