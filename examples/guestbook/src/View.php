<?php

declare(strict_types=1);

namespace Guestbook;

/** The HTML page. Everything that comes from a visitor goes through e(). */
final class View
{
    public static function e(string $text): string
    {
        return htmlspecialchars($text, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }

    /**
     * @param list<array{id:int,name:string,message:string,created_at:string}> $entries
     * @param array<string,string> $errors field => message, from a rejected signature
     * @param array{name?:string,message?:string} $old what the visitor typed, shown again after an error
     */
    public static function page(int $count, int $visits, array $entries, string $appEnv, array $errors = [], array $old = []): string
    {
        $e = self::e(...);
        $html = "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Guestbook</title></head>\n<body>\n<h1>Guestbook</h1>\n";
        $html .= sprintf("<p>%d entries, visit number %d (PHP %s, %s)</p>\n", $count, $visits, PHP_VERSION, $e($appEnv));
        if ($errors !== []) {
            $html .= "<ul class=\"errors\">\n";
            foreach ($errors as $field => $message) {
                $html .= sprintf("  <li data-field=\"%s\">%s</li>\n", $e($field), $e($message));
            }
            $html .= "</ul>\n";
        }
        $html .= "<form method=\"post\" action=\"/\">\n";
        $html .= sprintf("  <input name=\"name\" placeholder=\"Your name\" maxlength=\"%d\" required value=\"%s\">\n", Entry::NAME_MAX, $e($old['name'] ?? ''));
        $html .= sprintf("  <input name=\"message\" placeholder=\"Your message\" maxlength=\"%d\" required value=\"%s\">\n", Entry::MESSAGE_MAX, $e($old['message'] ?? ''));
        $html .= "  <button>Sign</button>\n</form>\n<ul>\n";
        foreach ($entries as $entry) {
            $html .= sprintf("  <li><strong>%s</strong>: %s</li>\n", $e($entry['name']), $e($entry['message']));
        }
        return $html . "</ul>\n</body>\n</html>\n";
    }
}
