import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config-loader';

test('defaults are the unprivileged ports and the embedded stores', () => {
  const c = loadConfig({ DIZI_HOSTNAME: 'mx.example.com' });
  assert.equal(c.smtp.port, 2525);
  assert.equal(c.smtp.submissionPort, 2587);
  assert.equal(c.smtp.smtpsPort, 2465);
  assert.equal(c.http.port, 8080);
  assert.equal(c.databaseUrl, '');
  assert.equal(c.redisUrl, '');
  assert.deepEqual(c.roles, ['smtp', 'submission', 'imap', 'pop3', 'web', 'worker']);
  assert.equal(c.imap.port, 2143);
  assert.equal(c.imap.tlsPort, 2993);
  assert.equal(c.pop3.port, 2110);
  assert.equal(c.pop3.tlsPort, 2995);
  assert.equal(c.delivery.retryIntervalSeconds, 480);
  assert.equal(c.delivery.maxAttempts, 16);
  assert.equal(c.smtp.maxRecipients, 16);
  assert.equal(path.isAbsolute(c.dataDir), true);
});

test('file < environment, YAML and JSON files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dizi-cfg-'));
  const yaml = path.join(dir, 'dizi.yaml');
  writeFileSync(
    yaml,
    'hostname: from-file.example\nsmtp:\n  port: 25\n  maxRecipients: 50\ndelivery:\n  routes:\n    a.test: 127.0.0.1:2526\n',
  );
  const c = loadConfig({ DIZI_CONFIG: yaml, DIZI_SMTP_PORT: '2626', DIZI_ROLES: 'smtp, worker' });
  assert.equal(c.hostname, 'from-file.example');
  assert.equal(c.smtp.port, 2626, 'the environment wins over the file');
  assert.equal(c.smtp.maxRecipients, 50);
  assert.deepEqual(c.delivery.routes, { 'a.test': '127.0.0.1:2526' });
  assert.deepEqual(c.roles, ['smtp', 'worker']);
  const json = path.join(dir, 'dizi.json');
  writeFileSync(json, JSON.stringify({ http: { port: 9000 } }));
  assert.equal(loadConfig({ DIZI_CONFIG: json }).http.port, 9000);
});

test('bad values are refused with the setting named', () => {
  assert.throws(
    () => loadConfig({ DIZI_SMTP_PORT: 'twenty' }),
    (e: Error) => e instanceof ConfigError && /DIZI_SMTP_PORT/.test(e.message),
  );
  assert.throws(() => loadConfig({ DIZI_SMTP_PORT: '70000' }), /smtp\.port/);
  assert.throws(() => loadConfig({ DIZI_ROLES: 'smtp,mailman' }), /roles/);
  const dir = mkdtempSync(path.join(tmpdir(), 'dizi-cfg-'));
  const typo = path.join(dir, 'typo.yaml');
  writeFileSync(typo, 'smtp:\n  prot: 25\n');
  assert.throws(() => loadConfig({ DIZI_CONFIG: typo }), /smtp\.prot/);
  const broken = path.join(dir, 'broken.json');
  writeFileSync(broken, '{ not json');
  assert.throws(() => loadConfig({ DIZI_CONFIG: broken }), /broken\.json is not valid/);
  assert.throws(
    () => loadConfig({ DIZI_CONFIG: path.join(dir, 'missing.yaml') }),
    /cannot read the config file/,
  );
});
