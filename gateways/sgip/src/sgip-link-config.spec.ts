import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkConfigError, LinkRegistry } from '@dizi/gateway-kit';
import { SgipLink } from './sgip-link';
import { sgipLinkFactory } from './sgip-link-factory';
import { validateSgipLinkConfig } from './sgip-link-config';

const minimal = {
  id: 'cu1',
  kind: 'sgip',
  host: '127.0.0.1',
  account: 'sp41027',
  secret: 'pw',
  nodeId: 3053112345,
  corpId: '41027',
  srcId: '10655',
};

describe('SGIP link configuration', () => {
  it('fills defaults: port 8801, listener 8001 on loopback, SMG login = ours, report always', () => {
    const c = validateSgipLinkConfig(minimal);
    assert.deepEqual(
      [c.port, c.listenHost, c.listenPort, c.smgLogin, c.smgPassword, c.userNumberPrefix, c.window],
      [8801, '127.0.0.1', 8001, 'sp41027', 'pw', '86', 16],
    );
  });

  it('names the field that is wrong', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ nodeId: -1 }, /nodeId/],
      [{ nodeId: undefined }, /nodeId/],
      [{ corpId: '410270' }, /corpId/],
      [{ srcId: 'abc' }, /srcId must be digits/],
      [{ listenPort: 70000 }, /listenPort/],
      [{ account: 'a'.repeat(17) }, /account/],
      [{ feeType: 256 }, /feeType/],
      [{ kind: 'cmpp' }, /kind must be "sgip"/],
    ];
    for (const [override, message] of bad) {
      assert.throws(
        () => validateSgipLinkConfig({ ...minimal, ...override }),
        (e: unknown) => e instanceof LinkConfigError && message.test(e.message),
        JSON.stringify(override),
      );
    }
  });

  it('registers under kind "sgip"', () => {
    const registry = new LinkRegistry([sgipLinkFactory]);
    const link = registry.create(minimal, {
      sink: { message: () => undefined, report: () => undefined },
    });
    assert.ok(link instanceof SgipLink);
    assert.equal(link.health().state, 'down');
  });
});
