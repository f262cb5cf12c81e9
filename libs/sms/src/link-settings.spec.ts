import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalJson,
  isSecretField,
  maskSecrets,
  restoreSecrets,
  SECRET_MASK,
} from './link-settings';

describe('link settings: secrets and fingerprints', () => {
  it('knows the credential fields of every kind, and not their neighbours', () => {
    for (const f of ['secret', 'password', 'smgPassword', 'pin', 'Authorization', 'X-Api-Key'])
      assert.ok(isSecretField(f), f);
    for (const f of ['secretHeader', 'account', 'systemId', 'host', 'prefixes', 'pinned'])
      assert.ok(!isSecretField(f), f);
  });

  it('masks secrets at any depth and leaves the rest alone', () => {
    const raw = {
      id: 'h1',
      kind: 'http-sms',
      secret: 's3cret',
      headers: { Authorization: 'Bearer abc', 'X-Ref': '{{id}}' },
      inbound: { secret: 'callback-secret', secretHeader: 'x-sig' },
      modems: [{ path: '/dev/ttyUSB0', pin: '1234' }],
      empty: { password: '' },
    };
    const masked = maskSecrets(raw);
    assert.deepEqual(masked, {
      id: 'h1',
      kind: 'http-sms',
      secret: SECRET_MASK,
      headers: { Authorization: SECRET_MASK, 'X-Ref': '{{id}}' },
      inbound: { secret: SECRET_MASK, secretHeader: 'x-sig' },
      modems: [{ path: '/dev/ttyUSB0', pin: SECRET_MASK }],
      empty: { password: '' },
    });
    assert.equal(raw.secret, 's3cret', 'the original is not changed');
    assert.ok(!JSON.stringify(masked).includes('s3cret'));
    assert.ok(!JSON.stringify(masked).includes('1234'));
  });

  it('puts the stored secret back where the mask was sent, and says when there is none', () => {
    const stored = { secret: 'old', inbound: { secret: 'cb-old' }, modems: [{ pin: '0000' }] };
    const next: Record<string, unknown> = {
      secret: SECRET_MASK,
      inbound: { secret: SECRET_MASK },
      modems: [{ pin: SECRET_MASK }],
      host: SECRET_MASK, // not a secret field: the mask is taken literally
    };
    assert.equal(restoreSecrets(next, stored), null);
    assert.deepEqual(next, {
      secret: 'old',
      inbound: { secret: 'cb-old' },
      modems: [{ pin: '0000' }],
      host: SECRET_MASK,
    });
    const changed: Record<string, unknown> = { secret: 'new' };
    assert.equal(restoreSecrets(changed, stored), null);
    assert.equal(changed.secret, 'new');
    assert.equal(restoreSecrets({ inbound: { secret: SECRET_MASK } }, {}), 'inbound.secret');
  });

  it('spells equal settings the same whatever the key order', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: 2 } }),
      canonicalJson({ a: { c: 2, d: [1, { x: 2, y: 1 }] }, b: 1 }),
    );
    assert.notEqual(
      canonicalJson({ prefixes: ['1', '2'] }),
      canonicalJson({ prefixes: ['2', '1'] }),
    );
  });
});
