import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type LineEvent, LineReader } from './line-reader';

function drain(reader: LineReader, maxLength = 255): (string | 'TOO-LONG')[] {
  const out: (string | 'TOO-LONG')[] = [];
  let event: LineEvent | undefined;
  while ((event = reader.next(maxLength))) {
    out.push(event.type === 'line' ? event.bytes.toString('latin1') : 'TOO-LONG');
  }
  return out;
}

describe('LineReader', () => {
  it('frames CRLF and bare LF lines, across chunk borders', () => {
    const reader = new LineReader();
    reader.push(Buffer.from('STAT\r\nLI'));
    assert.deepEqual(drain(reader), ['STAT']);
    reader.push(Buffer.from('ST 1\r'));
    assert.deepEqual(drain(reader), []);
    reader.push(Buffer.from('\nNOOP\nQUIT\r\n'));
    assert.deepEqual(drain(reader), ['LIST 1', 'NOOP', 'QUIT']);
    assert.equal(reader.bufferedBytes, 0);
  });

  it('accepts a line of exactly 255 octets with its CRLF and refuses 256', () => {
    const reader = new LineReader();
    reader.push(Buffer.from(`${'a'.repeat(253)}\r\n${'b'.repeat(254)}\r\nNOOP\r\n`));
    assert.deepEqual(drain(reader), ['a'.repeat(253), 'TOO-LONG', 'NOOP']);
  });

  it('reports an endless line once and keeps nothing of it', () => {
    const reader = new LineReader();
    const events: (string | 'TOO-LONG')[] = [];
    for (let i = 0; i < 1000; i++) {
      reader.push(Buffer.alloc(1024, 0x41));
      events.push(...drain(reader));
      assert.ok(reader.bufferedBytes < 1024 + 255, 'memory stays bounded');
    }
    reader.push(Buffer.from('xyz\r\nSTAT\r\n'));
    events.push(...drain(reader));
    assert.deepEqual(events, ['TOO-LONG', 'STAT']);
  });

  it('takes a larger limit for one call (SASL responses)', () => {
    const reader = new LineReader();
    const long = 'Q'.repeat(600);
    reader.push(Buffer.from(`${long}\r\n`));
    assert.deepEqual(drain(reader, 1024), [long]);
  });

  it('forgets pipelined input on clear', () => {
    const reader = new LineReader();
    reader.push(Buffer.from('USER evil\r\nPASS x\r\n'));
    reader.clear();
    assert.equal(reader.next(255), undefined);
  });
});
