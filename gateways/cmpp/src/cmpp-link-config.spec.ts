import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkConfigError, LinkRegistry } from '@dizi/gateway-kit';
import { CmppLink } from './cmpp-link';
import { cmppLinkFactory } from './cmpp-link-factory';
import { cmppVersionByte, validateCmppLinkConfig } from './cmpp-link-config';

const minimal = {
  id: 'cm1',
  kind: 'cmpp',
  host: '127.0.0.1',
  account: '901234',
  secret: 'pw',
  srcId: '10658888',
};

describe('CMPP link configuration', () => {
  it('fills the spec defaults: 3.0, port 7890, window 16, C = 3 min, T = 60 s, N = 3', () => {
    const c = validateCmppLinkConfig(minimal);
    assert.deepEqual(
      [
        c.version,
        c.port,
        c.window,
        c.activeTestIntervalMs,
        c.responseTimeoutMs,
        c.maxAttempts,
        c.msgSrc,
      ],
      ['3.0', 7890, 16, 180_000, 60_000, 3, '901234'],
    );
    assert.equal(cmppVersionByte(c), 0x30);
    assert.equal(cmppVersionByte(validateCmppLinkConfig({ ...minimal, version: '2.0' })), 0x20);
  });

  it('names the field that is wrong', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ version: '2.1' }, /version must be "2.0" or "3.0"/],
      [{ account: '1234567' }, /account must be 1-6/],
      [{ srcId: '10658888x' }, /srcId must be digits/],
      [{ srcId: '1'.repeat(22) }, /srcId must be 1-21/],
      [{ host: '' }, /host is required/],
      [{ feeUserType: 4 }, /feeUserType/],
      [{ encodings: ['gsm7'] }, /encodings/],
      [{ serviceId: 'ELEVENCHARS' }, /serviceId/],
      [{ reconnectMinMs: 10, reconnectMaxMs: 5 }, /reconnectMaxMs/],
      [{ kind: 'smgp' }, /kind must be "cmpp"/],
    ];
    for (const [override, message] of bad) {
      assert.throws(
        () => validateCmppLinkConfig({ ...minimal, ...override }),
        (e: unknown) => e instanceof LinkConfigError && message.test(e.message),
        JSON.stringify(override),
      );
    }
  });

  it('registers under kind "cmpp" and builds a CmppLink that starts down', () => {
    const registry = new LinkRegistry([cmppLinkFactory]);
    const link = registry.create(minimal, {
      sink: { message: () => undefined, report: () => undefined },
    });
    assert.ok(link instanceof CmppLink);
    assert.deepEqual(link.health(), {
      state: 'down',
      windowInUse: 0,
      windowSize: 16,
      ratePerSec: 0,
      tps: 100,
      errors: 0,
      lastError: undefined,
    });
  });
});
