import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { DiziError } from '@dizi/errors';
import { isRunnable, LinkAdmin, mergeLinkSources, SECRET_MASK, SmsLinks } from '@dizi/sms';
import { Database, openDataSource, SmsLinkEntity, SmsLinkRepository } from '@dizi/store';
import { createTestDatabase, TestDatabase } from '../../../test/support/test-database';
import { SMS_GATEWAYS } from '@dizi/sms-gateways';

// Links of both sources with the gateways the server is built with: the admin API's
// links are validated by the same per-kind code as the config file's, stored in SQL,
// merged with the config file's (which win), and their secrets never shown.

const registry = SmsLinks.registry(SMS_GATEWAYS);
const CONFIG_LINKS = [
  {
    id: 'cfg-cm',
    kind: 'cmpp',
    host: '10.0.0.1',
    account: '901234',
    secret: 'config-secret',
    srcId: '10658',
    priority: 9,
  },
];
const cmpp = (over: Record<string, unknown> = {}) => ({
  id: 'api-cm',
  kind: 'cmpp',
  version: '3.0',
  host: '10.0.0.2',
  port: 7890,
  account: '901235',
  secret: 'api-secret',
  serviceId: 'MDZ0001',
  srcId: '1065888801',
  prefixes: ['134'],
  priority: 1,
  ...over,
});
const row = (id: string, settings: unknown, over: Partial<SmsLinkEntity> = {}): SmsLinkEntity => ({
  id,
  kind: 'cmpp',
  settings: typeof settings === 'string' ? settings : JSON.stringify(settings),
  enabled: true,
  revision: 1,
  createdAt: 1,
  updatedAt: 1,
  ...over,
});
const isDizi = (code: string, field?: string) => (e: unknown) =>
  e instanceof DiziError && e.code === code && (field === undefined || e.field === field);

describe('mergeLinkSources', () => {
  test('lists config links first, marked by source, each validated by its kind', () => {
    const merged = mergeLinkSources(registry, CONFIG_LINKS, [
      row('api-cm', cmpp()),
      row('zz-off', cmpp({ id: 'zz-off' }), { enabled: false }),
    ]);
    assert.deepEqual(
      merged.map((m) => [m.id, m.source, m.enabled, m.problem, isRunnable(m)]),
      [
        ['cfg-cm', 'config', true, null, true],
        ['api-cm', 'api', true, null, true],
        ['zz-off', 'api', false, null, false],
      ],
    );
    // Defaults are filled by the kind's validator (CMPP window 16, port 7890).
    assert.equal(merged[0].config?.window, 16);
    assert.equal(merged[0].config?.port, 7890);
  });

  test('a stored link with the id of a config link, bad settings or unreadable JSON does not run', () => {
    const merged = mergeLinkSources(registry, CONFIG_LINKS, [
      row('cfg-cm', cmpp({ id: 'cfg-cm' })),
      row('bad-port', cmpp({ id: 'bad-port', port: 0 })),
      row('broken', '{not json'),
      row('renamed', cmpp({ id: 'other' })),
    ]);
    const problem = (id: string, source = 'api') =>
      merged.find((m) => m.id === id && m.source === source)?.problem ?? '';
    assert.equal(problem('cfg-cm', 'config'), '');
    assert.match(problem('cfg-cm'), /config file has a link "cfg-cm" too/);
    assert.match(problem('bad-port'), /port must be 1-65535/);
    assert.match(problem('broken'), /not readable/);
    assert.match(problem('renamed'), /name link "other"/);
    assert.deepEqual(
      merged.filter(isRunnable).map((m) => `${m.source}:${m.id}`),
      ['config:cfg-cm'],
    );
  });

  test('the fingerprint changes with the settings, not with key order', () => {
    const a = cmpp();
    const reordered = Object.fromEntries(Object.entries(a).reverse());
    const [x, y, z] = mergeLinkSources(
      registry,
      [],
      [row('api-cm', a), row('api-cm', reordered), row('api-cm', cmpp({ priority: 2 }))],
    );
    assert.equal(x.fingerprint, y.fingerprint);
    assert.notEqual(x.fingerprint, z.fingerprint);
  });
});

describe('LinkAdmin (SQL)', () => {
  let dir: string;
  let tdb: TestDatabase;
  let db: Database;
  let repo: SmsLinkRepository;
  let admin: LinkAdmin;
  const announced: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dizi-links-'));
    tdb = await createTestDatabase();
    db = new Database(await openDataSource({ databaseUrl: tdb.url, dataDir: dir }));
    repo = new SmsLinkRepository(db);
    admin = new LinkAdmin({
      registry,
      configLinks: CONFIG_LINKS,
      store: repo,
      announce: async (id) => {
        announced.push(id);
      },
      health: async () => [],
    });
  });
  beforeEach(async () => {
    for (const l of await repo.list()) await repo.remove(l.id);
    announced.length = 0;
  });
  after(async () => {
    await db.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('add stores the object as given, announces it, and never shows the secret', async () => {
    const v = await admin.add(cmpp());
    assert.equal(v.source, 'api');
    assert.equal(v.state, 'not running');
    assert.equal(v.settings.secret, SECRET_MASK);
    assert.deepEqual(v.prefixes, ['134']);
    assert.deepEqual(announced, ['api-cm']);
    const stored = await repo.get('api-cm');
    assert.deepEqual(JSON.parse(stored!.settings), cmpp(), 'stored as given, defaults not filled');
    const all = await admin.list();
    assert.deepEqual(
      all.map((l) => [l.id, l.source]),
      [
        ['cfg-cm', 'config'],
        ['api-cm', 'api'],
      ],
    );
    assert.ok(!JSON.stringify(all).includes('api-secret'));
    assert.ok(!JSON.stringify(all).includes('config-secret'));
    await assert.rejects(admin.add(cmpp()), isDizi('conflict', 'id'));
  });

  test('bad payloads are refused with the field named', async () => {
    await assert.rejects(admin.add(cmpp({ kind: 'telex' })), isDizi('invalid', 'kind'));
    await assert.rejects(admin.add(cmpp({ port: 70000 })), isDizi('invalid', 'port'));
    await assert.rejects(admin.add(cmpp({ host: undefined })), isDizi('invalid', 'host'));
    await assert.rejects(admin.add(cmpp({ id: 'no spaces' })), isDizi('invalid', 'id'));
    await assert.rejects(admin.add(cmpp({ prefixes: '134' })), isDizi('invalid', 'prefixes'));
    await assert.rejects(
      admin.add(cmpp({ account: 'far-too-long' })),
      isDizi('invalid', 'account'),
    );
    await assert.rejects(admin.add(['not', 'an', 'object']), isDizi('invalid', 'body'));
    await assert.rejects(admin.add(cmpp({ secret: SECRET_MASK })), isDizi('invalid', 'secret'));
    assert.deepEqual(await repo.list(), [], 'nothing stored');
    assert.deepEqual(announced, []);
  });

  test('config-file links cannot be added, changed or removed here', async () => {
    const refused = (e: unknown) =>
      isDizi('conflict', 'id')(e) && /config file/.test((e as Error).message);
    await assert.rejects(admin.add(cmpp({ id: 'cfg-cm' })), refused);
    await assert.rejects(admin.replace('cfg-cm', cmpp({ id: 'cfg-cm' })), refused);
    await assert.rejects(admin.patch('cfg-cm', { priority: 2 }), refused);
    await assert.rejects(admin.remove('cfg-cm'), refused);
    await assert.rejects(admin.setEnabled('cfg-cm', false), refused);
    const v = await admin.get('cfg-cm');
    assert.equal(v.source, 'config');
    assert.equal(v.settings.secret, SECRET_MASK);
  });

  test('replace and patch keep a secret sent back masked, and validate the result', async () => {
    await admin.add(cmpp());
    const shown = await admin.get('api-cm');
    const replaced = await admin.replace('api-cm', { ...shown.settings, priority: 4 });
    assert.equal(replaced.priority, 4);
    assert.equal(replaced.revision, 2);
    assert.equal(JSON.parse((await repo.get('api-cm'))!.settings).secret, 'api-secret');
    const patched = await admin.patch('api-cm', { prefixes: ['139'], serviceId: null });
    assert.deepEqual(patched.prefixes, ['139']);
    const stored = JSON.parse((await repo.get('api-cm'))!.settings);
    assert.equal(stored.serviceId, undefined, 'null removed the field');
    assert.equal(stored.secret, 'api-secret');
    await assert.rejects(admin.patch('api-cm', { port: 'x' }), isDizi('invalid', 'port'));
    await assert.rejects(admin.patch('api-cm', { id: 'other' }), isDizi('invalid', 'id'));
    await assert.rejects(admin.replace('api-cm', cmpp({ id: 'other' })), isDizi('invalid', 'id'));
    await assert.rejects(admin.patch('nope', { priority: 1 }), isDizi('not-found'));
    assert.equal((await admin.get('api-cm')).priority, 4, 'refused changes left it alone');
    assert.deepEqual(announced, ['api-cm', 'api-cm', 'api-cm']);
  });

  test('disable, enable and remove', async () => {
    await admin.add(cmpp());
    assert.equal((await admin.setEnabled('api-cm', false)).state, 'disabled');
    assert.equal((await admin.setEnabled('api-cm', true)).state, 'not running');
    await admin.remove('api-cm');
    await assert.rejects(admin.get('api-cm'), isDizi('not-found'));
    await assert.rejects(admin.remove('api-cm'), isDizi('not-found'));
    assert.deepEqual(announced, ['api-cm', 'api-cm', 'api-cm', 'api-cm']);
  });

  test('a failed announcement does not undo the change', async () => {
    const failed: string[] = [];
    const offline = new LinkAdmin({
      registry,
      configLinks: CONFIG_LINKS,
      store: repo,
      announce: async () => {
        throw new Error('redis is down');
      },
      health: async () => [],
      onAnnounceFailed: (id) => failed.push(id),
    });
    await offline.add(cmpp());
    assert.deepEqual(failed, ['api-cm']);
    assert.ok(await repo.get('api-cm'));
  });
});
