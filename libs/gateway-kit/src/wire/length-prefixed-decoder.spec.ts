import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PduDecodeError } from '../errors';
import { OctetReader } from './octet-reader';
import { LengthPrefixedDecoder } from './length-prefixed-decoder';

/** A toy protocol: 8-byte header (length, command), command 1 carries a u32. */
function toyDecoder() {
  return new LengthPrefixedDecoder<{ command: number; value?: number }>({
    protocol: 'TOY',
    headerLength: 8,
    maxPacketLength: 64,
    decode: (raw) => {
      const command = raw.readUInt32BE(4);
      if (command === 1) return { command, value: new OctetReader(raw.subarray(8)).u32('value') };
      if (command === 2) return { command };
      throw new PduDecodeError('unknown-command', `command ${command}`);
    },
  });
}

const packet = (command: number, body: number[] = []) => {
  const b = Buffer.alloc(8 + body.length);
  b.writeUInt32BE(8 + body.length, 0);
  b.writeUInt32BE(command, 4);
  Buffer.from(body).copy(b, 8);
  return b;
};

describe('LengthPrefixedDecoder', () => {
  it('decodes packets, skips undecodable ones and waits for partial ones', () => {
    const d = toyDecoder();
    const events = d.push(
      Buffer.concat([packet(1, [0, 0, 1, 0]), packet(9), packet(1, [1]), packet(2).subarray(0, 3)]),
    );
    assert.deepEqual(
      events.map((e) =>
        e.kind === 'pdu' ? e.pdu : `${e.kind}:${e.kind === 'fatal' ? '' : e.error.reason}`,
      ),
      [{ command: 1, value: 256 }, 'bad-packet:unknown-command', 'bad-packet:truncated'],
    );
    assert.equal(d.buffered, 3);
    assert.deepEqual(d.push(packet(2).subarray(3)), [
      { kind: 'pdu', pdu: { command: 2 }, raw: packet(2) },
    ]);
  });

  it('never throws on random bytes and stops after a fatal length (seeded fuzz)', () => {
    let seed = 0x2545f491;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    for (let round = 0; round < 500; round++) {
      const d = toyDecoder();
      let fatal = false;
      for (let chunk = 0; chunk < 10; chunk++) {
        const bytes = Buffer.alloc(Math.floor(random() * 40), 0);
        for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(random() * 256);
        // Sometimes a plausible header, so decoding paths (not only framing) get exercised.
        if (bytes.length >= 8 && random() < 0.5) {
          bytes.writeUInt32BE(8 + Math.floor(random() * 8), 0);
          bytes.writeUInt32BE(1 + Math.floor(random() * 3), 4);
        }
        const events = d.push(bytes);
        if (fatal) assert.deepEqual(events, []);
        for (const e of events) {
          assert.ok(['pdu', 'bad-packet', 'fatal'].includes(e.kind));
          if (e.kind === 'fatal') fatal = true;
        }
      }
    }
  });
});
