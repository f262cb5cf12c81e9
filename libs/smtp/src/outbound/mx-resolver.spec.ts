import assert from 'node:assert/strict';
import type { MxRecord } from 'node:dns';
import { describe, it } from 'node:test';
import { InvalidRouteError, MxLookupError } from './delivery.errors';
import { MxResolver, type DnsResolver } from './mx-resolver';
import { parseRouteTarget, RouteTable } from './route-table';

/** A DNS zone in memory: names to records, or to an error code node's resolver would throw. */
interface FakeZone {
  mx?: Record<string, MxRecord[] | string>;
  a?: Record<string, string[] | string>;
  aaaa?: Record<string, string[] | string>;
}

function fakeDns(zone: FakeZone): DnsResolver & { queries: string[] } {
  const queries: string[] = [];
  const answer = <T>(
    table: Record<string, T[] | string> | undefined,
    name: string,
    type: string,
  ) => {
    queries.push(`${type} ${name}`);
    const entry = table?.[name];
    if (entry === undefined) return Promise.reject(dnsError('ENODATA', name));
    if (typeof entry === 'string') return Promise.reject(dnsError(entry, name));
    return Promise.resolve(entry);
  };
  return {
    queries,
    resolveMx: (name) => answer(zone.mx, name, 'MX'),
    resolve4: (name) => answer(zone.a, name, 'A'),
    resolve6: (name) => answer(zone.aaaa, name, 'AAAA'),
  };
}

function dnsError(code: string, name: string): Error {
  return Object.assign(new Error(`query ${code} ${name}`), { code });
}

async function rejection(promise: Promise<unknown>): Promise<MxLookupError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof MxLookupError, `expected MxLookupError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the lookup to fail');
}

describe('MxResolver', () => {
  it('orders MX hosts by preference and tries every address of each', async () => {
    const resolver = new MxResolver({
      resolver: fakeDns({
        mx: {
          'example.com': [
            { exchange: 'backup.example.com', priority: 20 },
            { exchange: 'primary.example.com', priority: 10 },
          ],
        },
        a: {
          'primary.example.com': ['192.0.2.1', '192.0.2.2'],
          'backup.example.com': ['192.0.2.9'],
        },
        aaaa: { 'primary.example.com': ['2001:db8::1'] },
      }),
    });
    const targets = await resolver.resolve('Example.COM.');
    assert.deepEqual(
      targets.map((t) => [t.host, t.address, t.port, t.preference, t.source]),
      [
        ['primary.example.com', '192.0.2.1', 25, 10, 'mx'],
        ['primary.example.com', '192.0.2.2', 25, 10, 'mx'],
        ['primary.example.com', '2001:db8::1', 25, 10, 'mx'],
        ['backup.example.com', '192.0.2.9', 25, 20, 'mx'],
      ],
    );
  });

  it('shuffles hosts of equal preference with the injected randomness', async () => {
    const zone: FakeZone = {
      mx: {
        'example.com': [
          { exchange: 'a.example.com', priority: 10 },
          { exchange: 'b.example.com', priority: 10 },
          { exchange: 'c.example.com', priority: 5 },
        ],
      },
      a: {
        'a.example.com': ['192.0.2.1'],
        'b.example.com': ['192.0.2.2'],
        'c.example.com': ['192.0.2.3'],
      },
    };
    const orders = new Set<string>();
    for (const value of [0, 0.2, 0.4, 0.6, 0.8, 0.99]) {
      const resolver = new MxResolver({ resolver: fakeDns(zone), random: () => value });
      const hosts = (await resolver.resolve('example.com')).map((t) => t.host);
      assert.equal(hosts[0], 'c.example.com', 'lowest preference always first');
      orders.add(hosts.join(','));
    }
    assert.deepEqual([...orders].sort(), [
      'c.example.com,a.example.com,b.example.com',
      'c.example.com,b.example.com,a.example.com',
    ]);
  });

  it('falls back to the A/AAAA records of the domain when it has no MX (RFC 5321 5.1)', async () => {
    const resolver = new MxResolver({
      resolver: fakeDns({ a: { 'example.org': ['192.0.2.7'] } }),
      smtpPort: 2525,
    });
    const targets = await resolver.resolve('example.org');
    assert.deepEqual(targets, [
      {
        host: 'example.org',
        address: '192.0.2.7',
        port: 2525,
        source: 'implicit-mx',
        preference: 0,
      },
    ]);
  });

  it('refuses a null MX permanently with 5.1.10 (RFC 7505)', async () => {
    const resolver = new MxResolver({
      resolver: fakeDns({ mx: { 'nomail.example': [{ exchange: '', priority: 0 }] } }),
    });
    const error = await rejection(resolver.resolve('nomail.example'));
    assert.equal(error.permanent, true);
    assert.equal(error.enhancedCode, '5.1.10');
    assert.match(error.message, /null MX/);
  });

  it('fails permanently for a domain that does not exist', async () => {
    const resolver = new MxResolver({ resolver: fakeDns({ mx: { 'gone.example': 'ENOTFOUND' } }) });
    const error = await rejection(resolver.resolve('gone.example'));
    assert.equal(error.permanent, true);
    assert.equal(error.enhancedCode, '5.1.2');
  });

  it('fails permanently when the domain has neither MX nor address', async () => {
    const resolver = new MxResolver({ resolver: fakeDns({}) });
    const error = await rejection(resolver.resolve('empty.example'));
    assert.equal(error.permanent, true);
    assert.match(error.message, /no MX, A or AAAA/);
  });

  it('defers when DNS itself fails (SERVFAIL, timeout)', async () => {
    for (const code of ['ESERVFAIL', 'ETIMEOUT']) {
      const resolver = new MxResolver({ resolver: fakeDns({ mx: { 'flaky.example': code } }) });
      const error = await rejection(resolver.resolve('flaky.example'));
      assert.equal(error.permanent, false, code);
      assert.equal(error.enhancedCode, '4.4.3');
    }
  });

  it('defers when MX hosts cannot be resolved for now, but bounces when they do not exist', async () => {
    const mx = { 'example.com': [{ exchange: 'mx.example.com', priority: 10 }] };
    const flaky = new MxResolver({
      resolver: fakeDns({ mx, a: { 'mx.example.com': 'ESERVFAIL' } }),
    });
    assert.equal((await rejection(flaky.resolve('example.com'))).permanent, false);
    const missing = new MxResolver({
      resolver: fakeDns({ mx, a: { 'mx.example.com': 'ENOTFOUND' } }),
    });
    const error = await rejection(missing.resolve('example.com'));
    assert.equal(error.permanent, true);
    assert.equal(error.enhancedCode, '5.4.4');
  });

  it('uses a route before DNS, and never queries DNS for an address route', async () => {
    const dns = fakeDns({});
    const resolver = new MxResolver({
      resolver: dns,
      routes: { 'test.example': '127.0.0.1:2600', '*': '[::1]:2700' },
    });
    assert.deepEqual(await resolver.resolve('TEST.example'), [
      { host: '127.0.0.1', address: '127.0.0.1', port: 2600, source: 'route', preference: 0 },
    ]);
    assert.deepEqual(await resolver.resolve('other.example'), [
      { host: '::1', address: '::1', port: 2700, source: 'route', preference: 0 },
    ]);
    assert.deepEqual(dns.queries, []);
  });

  it('resolves a route host name by A/AAAA, not MX, and defers if it has no address', async () => {
    const dns = fakeDns({ a: { 'relay.internal': ['10.0.0.5'] } });
    const resolver = new MxResolver({
      resolver: dns,
      routes: { 'a.example': 'relay.internal:10025', 'b.example': 'missing.internal' },
    });
    const targets = await resolver.resolve('a.example');
    assert.deepEqual(
      targets.map((t) => [t.host, t.address, t.port]),
      [['relay.internal', '10.0.0.5', 10025]],
    );
    assert.ok(!dns.queries.some((q) => q.startsWith('MX')));
    const error = await rejection(resolver.resolve('b.example'));
    assert.equal(error.permanent, false, 'a broken route is a config problem, not a bounce');
    assert.match(error.message, /delivery\.routes/);
  });

  it('caps the number of addresses tried', async () => {
    const resolver = new MxResolver({
      maxTargets: 2,
      resolver: fakeDns({ a: { 'big.example': ['192.0.2.1', '192.0.2.2', '192.0.2.3'] } }),
    });
    assert.equal((await resolver.resolve('big.example')).length, 2);
  });
});

describe('RouteTable', () => {
  it('prefers the exact domain, then the longest subdomain suffix, then *', () => {
    const table = new RouteTable({
      '*': 'fallback:25',
      '.example.com': 'sub:25',
      '.deep.example.com': 'deeper:25',
      'example.com': 'exact:2525',
    });
    assert.deepEqual(table.lookup('EXAMPLE.com'), { host: 'exact', port: 2525 });
    assert.deepEqual(table.lookup('a.example.com'), { host: 'sub', port: 25 });
    assert.deepEqual(table.lookup('x.deep.example.com'), { host: 'deeper', port: 25 });
    assert.deepEqual(table.lookup('example.net'), { host: 'fallback', port: 25 });
    assert.equal(new RouteTable({ 'a.example': '127.0.0.1' }).lookup('b.example'), null);
  });

  it('parses host, host:port, [ipv6]:port and a bare IPv6 address', () => {
    assert.deepEqual(parseRouteTarget('x', 'mx.example.com'), { host: 'mx.example.com', port: 25 });
    assert.deepEqual(parseRouteTarget('x', '127.0.0.1:2525'), { host: '127.0.0.1', port: 2525 });
    assert.deepEqual(parseRouteTarget('x', '[::1]:2525'), { host: '::1', port: 2525 });
    assert.deepEqual(parseRouteTarget('x', '::1'), { host: '::1', port: 25 });
  });

  it('rejects malformed targets at construction with a message naming the entry', () => {
    for (const bad of [
      'host:0',
      'host:70000',
      'host:port',
      'a:b:c',
      '[not-ip]:25',
      '',
      'bad host',
    ]) {
      assert.throws(
        () => new RouteTable({ 'example.com': bad }),
        (error: unknown) =>
          error instanceof InvalidRouteError && error.message.includes('"example.com"'),
        bad,
      );
    }
  });
});
