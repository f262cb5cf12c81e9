import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkConfigError, LinkRegistry } from '@dizi/gateway-kit';
import { validateModemLinkConfig } from './modem-link-config';
import { modemLinkFactory, modemPoolFactory } from './modem-link-factory';
import { ModemLink } from './modem-link';
import { ModemPool, validateModemPoolConfig } from './modem-pool';

describe('modem link configuration', () => {
  it('fills defaults: 115200 baud, CNMI 2,1,0,1,0, one SMS per 3 s', () => {
    const c = validateModemLinkConfig({ id: 'g', kind: 'modem', path: '/dev/ttyUSB0' });
    assert.deepEqual(
      [c.baudRate, c.cnmi, c.csms, c.storage, c.sendIntervalMs, c.encodings, c.window],
      [115200, '2,1,0,1,0', 0, 'SM', 3000, ['gsm7', 'ucs2'], 1],
    );
  });

  it('names the wrong field', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ path: '' }, /path is required/],
      [{ pin: '12' }, /pin/],
      [{ smsc: 'abc' }, /smsc/],
      [{ cnmi: '2;1' }, /cnmi/],
      [{ csms: 2 }, /csms/],
      [{ encodings: ['gbk'] }, /encodings/],
      [{ sendIntervalMs: 0 }, /sendIntervalMs/],
      [{ initCommands: ['rm -rf'] }, /initCommands/],
      [{ kind: 'cmpp' }, /kind must be "modem"/],
    ];
    for (const [override, message] of bad) {
      assert.throws(
        () => validateModemLinkConfig({ id: 'g', kind: 'modem', path: '/dev/x', ...override }),
        (e: unknown) => e instanceof LinkConfigError && message.test(e.message),
        JSON.stringify(override),
      );
    }
  });

  it('pool: members inherit pool-level settings and get ids "<pool>.<member>"', () => {
    const c = validateModemPoolConfig({
      id: 'p',
      kind: 'modem-pool',
      sendIntervalMs: 4000,
      prefixes: ['139'],
      modems: [{ path: '/dev/a' }, { id: 'b', path: '/dev/b', sendIntervalMs: 2000 }],
    });
    assert.deepEqual(
      c.modems.map((m) => [m.id, m.kind, m.sendIntervalMs, m.prefixes]),
      [
        ['p.1', 'modem', 4000, []],
        ['p.b', 'modem', 2000, []],
      ],
    );
    assert.throws(
      () => validateModemPoolConfig({ id: 'p', kind: 'modem-pool', modems: [] }),
      /modems/,
    );
    assert.throws(
      () => validateModemPoolConfig({ id: 'p', kind: 'modem-pool', modems: [{ id: 'x' }] }),
      /p\.x: path is required/,
    );
  });

  it('registers kinds "modem" and "modem-pool"; links start down', () => {
    const registry = new LinkRegistry([modemLinkFactory, modemPoolFactory]);
    const sink = { message: () => undefined, report: () => undefined };
    const link = registry.create({ id: 'g', kind: 'modem', path: '/dev/x' }, { sink });
    assert.ok(link instanceof ModemLink);
    assert.equal(link.health().state, 'down');
    const pool = registry.create(
      { id: 'p', kind: 'modem-pool', modems: [{ path: '/dev/x' }] },
      { sink },
    );
    assert.ok(pool instanceof ModemPool);
    assert.equal(pool.health().state, 'down');
  });
});
