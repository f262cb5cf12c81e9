import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkConfigError, LinkRegistry } from '@dizi/gateway-kit';
import { smppLinkFactory } from './smpp-link-factory';
import { validateSmppLinkConfig } from './smpp-link-config';

const base = {
  id: 'smpp-1',
  kind: 'smpp',
  host: '127.0.0.1',
  systemId: 'dizi',
  password: 'pw',
  srcId: 'Dizi',
};

describe('SMPP link config', () => {
  it('fills defaults', () => {
    const c = validateSmppLinkConfig(base);
    assert.equal(c.port, 2775);
    assert.equal(c.window, 10);
    assert.equal(c.tps, 50);
    assert.deepEqual(c.encodings, ['gsm7', 'ucs2']);
    assert.equal(c.longMessages, 'udh');
    assert.equal(c.registeredDelivery, 1);
    assert.equal(c.receiptIdFormat, 'same');
    assert.equal(c.enquireLinkIntervalMs, 30_000);
  });

  it('takes account/secret as system_id/password', () => {
    const c = validateSmppLinkConfig({
      ...base,
      systemId: undefined,
      password: undefined,
      account: 'acc',
      secret: 'sec',
    });
    assert.equal(c.systemId, 'acc');
    assert.equal(c.password, 'sec');
  });

  it('names the bad field', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ kind: 'cmpp' }, /kind must be "smpp"/],
      [{ host: '' }, /host is required/],
      [{ systemId: 'x'.repeat(16) }, /systemId must be 1-15/],
      [{ password: '123456789' }, /password must be 0-8/],
      [{ srcId: 'TooLongSender1' }, /srcId must be up to 20 digits/],
      [{ encodings: ['gsm7', 'gbk'] }, /encodings must be a non-empty list/],
      [{ longMessages: 'split' }, /longMessages must be one of udh, sar, payload/],
      [{ receiptIdFormat: 'hex' }, /receiptIdFormat must be one of/],
      [{ destTon: 300 }, /destTon must be an integer 0-255/],
      [{ registeredDelivery: 64 }, /registeredDelivery must be an integer 0-31/],
      [{ reconnectMinMs: 500, reconnectMaxMs: 100 }, /reconnectMaxMs must not be below/],
      [{ window: 0 }, /window must be an integer/],
      [{ port: 70000 }, /port must be 1-65535/],
    ];
    for (const [patch, message] of bad) {
      assert.throws(
        () => validateSmppLinkConfig({ ...base, ...patch }),
        (e: unknown) => e instanceof LinkConfigError && message.test(e.message),
        JSON.stringify(patch),
      );
    }
  });

  it('is registered under kind "smpp"', () => {
    const registry = new LinkRegistry([smppLinkFactory]);
    assert.deepEqual(registry.kinds(), ['smpp']);
    assert.equal(registry.validate(base).kind, 'smpp');
    const link = registry.create(base, {
      sink: { message: () => undefined, report: () => undefined },
    });
    assert.equal(link.kind, 'smpp');
    assert.equal(link.health().state, 'down');
  });
});
