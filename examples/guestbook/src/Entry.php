<?php

declare(strict_types=1);

namespace Guestbook;

/** The rules for a signature: a name and a message, trimmed, neither empty nor too long. */
final class Entry
{
    public const NAME_MAX = 100;
    public const MESSAGE_MAX = 1000;

    /**
     * @return array{name:string,message:string} the trimmed values
     * @throws ValidationException with every problem, by field
     */
    public static function validate(string $name, string $message): array
    {
        $values = ['name' => trim($name), 'message' => trim($message)];
        $limits = ['name' => self::NAME_MAX, 'message' => self::MESSAGE_MAX];
        $errors = [];
        foreach ($values as $field => $value) {
            if (!mb_check_encoding($value, 'UTF-8')) {
                $errors[$field] = "The $field is not valid UTF-8.";
            } elseif ($value === '') {
                $errors[$field] = "The $field is required.";
            } elseif (mb_strlen($value) > $limits[$field]) {
                $errors[$field] = sprintf('The %s is too long (%d characters, at most %d).', $field, mb_strlen($value), $limits[$field]);
            }
        }
        if ($errors !== []) {
            throw new ValidationException($errors);
        }
        return $values;
    }
}
