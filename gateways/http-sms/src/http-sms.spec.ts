import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LinkConfigError, LinkRegistry } from '@dizi/gateway-kit';
import { httpSmsLinkFactory } from './http-sms-link-factory';
import { validateHttpSmsLinkConfig } from './http-sms-link-config';
import {
  TemplateError,
  escapeForContentType,
  readJsonPath,
  renderTemplate,
} from './http-sms-template';

const values = { to: '+4915112345678', text: 'Hi "you" & me\n€ 100%', from: 'Dizi', id: 'sms-1' };

describe('HTTP SMS templates', () => {
  it('escapes values for JSON bodies, forms and URLs', () => {
    const json = renderTemplate('{"to":"{{to}}","text":"{{ text }}"}', values, 'json');
    assert.deepEqual(JSON.parse(json), { to: values.to, text: values.text });
    const form = renderTemplate('to={{to}}&text={{text}}', values, 'url');
    assert.equal(new URLSearchParams(form).get('text'), values.text);
    assert.equal(form, 'to=%2B4915112345678&text=Hi%20%22you%22%20%26%20me%0A%E2%82%AC%20100%25');
    assert.equal(renderTemplate('Bearer {{id}}', values, 'none'), 'Bearer sms-1');
    assert.throws(() => renderTemplate('{{body}}', values, 'none'), TemplateError);
  });

  it('picks the escaping from the content type', () => {
    assert.equal(escapeForContentType('application/json; charset=utf-8'), 'json');
    assert.equal(escapeForContentType('application/vnd.api+json'), 'json');
    assert.equal(escapeForContentType('application/x-www-form-urlencoded'), 'url');
    assert.equal(escapeForContentType('text/xml'), 'none');
  });

  it('reads dotted JSON paths', () => {
    const body = { data: { messages: [{ id: 'm-1' }, { id: 42 }] } };
    assert.equal(readJsonPath(body, 'data.messages.0.id'), 'm-1');
    assert.equal(readJsonPath(body, 'data.messages.1.id'), '42');
    assert.equal(readJsonPath(body, 'data.nothing.id'), undefined);
    assert.equal(readJsonPath('text', 'a'), undefined);
  });
});

describe('HTTP SMS link config', () => {
  const base = { id: 'http-1', kind: 'http-sms', url: 'http://127.0.0.1:9/send' };

  it('fills defaults', () => {
    const c = validateHttpSmsLinkConfig(base);
    assert.equal(c.method, 'POST');
    assert.equal(c.contentType, 'application/json');
    assert.deepEqual(c.success.status, [200, 299]);
    assert.equal(c.retries, 2);
    assert.equal(c.timeoutMs, 10_000);
    assert.equal(c.inbound, undefined);
    const withInbound = validateHttpSmsLinkConfig({ ...base, inbound: { secret: 'long-enough' } });
    assert.deepEqual(withInbound.inbound?.mo, { from: 'from', to: 'to', text: 'text' });
    assert.equal(withInbound.inbound?.secretHeader, 'x-dizi-secret');
  });

  it('names the bad field', () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ url: 'ftp://x' }, /url must be an http\(s\) URL/],
      [{ url: 'http://x/{{phone}}' }, /url template: unknown placeholder \{\{phone\}\}/],
      [{ method: 'DELETE' }, /method must be GET, POST or PUT/],
      [{ headers: { 'X-A': 'a\r\nX-B: b' } }, /headers.X-A must be a one-line string/],
      [{ success: { status: [300, 200] } }, /success.status must be/],
      [
        { success: { messageIdRegex: '(' } },
        /success.messageIdRegex is not a valid regular expression/,
      ],
      [{ retries: -1 }, /retries must be an integer ≥ 0/],
      [{ inbound: { secret: 'short' } }, /inbound.secret must be a string of at least 8/],
      [
        { inbound: { secret: 'long-enough', statusMap: { OK: 'fine' } } },
        /inbound.statusMap.OK must be one of/,
      ],
    ];
    for (const [patch, message] of bad) {
      assert.throws(
        () => validateHttpSmsLinkConfig({ ...base, ...patch }),
        (e: unknown) => e instanceof LinkConfigError && message.test(e.message),
        JSON.stringify(patch),
      );
    }
  });

  it('is registered under kind "http-sms"', () => {
    const registry = new LinkRegistry([httpSmsLinkFactory]);
    const link = registry.create(base, {
      sink: { message: () => undefined, report: () => undefined },
    });
    assert.equal(link.kind, 'http-sms');
  });
});
