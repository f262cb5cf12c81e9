import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { segmentText, type TextEncoding } from '@dizi/gateway-kit';
import { bytesToHex, decodeSmsPdu } from './sms-pdu';
import { encodeSubmit, submitOfSegment } from './sms-submit';
import { relativeValidityMinutes } from './validity';

/**
 * Cross-check with gammu 1.42 (an encoder nobody here wrote): its dummy phone driver
 * prints the SUBMIT PDUs it would send. gammu puts an empty SCA as "0181", ours is
 * "00", so the comparison starts at the first octet.
 */
const gammuPresent = spawnSync('gammu', ['--version']).status === 0;
const dir = mkdtempSync(path.join(tmpdir(), 'dizi-gammu-'));
mkdirSync(path.join(dir, 'phone'));
writeFileSync(
  path.join(dir, 'rc'),
  `[gammu]\ndevice=${path.join(dir, 'phone')}\nconnection=none\nmodel=dummy\n`,
);
after(() => rmSync(dir, { recursive: true, force: true }));

function gammuPdus(args: string[]): string[] {
  const r = spawnSync('gammu', ['-c', path.join(dir, 'rc'), 'displaysms', ...args], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return [...r.stdout.matchAll(/Whole PDU\s*:\s*([0-9A-F]+)/g)].map((m) => m[1]);
}

function ours(text: string, encoding: TextEncoding, reference: number): string[] {
  const message = segmentText(text, { encodings: [encoding], reference });
  return message.segments.map((s) =>
    bytesToHex(
      encodeSubmit(
        submitOfSegment(s, encoding === 'ucs2' ? 'ucs2' : 'gsm7', {
          destination: '+8613800138000',
          validity: { relativeMinutes: relativeValidityMinutes(255) },
        }),
      ).pdu,
    ),
  );
}

describe(
  'SMS-SUBMIT against gammu (skipped when gammu is not installed)',
  { skip: !gammuPresent },
  () => {
    const cases: [string, TextEncoding, string[]][] = [
      ['Hello from Dizi: {€} [ok] ~ ^', 'gsm7', []],
      ['The quick brown fox jumps over the lazy dog. '.repeat(8), 'gsm7', ['-len', '400']],
      ['长'.repeat(100), 'ucs2', ['-len', '400', '-unicode']],
      ['你好，世界 😀 emoji', 'ucs2', ['-unicode']],
    ];
    for (const [text, encoding, extra] of cases) {
      it(`${encoding} ${text.slice(0, 20)}… (${text.length} chars)`, () => {
        const theirs = gammuPdus(['TEXT', '+8613800138000', ...extra, '-text', text]);
        // Use gammu's concatenation reference so the UDHs can be compared.
        const udhRef = theirs.length > 1 ? parseInt(theirs[0].slice(2 * 20, 2 * 21), 16) : 0;
        const mine = ours(text, encoding, udhRef);
        assert.equal(mine.length, theirs.length);
        for (let i = 0; i < mine.length; i++) {
          assert.equal(mine[i].slice(2), theirs[i].slice(4), `part ${i + 1}`);
          // And our decoder reads gammu's PDU back (after swapping the SCA form).
          const decoded = decodeSmsPdu('00' + theirs[i].slice(4));
          assert.equal(decoded.type, 'submit');
        }
      });
    }
  },
);
