import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PublishedLinkHealth } from '@dizi/sms';
import { DiziHarness } from '../support/dizi-harness';
import { CmppIsmgSimulator } from '../peers/cmpp-ismg';

const ACCOUNT = '901234';
const SECRET = 'sim-secret-a1';
const CLI = path.resolve(__dirname, '../../../apps/cli/bin/dizi.js');
const TIMERS = {
  reconnectMinMs: 50,
  reconnectMaxMs: 200,
  responseTimeoutMs: 3000,
  resumeTimeoutMs: 1000,
  tps: 1000,
};
const CONFIG_LINK = {
  id: 'cfg-cm',
  kind: 'cmpp',
  version: '3.0',
  host: '127.0.0.1',
  account: ACCOUNT,
  secret: SECRET,
  serviceId: 'MDZ0001',
  srcId: '1065888802',
  priority: 9,
  ...TIMERS,
};

// Links configured through the admin API while the server runs: added, changed and
// removed over REST and the CLI, picked up by the router without a restart, validated
// like config-file links, secrets never returned, config-file links left alone.
describe('SMS links through the admin API', () => {
  let dizi: DiziHarness;
  let ismgA: CmppIsmgSimulator; // reached only through links added by the API
  let ismgB: CmppIsmgSimulator; // behind the config file's link
  let workDir: string;
  let cliConfig: string;

  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}${url}`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
    };
  };
  const apiLink = (over: Record<string, unknown> = {}) => ({
    id: 'api-cm',
    kind: 'cmpp',
    version: '3.0',
    host: '127.0.0.1',
    port: ismgA.port,
    account: ACCOUNT,
    secret: SECRET,
    serviceId: 'MDZ0001',
    srcId: '1065888801',
    priority: 1,
    ...TIMERS,
    ...over,
  });
  /** Waits until the link runs in the server (or, with `gone`, no longer runs). */
  const running = async (
    id: string,
    want: (h: PublishedLinkHealth) => boolean = (h) => h.state === 'up',
    node = dizi,
  ): Promise<PublishedLinkHealth> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const h = node.services.smsLinks.health().find((x) => x.id === id);
      if (h && want(h)) return h;
      if (Date.now() > deadline) throw new Error(`link ${id}: ${JSON.stringify(h)}`);
      await sleep(50);
    }
  };
  const gone = async (id: string, node = dizi) => {
    const deadline = Date.now() + 10_000;
    while (node.services.smsLinks.health().some((x) => x.id === id)) {
      if (Date.now() > deadline) throw new Error(`link ${id} still runs`);
      await sleep(50);
    }
  };
  const send = async (to: string, text = 'link admin test') => {
    const r = await api('POST', '/api/sms', { to, text });
    assert.equal(r.status, 201, r.text);
    return String(r.body.id);
  };
  const settled = async (id: string, statuses = ['delivered']) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const r = await api('GET', `/api/sms/${id}`);
      if (statuses.includes(String(r.body.status))) return r.body;
      if (Date.now() > deadline)
        throw new Error(`SMS ${id} is ${String(r.body.status)} (${String(r.body.error)})`);
      await sleep(50);
    }
  };
  const submitsTo = (sim: CmppIsmgSimulator, dest: string) =>
    sim.submits.filter((s) => s.submit.destTerminalIds.includes(dest));
  const cli = (...args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) =>
      execFile(
        process.execPath,
        [CLI, ...args],
        {
          env: {
            ...process.env,
            DIZI_DATA: dizi.config.dataDir,
            DATABASE_URL: dizi.databaseUrl,
            DIZI_CONFIG: cliConfig,
            DIZI_LOG_LEVEL: 'silent',
          },
        },
        (err, out, errOut) =>
          resolve({ code: err ? Number(err.code ?? 1) : 0, out: `${out}${errOut}` }),
      ),
    );

  before(async () => {
    ismgA = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
    ismgB = await CmppIsmgSimulator.start({ accounts: { [ACCOUNT]: SECRET } });
    ismgA.autoReportStat = 'DELIVRD';
    ismgB.autoReportStat = 'DELIVRD';
    const links = [{ ...CONFIG_LINK, port: ismgB.port }];
    dizi = await DiziHarness.start({ config: { links, sms: { linkDrainSeconds: 20 } } });
    // The CLI reads the same config file as the server would (DIZI_CONFIG).
    workDir = mkdtempSync(path.join(tmpdir(), 'dizi-link-admin-'));
    cliConfig = path.join(workDir, 'dizi.json');
    writeFileSync(cliConfig, JSON.stringify({ links }));
    await running('cfg-cm');
  });
  after(async () => {
    await dizi.stop();
    await ismgA.close();
    await ismgB.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  test('the config-file link is listed as source "config", its secret masked', async () => {
    const r = await api('GET', '/api/admin/links');
    assert.equal(r.status, 200);
    const list = r.body as unknown as Array<Record<string, unknown>>;
    assert.deepEqual(
      list.map((l) => [l.id, l.source, l.state]),
      [['cfg-cm', 'config', 'up']],
    );
    assert.equal((list[0].settings as Record<string, unknown>).secret, '********');
    assert.ok(!r.text.includes(SECRET), 'the secret is not in the answer');
  });

  test('POST adds a CMPP link that starts without a restart and carries SMS', async () => {
    const r = await api('POST', '/api/admin/links', apiLink());
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.source, 'api');
    assert.ok(!r.text.includes(SECRET));
    await running('api-cm');
    assert.ok(
      ismgA.logins.some((l) => l.status === 0),
      'the link logged in to the ISMG',
    );
    assert.equal((await api('GET', '/api/admin/links/api-cm')).body.state, 'up');
    const id = await send('13800138000');
    const done = await settled(id);
    assert.equal(done.linkId, 'api-cm');
    assert.equal(submitsTo(ismgA, '13800138000').length, 1, 'the simulator received it');
    assert.equal(submitsTo(ismgB, '13800138000').length, 0);
  });

  test('bad payloads get 400 naming the field; nothing is stored', async () => {
    const cases: Array<[Record<string, unknown> | unknown[], string]> = [
      [apiLink({ id: 'x1', kind: 'telex' }), 'kind'],
      [apiLink({ id: 'x2', port: 70000 }), 'port'],
      [apiLink({ id: 'x3', port: 'seven' }), 'port'],
      [apiLink({ id: 'x4', host: undefined }), 'host'],
      [apiLink({ id: 'bad id!' }), 'id'],
      [apiLink({ id: undefined }), 'id'],
      [apiLink({ id: 'x5', prefixes: ['13a'] }), 'prefixes'],
      [apiLink({ id: 'x6', window: 0 }), 'window'],
      [apiLink({ id: 'x7', version: '4.0' }), 'version'],
      [['a', 'list'], 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await api('POST', '/api/admin/links', body);
      assert.equal(r.status, 400, `${field}: ${r.text}`);
      assert.equal(r.body.field, field, r.text);
      assert.match(String(r.body.message), new RegExp(field === 'body' ? 'object' : field));
    }
    const mismatch = await api('PUT', '/api/admin/links/api-cm', apiLink({ id: 'other' }));
    assert.equal(mismatch.status, 400);
    assert.equal(mismatch.body.field, 'id');
    const badPatch = await api('PATCH', '/api/admin/links/api-cm', { tps: -1 });
    assert.equal(badPatch.status, 400);
    assert.equal(badPatch.body.field, 'tps');
    const dup = await api('POST', '/api/admin/links', apiLink());
    assert.equal(dup.status, 409);
    assert.equal((await api('GET', '/api/admin/links/x2')).status, 404);
    const ids = (
      (await api('GET', '/api/admin/links')).body as unknown as Array<{ id: string }>
    ).map((l) => l.id);
    assert.deepEqual(ids, ['cfg-cm', 'api-cm']);
  });

  test('config-file links cannot be changed through the API (409 says where to change them)', async () => {
    for (const [method, url, body] of [
      ['POST', '/api/admin/links', { ...CONFIG_LINK, port: ismgB.port }],
      ['PUT', '/api/admin/links/cfg-cm', { ...CONFIG_LINK, port: ismgB.port }],
      ['PATCH', '/api/admin/links/cfg-cm', { priority: 1 }],
      ['DELETE', '/api/admin/links/cfg-cm', undefined],
      ['POST', '/api/admin/links/cfg-cm/disable', undefined],
    ] as const) {
      const r = await api(method, url, body);
      assert.equal(r.status, 409, `${method} ${url}: ${r.text}`);
      assert.match(String(r.body.message), /config file/);
    }
    await running('cfg-cm', (h) => h.state === 'up' && h.priority === 9);
  });

  test('GET never shows secrets; a PUT of what GET showed keeps the stored secret', async () => {
    const shown = await api('GET', '/api/admin/links/api-cm');
    assert.ok(!shown.text.includes(SECRET));
    const settings = shown.body.settings as Record<string, unknown>;
    assert.equal(settings.secret, '********');
    const loginsBefore = ismgA.logins.length;
    const put = await api('PUT', '/api/admin/links/api-cm', { ...settings, priority: 2 });
    assert.equal(put.status, 200, put.text);
    assert.ok(!put.text.includes(SECRET));
    // The changed link restarted and logged in again: the secret it used is the stored one.
    await running('api-cm', (h) => h.state === 'up' && h.priority === 2);
    await ismgA.waitFor(() => ismgA.logins.length > loginsBefore, 10_000, 'a new login');
    assert.deepEqual(
      ismgA.logins.slice(loginsBefore).map((l) => l.status),
      [0],
    );
    assert.ok(ismgA.terminates >= 1, 'the old session was closed politely');
  });

  test('PATCH of prefixes and priority: the router follows at once', async () => {
    const p = await api('PATCH', '/api/admin/links/api-cm', { prefixes: ['139'], priority: 1 });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.body.prefixes, ['139']);
    await running('api-cm', (h) => h.state === 'up' && h.prefixes.join() === '139');
    const to138 = await send('13800138001');
    const to139 = await send('13900139001');
    assert.equal((await settled(to138)).linkId, 'cfg-cm');
    assert.equal((await settled(to139)).linkId, 'api-cm');
    // Any number again, but ranked after the config link (priority 9).
    await api('PATCH', '/api/admin/links/api-cm', { prefixes: null, priority: 20 });
    await running('api-cm', (h) => h.state === 'up' && h.priority === 20 && !h.prefixes.length);
    assert.equal((await settled(await send('13900139002'))).linkId, 'cfg-cm');
    await api('PATCH', '/api/admin/links/api-cm', { priority: 1 });
    await running('api-cm', (h) => h.state === 'up' && h.priority === 1);
    assert.equal((await settled(await send('13900139003'))).linkId, 'api-cm');
  });

  test('disable stops the link and keeps it; enable runs it again', async () => {
    const d = await api('POST', '/api/admin/links/api-cm/disable');
    assert.equal(d.status, 200, d.text);
    assert.equal(d.body.state, 'disabled');
    await gone('api-cm');
    assert.equal((await settled(await send('13900139004'))).linkId, 'cfg-cm');
    const e = await api('POST', '/api/admin/links/api-cm/enable');
    assert.equal(e.status, 200);
    await running('api-cm');
    assert.equal((await settled(await send('13900139005'))).linkId, 'api-cm');
  });

  test('DELETE while SMS are in its window: they finish there, the rest fail over, none twice', async () => {
    ismgA.responseDelayMs = 600;
    const numbers = Array.from({ length: 10 }, (_, i) => `1360013600${i}`);
    const ids: string[] = [];
    for (const n of numbers) ids.push(await send(n, `burst ${n}`));
    await ismgA.waitFor(
      () => numbers.some((n) => submitsTo(ismgA, n).length > 0),
      10_000,
      'a burst SMS in the window',
    );
    const del = await api('DELETE', '/api/admin/links/api-cm');
    assert.equal(del.status, 204, del.text);
    for (const id of ids) await settled(id, ['submitted', 'delivered']);
    for (const n of numbers) {
      const a = submitsTo(ismgA, n);
      const b = submitsTo(ismgB, n);
      assert.deepEqual(
        a.map((s) => s.result),
        a.length ? [0] : [],
        `${n}: answered on the removed link, not cut off`,
      );
      assert.equal(a.length + b.length, 1, `${n} sent exactly once (A ${a.length}, B ${b.length})`);
    }
    assert.ok(
      numbers.some((n) => submitsTo(ismgA, n).length === 1),
      'some were under way on the removed link',
    );
    ismgA.responseDelayMs = 0;
    await gone('api-cm');
    await ismgA.waitFor(() => ismgA.sessions.size === 0, 10_000, 'the session closed');
    assert.equal((await api('GET', '/api/admin/links/api-cm')).status, 404);
    assert.equal((await api('DELETE', '/api/admin/links/api-cm')).status, 404);
    const after = await send('13900139006');
    assert.equal((await settled(after)).linkId, 'cfg-cm');
    assert.equal(submitsTo(ismgA, '13900139006').length, 0, 'the router no longer uses it');
  });

  test('the CLI adds, shows, changes, lists and removes links; the server follows', async () => {
    const json = JSON.stringify(apiLink({ id: 'cli-cm', priority: 1, prefixes: ['137'] }));
    const add = await cli('link', 'add', '--json', json);
    assert.equal(add.code, 0, add.out);
    assert.match(add.out, /link cli-cm \(cmpp\) added/);
    await running('cli-cm');
    assert.equal((await settled(await send('13700137000'))).linkId, 'cli-cm');

    const show = await cli('link', 'show', 'cli-cm');
    assert.equal(show.code, 0, show.out);
    assert.match(show.out, /cli-cm\tcmpp\tup\t.*source api/);
    assert.match(show.out, /"secret": "\*{8}"/);
    assert.ok(!show.out.includes(SECRET), show.out);

    const set = await cli('link', 'set', 'cli-cm', '--priority', '3', '--prefixes', '135,137');
    assert.equal(set.code, 0, set.out);
    await running('cli-cm', (h) => h.state === 'up' && h.priority === 3);
    assert.deepEqual((await running('cli-cm')).prefixes, ['135', '137']);

    const list = await cli('link', 'list');
    assert.equal(list.code, 0, list.out);
    assert.match(list.out, /^cfg-cm\tcmpp\tup\twindow \d+\/16\t.*\tsource config/m);
    assert.match(list.out, /^cli-cm\tcmpp\tup\twindow \d+\/16\t.*\tsource api/m);

    const flags = await cli(
      'link',
      'add',
      '--id',
      'cli-flags',
      '--kind',
      'cmpp',
      '--host',
      '127.0.0.1',
      '--port',
      String(ismgA.port),
      '--account',
      ACCOUNT,
      '--secret',
      SECRET,
      '--src-id',
      '1065888803',
      '--prefixes',
      '150',
      '--set',
      'reconnectMinMs=50',
    );
    assert.equal(flags.code, 0, flags.out);
    await running('cli-flags');

    const configRefused = await cli('link', 'set', 'cfg-cm', '--priority', '1');
    assert.equal(configRefused.code, 2);
    assert.match(configRefused.out, /comes from the config file/);
    const badPort = await cli('link', 'add', '--json', json, '--id', 'cli-bad', '--port', '99999');
    assert.equal(badPort.code, 2);
    assert.match(badPort.out, /port must be 1-65535/);
    const badJson = await cli('link', 'add', '--json', '{nope');
    assert.equal(badJson.code, 2);
    assert.match(badJson.out, /--json is not JSON/);

    for (const id of ['cli-cm', 'cli-flags']) {
      const rm = await cli('link', 'remove', id);
      assert.equal(rm.code, 0, rm.out);
      await gone(id);
    }
    assert.equal((await cli('link', 'remove', 'cli-cm')).code, 3);
    assert.equal((await settled(await send('13700137001'))).linkId, 'cfg-cm');
  });

  test('a second worker node with its own Redis picks changes up by its periodic re-read', async () => {
    const nodeB = await DiziHarness.start({
      http: false,
      sharedDatabaseUrl:
        dizi.databaseUrl || `sqlite:${path.join(dizi.config.dataDir, 'dizi.sqlite')}`,
      config: {
        roles: ['worker'],
        links: [{ ...CONFIG_LINK, port: ismgB.port }],
        sms: { linkReloadSeconds: 1 },
      },
    });
    try {
      const r = await api('POST', '/api/admin/links', apiLink({ id: 'both-nodes' }));
      assert.equal(r.status, 201, r.text);
      await running('both-nodes');
      await running('both-nodes', undefined, nodeB);
      await api('PATCH', '/api/admin/links/both-nodes', { priority: 7 });
      await running('both-nodes', (h) => h.state === 'up' && h.priority === 7, nodeB);
      assert.equal((await api('DELETE', '/api/admin/links/both-nodes')).status, 204);
      await gone('both-nodes');
      await gone('both-nodes', nodeB);
    } finally {
      await nodeB.stop();
    }
  });
});
