<?php

declare(strict_types=1);

namespace GuestbookTests;

/**
 * PHP's built-in server on a free port with public/index.php as the front controller, as the
 * `web` service runs it; for end-to-end tests through real HTTP.
 */
final class WebServer
{
    /** @var resource */
    private $process;

    /** @param array<string,string> $env added to the current environment */
    public function __construct(public readonly int $port, public readonly string $logFile, array $env)
    {
        $root = dirname(__DIR__);
        $this->process = proc_open(
            [PHP_BINARY, '-S', "127.0.0.1:$port", '-t', "$root/public", "$root/public/index.php"],
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $logFile, 'a'], 2 => ['file', $logFile, 'a']],
            $pipes,
            $root,
            $env + getenv(),
        );
        if ($this->process === false) {
            throw new \RuntimeException('cannot start ' . PHP_BINARY . ' -S');
        }
        $deadline = microtime(true) + 10.0;
        while (($socket = @fsockopen('127.0.0.1', $port, $errno, $error, 0.2)) === false) {
            if (!proc_get_status($this->process)['running'] || microtime(true) > $deadline) {
                $this->stop();
                throw new \RuntimeException("php -S did not start on port $port:\n" . @file_get_contents($logFile));
            }
            usleep(50000);
        }
        fclose($socket);
    }

    public function stop(): void
    {
        if (is_resource($this->process)) {
            proc_terminate($this->process);
            proc_close($this->process);
        }
    }

    public function log(): string
    {
        return (string) @file_get_contents($this->logFile);
    }

    /**
     * @param array<string,string>|null $form POSTed (urlencoded) when given
     * @return array{status:int,headers:array<string,string>,body:string} header names lowercased
     */
    public function request(string $path, ?array $form = null): array
    {
        $options = ['method' => 'GET', 'ignore_errors' => true, 'follow_location' => 0, 'timeout' => 10];
        if ($form !== null) {
            $options = ['method' => 'POST', 'header' => 'Content-Type: application/x-www-form-urlencoded', 'content' => http_build_query($form)] + $options;
        }
        $body = @file_get_contents("http://127.0.0.1:{$this->port}$path", false, stream_context_create(['http' => $options]));
        if ($body === false) {
            throw new \RuntimeException("no answer from php -S for $path:\n" . $this->log());
        }
        $headers = [];
        $status = 0;
        foreach ($http_response_header as $line) {
            if (preg_match('#^HTTP/\S+ (\d{3})#', $line, $m)) {
                $status = (int) $m[1];
            } elseif (str_contains($line, ':')) {
                [$name, $value] = explode(':', $line, 2);
                $headers[strtolower(trim($name))] = trim($value);
            }
        }
        return ['status' => $status, 'headers' => $headers, 'body' => $body];
    }
}
