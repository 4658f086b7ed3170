<?php

declare(strict_types=1);

namespace Guestbook;

/**
 * The HTTP routes, independent of the server (public/index.php feeds it the request):
 *
 *   GET  /         the page (counts a visit in Redis)
 *   POST /         sign with `name` and `message`: 303 to /, 422 when invalid,
 *                  429 over the rate limit (SIGN_RATE_LIMIT per SIGN_RATE_WINDOW seconds per client)
 *   GET  /entries  the newest entries and the count, as JSON (`?limit=`, 1 to 100, default 50)
 *   GET  /health   {"status","postgres","redis"}: 200 when both answer, else 503
 *
 * When PostgreSQL or Redis is down, the other routes answer 503 ({"status":"unavailable"}, with
 * the error unless APP_ENV is prod) and log the error.
 */
final class App
{
    /** @var \Closure(string):void */
    private \Closure $log;

    /** @param (\Closure(string):void)|null $log where errors go; default error_log() (the server's log) */
    public function __construct(private Config $config, private Connections $connections, ?\Closure $log = null)
    {
        $this->log = $log ?? static function (string $line): void {
            error_log($line);
        };
    }

    public static function fromEnvironment(): self
    {
        $config = Config::fromEnvironment();
        return new self($config, Connections::fromConfig($config));
    }

    public function handle(Request $request): Response
    {
        $method = $request->method === 'HEAD' ? 'GET' : $request->method;
        $routes = [
            '/' => ['GET' => $this->page(...), 'POST' => $this->sign(...)],
            '/entries' => ['GET' => $this->entries(...)],
            '/health' => ['GET' => $this->health(...)],
        ];
        $route = $routes[$request->path] ?? null;
        if ($route === null) {
            return Response::text(404, "not found\n");
        }
        $action = $route[$method] ?? null;
        if ($action === null) {
            return Response::text(405, "method not allowed\n", ['Allow' => implode(', ', array_keys($route))]);
        }
        try {
            return $action($request);
        } catch (\PDOException | \RedisException $e) {
            ($this->log)('guestbook: ' . get_class($e) . ': ' . $e->getMessage());
            // The reason stays in the log in prod; elsewhere (dev, test) the answer says it too.
            $body = ['status' => 'unavailable'] + ($this->config->appEnv === 'prod' ? [] : ['error' => $e->getMessage()]);
            return Response::json(503, $body);
        }
    }

    private function guestbook(): Guestbook
    {
        return new Guestbook($this->connections->db(), $this->connections->redis());
    }

    /** The page; a visit is counted only for a GET, not when a rejected signature is shown again. */
    private function page(Request $request, array $errors = [], array $old = [], int $status = 200): Response
    {
        $guestbook = $this->guestbook();
        $visits = $request->method === 'POST' ? $guestbook->visits() : $guestbook->countVisit();
        $html = View::page($guestbook->count(), $visits, $guestbook->entries(), $this->config->appEnv, $errors, $old);
        return Response::html($status, $html);
    }

    private function sign(Request $request): Response
    {
        $limiter = new RateLimiter($this->connections->redis(), 'sign', $this->config->signLimit, $this->config->signWindow);
        $limit = $limiter->hit($request->client);
        if (!$limit->allowed) {
            return Response::text(429, "too many signatures: try again in {$limit->retryAfter} s\n", ['Retry-After' => (string) $limit->retryAfter]);
        }
        $name = $request->field('name');
        $message = $request->field('message');
        try {
            $this->guestbook()->sign($name, $message);
        } catch (ValidationException $e) {
            return $this->page($request, $e->errors, ['name' => $name, 'message' => $message], 422);
        }
        return new Response(303, '', ['Location' => '/']);
    }

    private function entries(Request $request): Response
    {
        $limit = $request->field('limit', fromQuery: true);
        $limit = ctype_digit($limit) ? min(100, max(1, (int) $limit)) : 50;
        $guestbook = $this->guestbook();
        return Response::json(200, ['count' => $guestbook->count(), 'entries' => $guestbook->entries($limit)]);
    }

    private function health(Request $request): Response
    {
        $health = Health::check($this->connections);
        return Response::json($health->httpStatus(), $health->toArray());
    }
}
