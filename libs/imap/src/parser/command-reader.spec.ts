import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandReader, type ReaderEvent } from './command-reader';

function feed(reader: CommandReader, ...chunks: (string | Buffer)[]): ReaderEvent[] {
  return chunks.flatMap((chunk) =>
    reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)),
  );
}

function commands(events: ReaderEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'command' ? [e.bytes.toString('latin1')] : []));
}

describe('CommandReader', () => {
  it('frames lines split across chunks and several commands in one chunk', () => {
    const reader = new CommandReader();
    const events = feed(reader, 'a1 NO', 'OP\r\na2 CAPABILITY\r\na3 LOG', 'OUT\r\n');
    assert.deepEqual(commands(events), ['a1 NOOP', 'a2 CAPABILITY', 'a3 LOGOUT']);
  });

  it('accepts a bare LF as line end', () => {
    assert.deepEqual(commands(feed(new CommandReader(), 'a NOOP\n')), ['a NOOP']);
  });

  it('asks for continuation on a synchronizing literal and keeps its bytes inline', () => {
    const reader = new CommandReader();
    const first = feed(reader, 'a LOGIN {4}\r\n');
    assert.deepEqual(first, [{ type: 'continue' }]);
    const rest = feed(reader, 'us', 'er {3}\r\n');
    assert.deepEqual(rest, [{ type: 'continue' }]);
    const end = feed(reader, 'p\r\n secret\r\n');
    assert.deepEqual(commands(end), ['a LOGIN {4}\r\nuser {3}\r\np\r\n secret']);
  });

  it('does not ask for continuation on a non-synchronizing literal (LITERAL+)', () => {
    const events = feed(new CommandReader(), 'a APPEND INBOX {5+}\r\nhello\r\n');
    assert.deepEqual(
      events.map((e) => e.type),
      ['command'],
    );
    assert.equal(commands(events)[0], 'a APPEND INBOX {5+}\r\nhello');
  });

  it('keeps CRLF and braces inside literal bytes', () => {
    const events = feed(new CommandReader(), 'a X {6+}\r\n{1}\r\nx\r\n');
    assert.deepEqual(commands(events), ['a X {6+}\r\n{1}\r\nx']);
  });

  it('refuses a 2 GB synchronizing literal from its announcement, then reads on', () => {
    const reader = new CommandReader({ maxLineLength: 1000, maxLiteralSize: 1024 });
    const events = feed(reader, 'a1 APPEND INBOX {2147483648}\r\na2 NOOP\r\n');
    assert.deepEqual(events[0], {
      type: 'literal-too-large',
      tag: 'a1',
      size: 2147483648,
      synchronizing: true,
    });
    assert.deepEqual(commands(events), ['a2 NOOP']);
  });

  it('stops on an oversized non-synchronizing literal (the session must close)', () => {
    const reader = new CommandReader({ maxLineLength: 1000, maxLiteralSize: 1024 });
    const events = feed(reader, 'a1 APPEND INBOX {99999999999+}\r\nxxxx\r\na2 NOOP\r\n');
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'literal-too-large');
    assert.equal(reader.stopped, true);
  });

  it('counts all literals of a command against the literal limit', () => {
    const reader = new CommandReader({ maxLineLength: 1000, maxLiteralSize: 10 });
    const events = feed(reader, 'a X {6+}\r\n123456 {6+}\r\n');
    assert.equal(events.at(-1)?.type, 'literal-too-large');
  });

  it('skips a 100 KB line without keeping it and answers with the tag', () => {
    const reader = new CommandReader({ maxLineLength: 8192, maxLiteralSize: 1024 });
    const before = process.memoryUsage().heapUsed;
    const events: ReaderEvent[] = [];
    events.push(...reader.push(Buffer.from('t9 FETCH 1 (')));
    for (let i = 0; i < 100; i++) events.push(...reader.push(Buffer.alloc(1024, 0x41)));
    events.push(...reader.push(Buffer.from(')\r\nt10 NOOP\r\n')));
    assert.deepEqual(events, [
      { type: 'line-too-long', tag: 't9' },
      { type: 'command', bytes: Buffer.from('t10 NOOP') },
    ]);
    const internal = reader as unknown as { pendingLine: Buffer[]; parts: Buffer[] };
    assert.equal(internal.pendingLine.length + internal.parts.length, 0);
    assert.ok(process.memoryUsage().heapUsed - before < 50 * 1024 * 1024);
  });

  it('streams a literal delivered byte by byte', () => {
    const reader = new CommandReader();
    const events: ReaderEvent[] = [];
    for (const byte of Buffer.from('a APPEND x {3}\r\nabc\r\n')) {
      events.push(...reader.push(Buffer.from([byte])));
    }
    assert.deepEqual(commands(events), ['a APPEND x {3}\r\nabc']);
  });
});
