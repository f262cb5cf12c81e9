import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type MailboxAccess, MailboxAccessError, type MailboxChange } from '../mailbox-access';

/**
 * The behaviour the IMAP session relies on, as a test suite any `MailboxAccess` can be
 * run against: the in-memory double here, and the store's implementation when it
 * exists (call `mailboxAccessContract('store', () => ...)` from a spec in libs/store).
 * `open` must give a fresh user with INBOX, Sent, Drafts, Trash and Junk; `second`,
 * when given, a second session of the same user (to check change events between them).
 */
export function mailboxAccessContract(
  name: string,
  open: () => Promise<{ access: MailboxAccess; second?: MailboxAccess }>,
): void {
  const message = (subject: string): Buffer =>
    Buffer.from(`Subject: ${subject}\r\n\r\nbody of ${subject}\r\n`);

  async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
    await assert.rejects(
      promise,
      (error: unknown) => error instanceof MailboxAccessError && error.code === code,
    );
  }

  describe(`MailboxAccess contract: ${name}`, () => {
    it('lists the default folders with their special use', async () => {
      const { access } = await open();
      const folders = await access.listFolders();
      const uses = new Map(folders.map((f) => [f.name, f.specialUse]));
      assert.ok(uses.has('INBOX'));
      assert.equal(uses.get('Sent'), '\\Sent');
      assert.equal(uses.get('Drafts'), '\\Drafts');
      assert.equal(uses.get('Trash'), '\\Trash');
      assert.equal(uses.get('Junk'), '\\Junk');
    });

    it('creates, renames with children, subscribes and deletes folders; refuses duplicates', async () => {
      const { access } = await open();
      await access.createFolder('报告');
      await access.createFolder('报告/2026', '\\Archive');
      await rejectsWith(access.createFolder('报告'), 'ALREADYEXISTS');
      await access.renameFolder('报告', '归档');
      const names = (await access.listFolders()).map((f) => f.name);
      assert.ok(names.includes('归档') && names.includes('归档/2026') && !names.includes('报告'));
      assert.equal(
        (await access.listFolders()).find((f) => f.name === '归档/2026')?.specialUse,
        '\\Archive',
      );
      await access.setSubscribed('归档', false);
      assert.equal((await access.listFolders()).find((f) => f.name === '归档')?.subscribed, false);
      await access.deleteFolder('归档/2026');
      await rejectsWith(access.selectFolder('归档/2026', { claimRecent: false }), 'NONEXISTENT');
    });

    it('appends with ascending UIDs and mod-sequences and returns the bytes unchanged', async () => {
      const { access } = await open();
      const before = await access.selectFolder('INBOX', { claimRecent: false });
      const raw = Buffer.concat([message('一'), Buffer.from([0xff, 0x00, 0x80])]);
      const first = await access.appendMessage(
        'INBOX',
        raw,
        ['\\Seen', '$Work'],
        new Date('2026-01-02T03:04:05Z'),
      );
      const second = await access.appendMessage('INBOX', message('二'), [], new Date());
      assert.equal(first.uidValidity, before.uidValidity);
      assert.ok(first.uid >= before.uidNext && second.uid > first.uid);
      const after = await access.selectFolder('INBOX', { claimRecent: false });
      assert.equal(after.uidNext, second.uid + 1);
      assert.ok(after.highestModseq > before.highestModseq);
      const stored = after.messages.find((m) => m.uid === first.uid);
      assert.deepEqual([...(stored?.flags ?? [])].sort(), ['$Work', '\\Seen']);
      assert.equal(stored?.size, raw.length);
      assert.equal(stored?.internalDate.toISOString(), '2026-01-02T03:04:05.000Z');
      assert.deepEqual(await access.readMessage('INBOX', first.uid), raw);
      assert.deepEqual(
        after.messages.map((m) => m.uid),
        [...after.messages.map((m) => m.uid)].sort((a, b) => a - b),
      );
      await rejectsWith(
        access.appendMessage('Nowhere', message('x'), [], new Date()),
        'NONEXISTENT',
      );
      await rejectsWith(access.readMessage('INBOX', 999_999), 'NONEXISTENT');
    });

    it('claims \\Recent once', async () => {
      const { access } = await open();
      const { uid } = await access.appendMessage('INBOX', message('r'), [], new Date());
      const peek = await access.selectFolder('INBOX', { claimRecent: false });
      assert.ok(peek.recentUids.includes(uid));
      const claim = await access.selectFolder('INBOX', { claimRecent: true });
      assert.ok(claim.recentUids.includes(uid));
      const later = await access.selectFolder('INBOX', { claimRecent: true });
      assert.ok(!later.recentUids.includes(uid));
    });

    it('stores flags (set, add, remove) raising mod-sequences, honours UNCHANGEDSINCE', async () => {
      const { access } = await open();
      const { uid } = await access.appendMessage('INBOX', message('f'), ['a'], new Date());
      const added = await access.storeFlags('INBOX', [uid], 'add', ['\\Flagged', 'b']);
      assert.deepEqual([...added.updated[0].flags].sort(), ['\\Flagged', 'a', 'b']);
      const removed = await access.storeFlags('INBOX', [uid], 'remove', ['a']);
      assert.ok(removed.updated[0].modseq > added.updated[0].modseq);
      const set = await access.storeFlags('INBOX', [uid], 'set', ['\\Seen']);
      assert.deepEqual(set.updated[0].flags, ['\\Seen']);
      const unchanged = await access.storeFlags('INBOX', [uid], 'add', ['\\Seen']);
      assert.deepEqual(unchanged.updated, [], 'no change, no new mod-sequence');
      const conflict = await access.storeFlags(
        'INBOX',
        [uid],
        'add',
        ['c'],
        set.updated[0].modseq - 1,
      );
      assert.deepEqual(conflict.modified, [uid]);
      assert.deepEqual(conflict.updated, []);
    });

    it('copies and moves with UID maps, expunges only \\Deleted, remembers expunges', async () => {
      const { access } = await open();
      const a = await access.appendMessage('INBOX', message('a'), [], new Date());
      const b = await access.appendMessage('INBOX', message('b'), [], new Date());
      const copied = await access.copyMessages('INBOX', [a.uid, b.uid], 'Trash');
      assert.deepEqual(copied.sourceUids, [a.uid, b.uid]);
      assert.equal(copied.destinationUids.length, 2);
      assert.deepEqual(await access.readMessage('Trash', copied.destinationUids[1]), message('b'));
      const mark = (await access.selectFolder('INBOX', { claimRecent: false })).highestModseq;
      const moved = await access.moveMessages('INBOX', [a.uid], 'Junk');
      assert.deepEqual(moved.sourceUids, [a.uid]);
      await rejectsWith(access.readMessage('INBOX', a.uid), 'NONEXISTENT');
      await access.storeFlags('INBOX', [b.uid], 'add', ['\\Deleted']);
      assert.deepEqual(await access.expunge('INBOX', [a.uid]), [], 'only among the given UIDs');
      assert.deepEqual(await access.expunge('INBOX'), [b.uid]);
      assert.deepEqual((await access.expungedSince('INBOX', mark)).sort(), [a.uid, b.uid].sort());
      await rejectsWith(access.copyMessages('INBOX', [b.uid], 'Nowhere'), 'NONEXISTENT');
    });

    it('opens many messages at once: whole bytes, header blocks, gone ones as undefined', async (t) => {
      const { access } = await open();
      if (!access.openMessages) return t.skip('openMessages is optional');
      const lfHeader = 'Subject: lf\nX-Long: ' + 'h'.repeat(9000) + '\n\n';
      const raws = [
        Buffer.from('Subject: crlf\r\nFrom: a@b.test\r\n\r\nbody\r\n\r\nmore\r\n'),
        Buffer.from(`${lfHeader}body after a header longer than one read\n`),
        Buffer.from('Subject: no body, no blank line\r\n'),
        Buffer.from('\r\nbody only\r\n'),
      ];
      const uids: number[] = [];
      for (const raw of raws)
        uids.push((await access.appendMessage('INBOX', raw, [], new Date())).uid);
      const source = await access.openMessages('INBOX', [...uids, 999_999]);
      for (const [i, uid] of uids.entries()) assert.deepEqual(await source.read(uid), raws[i]);
      assert.equal(
        (await source.readHeader(uids[0]))?.toString(),
        'Subject: crlf\r\nFrom: a@b.test\r\n\r\n',
      );
      assert.equal((await source.readHeader(uids[1]))?.toString(), lfHeader);
      // Asked twice (a store may cache it): the same bytes.
      assert.equal((await source.readHeader(uids[1]))?.toString(), lfHeader);
      assert.deepEqual(await source.readHeader(uids[2]), raws[2]);
      assert.equal((await source.readHeader(uids[3]))?.toString(), '\r\n');
      assert.equal(await source.read(999_999), undefined);
      assert.equal(await source.readHeader(999_999), undefined);

      await access.storeFlags('INBOX', [uids[0]], 'add', ['\\Deleted']);
      await access.expunge('INBOX');
      const later = await access.openMessages('INBOX', uids);
      assert.equal(await later.read(uids[0]), undefined, 'expunged before the source was opened');
      assert.equal(await later.readHeader(uids[0]), undefined);
      assert.deepEqual(await later.read(uids[1]), raws[1]);
      const nowhere = await access.openMessages('Nowhere', uids);
      assert.equal(await nowhere.read(uids[1]), undefined, 'an unknown folder reads as empty');
    });

    it('reports quota usage', async () => {
      const { access } = await open();
      const before = await access.getQuota();
      await access.appendMessage('INBOX', message('q'), [], new Date());
      const after = await access.getQuota();
      assert.equal(after.storageUsedBytes - before.storageUsedBytes, message('q').length);
      assert.equal(after.messageCount - before.messageCount, 1);
    });

    it('tells every session of the user about changes', async () => {
      const { access, second } = await open();
      const listener = second ?? access;
      const seen: MailboxChange[] = [];
      const stop = listener.subscribe((change) => seen.push(change));
      const { uid } = await access.appendMessage('INBOX', message('e'), [], new Date());
      await access.storeFlags('INBOX', [uid], 'add', ['\\Deleted']);
      await access.expunge('INBOX');
      const deadline = Date.now() + 2000;
      while (seen.filter((c) => c.folder === 'INBOX').length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      stop();
      assert.deepEqual(
        seen.filter((c) => c.folder === 'INBOX').map((c) => c.kind),
        ['added', 'flags', 'expunged'],
      );
    });
  });
}
