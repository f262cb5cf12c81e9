import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ByteBoundedCache, FsBlobStore, headerEnd } from './blob-store';

describe('headerEnd', () => {
  it('finds the blank line after the header (CRLF, LF, mixed) or reports none yet', () => {
    const end = (text: string): number => headerEnd(Buffer.from(text, 'latin1'));
    assert.equal(end('A: 1\r\nB: 2\r\n\r\nbody'), 14);
    assert.equal(end('A: 1\nB: 2\n\nbody'), 11);
    assert.equal(end('A: 1\n\r\nbody'), 7);
    assert.equal(end('\r\nbody'), 2);
    assert.equal(end('\nbody'), 1);
    assert.equal(end('A: 1\r\nB: 2\r\n'), -1, 'the next read may bring the blank line');
    assert.equal(end('A: 1\r\n\r'), -1);
    assert.equal(end('A: 1'), -1);
    // Only the first `length` bytes count (a read buffer larger than what was read).
    assert.equal(headerEnd(Buffer.from('A: 1\n\nbody'), 5), -1);
  });
});

describe('ByteBoundedCache', () => {
  it('evicts the least recently used entries beyond its byte bound', () => {
    const cache = new ByteBoundedCache(12);
    for (const key of ['a', 'b', 'c']) cache.set(key, Buffer.alloc(4));
    assert.ok(cache.get('a'), 'a, aged by more than half the bound, moves to the back');
    cache.set('d', Buffer.alloc(4));
    assert.equal(cache.get('b'), undefined, 'b was the least recently used');
    assert.ok(cache.get('c'), 'c is young: the hit leaves it in place');
    cache.set('e', Buffer.alloc(4));
    assert.equal(cache.get('c'), undefined);
    assert.ok(cache.get('a') && cache.get('d') && cache.get('e'));
    assert.equal(cache.totalBytes, 12);
    cache.set('huge', Buffer.alloc(13));
    assert.equal(cache.get('huge'), undefined, 'larger than the whole cache: not kept');
    assert.equal(cache.size, 3);
    cache.set('a', Buffer.alloc(2));
    assert.equal(cache.totalBytes, 10, 'a replaced entry is counted once');
    cache.delete('a');
    cache.delete('missing');
    assert.equal(cache.totalBytes, 8);
  });
});

describe('FsBlobStore.readHeader', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dizi-blobs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const store = new FsBlobStore(dir);

  it('returns the header block only, for short and long headers, sync and async', async () => {
    const short = Buffer.from('Subject: s\r\n\r\n' + 'x'.repeat(50_000));
    const longHeader = `Subject: l\r\nX-Long: ${'h'.repeat(10_000)}\r\n\r\n`;
    const long = Buffer.from(`${longHeader}body\r\n`);
    await store.put('short000', short);
    await store.put('long0000', long);
    for (const sizeHint of [short.length, undefined, 10 * 1024 * 1024]) {
      assert.equal((await store.readHeader('short000', sizeHint)).toString(), 'Subject: s\r\n\r\n');
    }
    assert.equal((await store.readHeader('long0000', long.length)).toString(), longHeader);
    assert.equal((await store.readHeader('long0000')).toString(), longHeader);
    // Blobs never change: a second read is answered from memory, not from the file.
    rmSync(store.localPath('long0000'));
    assert.equal((await store.readHeader('long0000')).toString(), longHeader);
  });

  it('returns a whole message without a blank line, and forgets a deleted blob', async () => {
    const headerOnly = Buffer.from('Subject: no blank line\r\n');
    await store.put('noblank0', headerOnly);
    assert.deepEqual(await store.readHeader('noblank0', headerOnly.length), headerOnly);
    await store.delete('noblank0');
    await assert.rejects(store.readHeader('noblank0', headerOnly.length), { code: 'ENOENT' });
  });
});
