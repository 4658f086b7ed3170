<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Entry;
use Guestbook\Guestbook;
use Guestbook\ValidationException;

/** What a signature must be; a rejected one writes nothing. */
final class ValidationTest extends GuestbookTestCase
{
    /** @return array<string,array{string,string,array<string,string>}> name, message, expected errors */
    public static function invalidSignatures(): array
    {
        return [
            'empty name' => ['', 'hello', ['name' => 'The name is required.']],
            'empty message' => ['Ada', '', ['message' => 'The message is required.']],
            'whitespace only' => [" \t\n", '   ', ['name' => 'The name is required.', 'message' => 'The message is required.']],
            'name too long' => [str_repeat('n', 101), 'hello', ['name' => 'The name is too long (101 characters, at most 100).']],
            'message too long' => ['Ada', str_repeat('m', 1001), ['message' => 'The message is too long (1001 characters, at most 1000).']],
            'multibyte name too long' => [str_repeat('é', 101), 'hello', ['name' => 'The name is too long (101 characters, at most 100).']],
            'invalid UTF-8' => ["Ada\xC3", 'hello', ['name' => 'The name is not valid UTF-8.']],
        ];
    }

    /**
     * @dataProvider invalidSignatures
     * @param array<string,string> $errors
     */
    public function testAnInvalidSignatureIsRejectedWithEveryError(string $name, string $message, array $errors): void
    {
        $before = $this->countRows();
        try {
            (new Guestbook($this->db, $this->redis))->sign($name, $message);
            $this->fail('the signature was accepted');
        } catch (ValidationException $e) {
            $this->assertSame($errors, $e->errors);
        }
        $this->assertSame($before, $this->countRows(), 'nothing was written');
    }

    public function testTheLongestValidValuesAreAccepted(): void
    {
        $name = str_repeat('n', Entry::NAME_MAX - 10) . bin2hex(random_bytes(5));
        $message = str_repeat('m', Entry::MESSAGE_MAX);
        $id = (new Guestbook($this->db, $this->redis))->sign($name, $message);
        $this->assertSame([['id' => $id, 'name' => $name, 'message' => $message]], $this->rowsNamed($this->db, $name));
    }

    public function testValidateReturnsTheTrimmedValues(): void
    {
        $this->assertSame(['name' => 'Ada', 'message' => 'hi there'], Entry::validate(' Ada ', "hi there\n"));
    }
}
