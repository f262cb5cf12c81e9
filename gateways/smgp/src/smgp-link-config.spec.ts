import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkConfigError, LinkRegistry } from '@dizi/gateway-kit';
import { SmgpLink } from './smgp-link';
import { smgpLinkFactory } from './smgp-link-factory';
import { validateSmgpLinkConfig } from './smgp-link-config';

const minimal = {
  id: 'ct1',
  kind: 'smgp',
  host: '127.0.0.1',
  account: '10001234',
  secret: 'pw',
  srcId: '10660001',
};

describe('SMGP link configuration', () => {
  it('fills defaults: port 8890, transmit mode, free fee, spec timers', () => {
    const c = validateSmgpLinkConfig(minimal);
    assert.deepEqual(
      [
        c.port,
        c.loginMode,
        c.feeType,
        c.window,
        c.activeTestIntervalMs,
        c.responseTimeoutMs,
        c.maxAttempts,
      ],
      [8890, 2, '00', 16, 180_000, 60_000, 3],
    );
  });

  it('names the field that is wrong', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ account: '123456789' }, /account must be 1-8/],
      [{ srcId: '1066x' }, /srcId must be digits/],
      [{ loginMode: 3 }, /loginMode/],
      [{ feeType: '000' }, /feeType/],
      [{ encodings: [] }, /encodings/],
      [{ kind: 'sgip' }, /kind must be "smgp"/],
    ];
    for (const [override, message] of bad) {
      assert.throws(
        () => validateSmgpLinkConfig({ ...minimal, ...override }),
        (e: unknown) => e instanceof LinkConfigError && message.test(e.message),
        JSON.stringify(override),
      );
    }
  });

  it('registers under kind "smgp"', () => {
    const registry = new LinkRegistry([smgpLinkFactory]);
    const link = registry.create(minimal, {
      sink: { message: () => undefined, report: () => undefined },
    });
    assert.ok(link instanceof SmgpLink);
    assert.equal(link.health().state, 'down');
  });
});
