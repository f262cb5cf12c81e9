import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DiziHarness } from '../support/dizi-harness';
import { run, swaks } from '../support/peers';

// The REST admin API under /api/admin (curl as the client, an independent one) and
// the OpenAPI description at /api/docs.
describe('admin REST API', () => {
  let dizi: DiziHarness;
  const base = () => `http://127.0.0.1:${dizi.httpPort}`;
  const curl = async (
    method: string,
    path: string,
    body?: unknown,
    auth = ['-H', 'Authorization: Bearer test-admin-token'],
  ) => {
    const args = [
      '-s',
      '-o',
      '-',
      '-w',
      '\n%{http_code}',
      '-X',
      method,
      ...auth,
      `${base()}${path}`,
    ];
    if (body !== undefined)
      args.push('-H', 'Content-Type: application/json', '--data', JSON.stringify(body));
    const r = await run('curl', args);
    const nl = r.stdout.lastIndexOf('\n');
    const text = r.stdout.slice(0, nl);
    return {
      status: Number(r.stdout.slice(nl + 1)),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
    };
  };

  before(async () => {
    dizi = await DiziHarness.start();
  });
  after(() => dizi.stop());

  test('refuses requests without admin credentials', async () => {
    const none = await curl('GET', '/api/admin/domains', undefined, []);
    assert.equal(none.status, 401);
    const wrong = await curl('GET', '/api/admin/domains', undefined, [
      '-H',
      'Authorization: Bearer nope',
    ]);
    assert.equal(wrong.status, 401);
  });

  test('domains, users, aliases and groups can be managed, and the user receives mail', async () => {
    assert.equal((await curl('POST', '/api/admin/domains', { name: 'API.Test' })).status, 201);
    const dup = await curl('POST', '/api/admin/domains', { name: 'api.test' });
    assert.equal(dup.status, 409);
    const user = await curl('POST', '/api/admin/users', {
      address: 'eve@api.test',
      password: 'evepassword',
      quotaMb: 50,
    });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    assert.equal(user.body?.address, 'eve@api.test');
    assert.equal(user.body?.quotaMb, 50);
    assert.equal(user.body?.passwordHash, undefined, 'the hash is never shown');
    assert.equal(
      (
        await curl('POST', '/api/admin/aliases', {
          address: 'info@api.test',
          targets: ['eve@api.test'],
        })
      ).status,
      201,
    );
    assert.equal(
      (await curl('POST', '/api/admin/groups', { address: 'crew@api.test', postPolicy: 'anyone' }))
        .status,
      201,
    );
    const member = await curl('POST', '/api/admin/groups/crew@api.test/members', {
      member: 'eve@api.test',
    });
    assert.equal(member.status, 201);
    assert.deepEqual(member.body?.members, ['eve@api.test']);
    const r = await swaks([
      '--server',
      `127.0.0.1:${dizi.smtpPort}`,
      '--from',
      'a@remote.test',
      '--to',
      'info@api.test',
    ]);
    assert.equal(r.code, 0, r.stdout);
    await dizi.waitForMessages('eve@api.test', 1);
    const switched = await curl('PATCH', '/api/admin/domains/api.test', { pop3: false });
    assert.deepEqual(switched.body, {
      name: 'api.test',
      enabled: true,
      imap: true,
      pop3: false,
      quotaMb: 0,
      maxUsers: 0,
      smsRegister: 'closed',
      smsCommands: ['register', 'password', 'cancel', 'unread'],
      smsNumber: null,
    });
    // The total space is shared out as quotas: eve's default 1024 MB do not fit in 1 MB.
    const tooSmall = await curl('PATCH', '/api/admin/domains/api.test', { quotaMb: 1 });
    assert.equal(tooSmall.status, 409, JSON.stringify(tooSmall.body));
    assert.equal(tooSmall.body?.field, 'quotaMb');
    const negative = await curl('PATCH', '/api/admin/domains/api.test', { maxUsers: -1 });
    assert.equal(negative.status, 400);
    assert.equal(negative.body?.field, 'maxUsers');
    const patched = await curl('PATCH', '/api/admin/users/eve@api.test', { quotaMb: 0 });
    assert.equal(patched.body?.quotaMb, 0);
    const list = await curl('GET', '/api/admin/users?domain=api.test');
    assert.equal(list.status, 200);
    // A user can't be removed from under a domain: the domain refuses while it has users.
    assert.equal((await curl('DELETE', '/api/admin/domains/api.test')).status, 409);
    assert.equal((await curl('DELETE', '/api/admin/users/eve@api.test')).status, 204);
    assert.equal((await curl('GET', '/api/admin/users/eve@api.test')).status, 404);
  });

  test('bad payloads get 400 with the field at fault', async () => {
    const short = await curl('POST', '/api/admin/users', {
      address: 'x@api.test',
      password: 'short',
    });
    assert.equal(short.status, 400);
    assert.equal(short.body?.field, 'password');
    const extra = await curl('POST', '/api/admin/domains', { name: 'ok.test', bogus: 1 });
    assert.equal(extra.status, 400);
    assert.equal(extra.body?.field, 'bogus');
    const badDomain = await curl('POST', '/api/admin/domains', { name: 'not a domain' });
    assert.equal(badDomain.status, 400);
    assert.equal(badDomain.body?.field, 'name');
    const wrongType = await curl('POST', '/api/admin/users', {
      address: 'x@api.test',
      password: 'longenough',
      quotaMb: 'lots',
    });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body?.field, 'quotaMb');
    const notJson = await run('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '-X',
      'POST',
      '-H',
      'Authorization: Bearer test-admin-token',
      '-H',
      'Content-Type: application/json',
      '--data',
      '{not json',
      `${base()}/api/admin/domains`,
    ]);
    assert.equal(notJson.stdout, '400');
  });

  test('an admin account can use HTTP Basic; a normal user cannot', async () => {
    await dizi.services.directory.addDomain('basic.test');
    await dizi.services.directory.addUser({
      address: 'root@basic.test',
      password: 'rootpassword',
      role: 'admin',
    });
    await dizi.services.directory.addUser({ address: 'joe@basic.test', password: 'joepassword' });
    const admin = await curl('GET', '/api/admin/domains', undefined, [
      '-u',
      'root@basic.test:rootpassword',
    ]);
    assert.equal(admin.status, 200);
    const joe = await curl('GET', '/api/admin/domains', undefined, [
      '-u',
      'joe@basic.test:joepassword',
    ]);
    assert.equal(joe.status, 401);
  });

  test('the OpenAPI description lists the admin operations', async () => {
    const r = await run('curl', ['-s', `${base()}/api/docs-json`]);
    const doc = JSON.parse(r.stdout) as { openapi: string; paths: Record<string, unknown> };
    assert.match(doc.openapi, /^3\./);
    for (const p of [
      '/api/admin/domains',
      '/api/admin/users',
      '/api/admin/aliases',
      '/api/admin/groups',
      '/api/admin/queue',
    ]) {
      assert.ok(doc.paths[p], `${p} is described`);
    }
    const html = await run('curl', ['-s', `${base()}/api/docs`]);
    assert.match(html.stdout, /swagger/i);
  });
});
