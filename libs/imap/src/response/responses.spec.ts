import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capabilities } from './capabilities';
import { Atom, Literal, Preserialized, serializeValues } from './imap-value';
import { continuation, statusResponse, untagged } from './responses';

const text = (values: Parameters<typeof serializeValues>[0]): string =>
  serializeValues(values).toString('latin1');

describe('response writer', () => {
  it('writes NIL, numbers, atoms and nested lists', () => {
    assert.equal(
      text([null, 12, new Atom('\\Seen'), [new Atom('A'), [1, null]], []]),
      'NIL 12 \\Seen (A (1 NIL)) ()',
    );
  });

  it('quotes short 7-bit strings with escapes', () => {
    assert.equal(text(['a "quoted" \\ string', '']), '"a \\"quoted\\" \\\\ string" ""');
  });

  it('sends 8-bit, CR/LF and long strings as literals, byte for byte', () => {
    const chinese = Buffer.from('主题', 'utf8');
    assert.equal(serializeValues(['主题']).toString('utf8'), '{6}\r\n主题');
    assert.deepEqual(serializeValues([chinese]), Buffer.concat([Buffer.from('{6}\r\n'), chinese]));
    assert.equal(text(['a\r\nb']), '{4}\r\na\r\nb');
    const gbk = Buffer.from([0xd6, 0xd0, 0xce, 0xc4]);
    assert.deepEqual(serializeValues([gbk]), Buffer.concat([Buffer.from('{4}\r\n'), gbk]));
    assert.match(text(['x'.repeat(2000)]), /^\{2000\}\r\nx+$/);
    assert.equal(text([new Literal(Buffer.from('ok'))]), '{2}\r\nok');
  });

  it('writes a preserialized value byte for byte, 8-bit literals included', () => {
    const value = [
      Buffer.from('a "q"'),
      Buffer.from('主题', 'utf8'),
      null,
      new Literal(Buffer.from([0xff, 0x0a])),
    ];
    const direct = serializeValues([new Atom('ENVELOPE'), value]);
    const once = Preserialized.of(value);
    assert.deepEqual(serializeValues([new Atom('ENVELOPE'), once]), direct);
    assert.deepEqual(serializeValues([new Atom('ENVELOPE'), once]), direct, 'reusable');
  });

  it('writes untagged, tagged and continuation responses', () => {
    assert.equal(untagged([23, new Atom('EXISTS')]).toString(), '* 23 EXISTS\r\n');
    assert.equal(
      statusResponse('a1', 'OK', 'SELECT completed', 'READ-WRITE').toString(),
      'a1 OK [READ-WRITE] SELECT completed\r\n',
    );
    assert.equal(statusResponse('*', 'BYE', 'bad\r\nline').toString(), '* BYE bad line\r\n');
    assert.equal(continuation().toString(), '+ \r\n');
    assert.equal(continuation('Ready').toString(), '+ Ready\r\n');
  });

  it('announces the full capability list before login, with STARTTLS and auth rules', () => {
    const plain = capabilities({
      secure: false,
      tlsAvailable: true,
      requireTlsForAuth: true,
      authenticated: false,
      compressed: false,
      appendLimit: 1000,
    });
    assert.ok(plain.includes('APPENDLIMIT=1000'));
    assert.ok(plain.includes('IMAP4rev1') && plain.includes('IDLE') && plain.includes('QRESYNC'));
    assert.ok(plain.includes('STARTTLS') && plain.includes('LOGINDISABLED'));
    assert.ok(!plain.includes('AUTH=PLAIN'));
    const tls = capabilities({
      secure: true,
      tlsAvailable: true,
      requireTlsForAuth: true,
      authenticated: false,
      compressed: false,
      appendLimit: 1000,
    });
    assert.ok(tls.includes('AUTH=PLAIN') && !tls.includes('STARTTLS'));
    const after = capabilities({
      secure: true,
      tlsAvailable: true,
      requireTlsForAuth: true,
      authenticated: true,
      compressed: true,
      appendLimit: 1000,
    });
    assert.ok(!after.includes('AUTH=PLAIN') && !after.includes('COMPRESS=DEFLATE'));
  });
});
