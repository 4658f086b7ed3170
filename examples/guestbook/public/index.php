<?php

declare(strict_types=1);

require __DIR__ . '/../src/Guestbook.php';

use Guestbook\Guestbook;

$path = parse_url($_SERVER['REQUEST_URI'] ?? '/', PHP_URL_PATH) ?: '/';
$method = $_SERVER['REQUEST_METHOD'] ?? 'GET';

try {
    $app = Guestbook::fromEnvironment();
} catch (Throwable $e) {
    http_response_code(503);
    header('Content-Type: application/json');
    echo json_encode(['status' => 'unavailable', 'error' => $e->getMessage()]), "\n";
    return;
}

if ($path === '/health') {
    $health = $app->health();
    $ok = !in_array('failing', $health, true);
    http_response_code($ok ? 200 : 503);
    header('Content-Type: application/json');
    echo json_encode(['status' => $ok ? 'ok' : 'failing'] + $health), "\n";
    return;
}

if ($path === '/entries' && $method === 'GET') {
    header('Content-Type: application/json');
    echo json_encode(['count' => $app->count(), 'entries' => $app->entries()]), "\n";
    return;
}

if ($path === '/' && $method === 'POST') {
    try {
        $app->sign((string) ($_POST['name'] ?? ''), (string) ($_POST['message'] ?? ''));
    } catch (InvalidArgumentException $e) {
        http_response_code(422);
        echo htmlspecialchars($e->getMessage()), "\n";
        return;
    }
    http_response_code(303);
    header('Location: /');
    return;
}

if ($path !== '/') {
    http_response_code(404);
    echo "not found\n";
    return;
}

$visits = $app->countVisit();
$entries = $app->entries();
$count = $app->count();
header('Content-Type: text/html; charset=utf-8');
$e = fn (string $s): string => htmlspecialchars($s, ENT_QUOTES);
?>
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Guestbook</title></head>
<body>
<h1>Guestbook</h1>
<p><?= $count ?> entries, visit number <?= $visits ?> (PHP <?= PHP_VERSION ?>, <?= $e(getenv('APP_ENV') ?: 'unknown') ?>)</p>
<form method="post" action="/">
  <input name="name" placeholder="Your name" required>
  <input name="message" placeholder="Your message" required>
  <button>Sign</button>
</form>
<ul>
<?php foreach ($entries as $entry): ?>
  <li><strong><?= $e($entry['name']) ?></strong>: <?= $e($entry['message']) ?></li>
<?php endforeach; ?>
</ul>
</body>
</html>
