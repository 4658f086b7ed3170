<?php

declare(strict_types=1);

namespace GuestbookTests;

use Guestbook\Connections;
use Guestbook\Guestbook;

/** Entries in PostgreSQL. */
final class GuestbookTest extends GuestbookTestCase
{
    private function guestbook(): Guestbook
    {
        return new Guestbook($this->db, $this->redis);
    }

    public function testSignStoresTheEntryAndFindReadsItBack(): void
    {
        $name = $this->uniqueName('Ada');
        $id = $this->guestbook()->sign($name, 'Hello from PHPUnit');

        $this->assertSame([['id' => $id, 'name' => $name, 'message' => 'Hello from PHPUnit']], $this->rowsNamed($this->db, $name));
        $entry = $this->guestbook()->find($id);
        $this->assertNotNull($entry);
        $this->assertSame(['id' => $id, 'name' => $name, 'message' => 'Hello from PHPUnit'], array_diff_key($entry, ['created_at' => 0]));
        $this->assertNotFalse(strtotime($entry['created_at']), "created_at is a timestamp: {$entry['created_at']}");
        $this->assertNull($this->guestbook()->find(-1));
    }

    public function testSignTrimsNameAndMessage(): void
    {
        $name = $this->uniqueName('Grace');
        $id = $this->guestbook()->sign("  $name\n", "\t spaced out  ");
        $this->assertSame('spaced out', $this->guestbook()->find($id)['message']);
        $this->assertSame($name, $this->guestbook()->find($id)['name']);
    }

    public function testEntriesListsTheNewestFirstUpToTheLimit(): void
    {
        $names = [];
        foreach (['first', 'second', 'third'] as $label) {
            $names[] = $name = $this->uniqueName($label);
            $this->guestbook()->sign($name, "message $label");
        }
        $newest = $this->guestbook()->entries(2);
        $this->assertSame([$names[2], $names[1]], array_column($newest, 'name'));
        $this->assertSame('message third', $newest[0]['message']);
        $this->assertIsInt($newest[0]['id']);
        $this->assertGreaterThan($newest[1]['id'], $newest[0]['id']);
        $this->assertSame([], $this->guestbook()->entries(0));
    }

    public function testUnicodeIsStoredIntactAndCountedInCharacters(): void
    {
        $name = str_repeat('é', 90) . bin2hex(random_bytes(5)); // 100 characters, 190 bytes
        $message = 'Grüße aus Köln 👋';
        $id = $this->guestbook()->sign($name, $message);
        $this->assertSame(['name' => $name, 'message' => $message], array_intersect_key($this->guestbook()->find($id), ['name' => 0, 'message' => 0]));
    }

    public function testACommittedEntryIsVisibleFromAnotherConnection(): void
    {
        $this->db->rollBack(); // this test commits: no transaction, and its row is deleted in tearDown
        $name = $this->uniqueName('Committed');
        $this->keepClean($name);
        $id = $this->guestbook()->sign($name, 'across connections');

        $other = Connections::postgres($this->config);
        $this->assertSame([['id' => $id, 'name' => $name, 'message' => 'across connections']], $this->rowsNamed($other, $name));
    }
}
