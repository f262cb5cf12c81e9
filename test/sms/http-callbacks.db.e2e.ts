import assert from 'node:assert/strict';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiziHarness } from '../support/dizi-harness';

const SECRET = 'callback-secret-123';

// An HTTP SMS provider's callbacks (MO and delivery reports) reach the server's web
// listener at /api/sms/callback/<link id>/(mo|report) and land as SMS rows.
describe('HTTP provider callbacks through the server', () => {
  let dizi: DiziHarness;
  let provider: Server;

  before(async () => {
    let n = 0;
    provider = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `prov-${++n}` }));
      });
    });
    await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
    const port = (provider.address() as AddressInfo).port;
    dizi = await DiziHarness.start({
      config: {
        links: [
          {
            id: 'prov',
            kind: 'http-sms',
            url: `http://127.0.0.1:${port}/send`,
            body: '{"to":"{{to}}","text":"{{text}}"}',
            success: { status: [200, 299], messageIdPath: 'id' },
            inbound: {
              secret: SECRET,
              mo: { from: 'from', to: 'to', text: 'text' },
              report: { messageId: 'ref', status: 'state' },
              statusMap: { D: 'delivered', F: 'undeliverable' },
            },
          },
        ],
      },
    });
  });
  after(async () => {
    await dizi.stop();
    await new Promise((r) => provider.close(r));
  });

  const callback = (path: string, body: unknown, secret = SECRET) =>
    fetch(`http://127.0.0.1:${dizi.httpPort}/api/sms/callback/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-dizi-secret': secret },
      body: JSON.stringify(body),
    });

  test('an MO callback becomes an inbound SMS; a wrong secret is refused', async () => {
    assert.equal(
      (
        await callback(
          'prov/mo',
          { from: '13811112222', to: '10690000', text: 'hi' },
          'wrong-secret-xxx',
        )
      ).status,
      401,
    );
    const ok = await callback('prov/mo', {
      from: '13811112222',
      to: '10690000',
      text: '你好 Dizi',
    });
    assert.equal(ok.status, 200, await ok.text());
    const deadline = Date.now() + 5000;
    let rows: Array<{ text: string }> = [];
    while (!rows.length && Date.now() < deadline) {
      rows = (await dizi.services.db.run((m) =>
        m.query(
          "SELECT text FROM sms_messages WHERE direction = 'in' AND from_number = '13811112222'",
        ),
      )) as Array<{ text: string }>;
      if (!rows.length) await sleep(50);
    }
    assert.equal(rows[0]?.text, '你好 Dizi');
  });

  test('a delivery report callback marks the sent SMS delivered', async () => {
    const sent = await fetch(`http://127.0.0.1:${dizi.httpPort}/api/sms`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: JSON.stringify({ to: '13800138000', text: 'report me' }),
    });
    const { id } = (await sent.json()) as { id: string };
    let view: { status: string; segments: Array<{ carrierId: string }> } = {
      status: '',
      segments: [],
    };
    const deadline = Date.now() + 5000;
    while (view.status !== 'submitted' && Date.now() < deadline) {
      view = (await (
        await fetch(`http://127.0.0.1:${dizi.httpPort}/api/sms/${id}`, {
          headers: { authorization: 'Bearer test-admin-token' },
        })
      ).json()) as typeof view;
      if (view.status !== 'submitted') await sleep(50);
    }
    assert.equal(view.status, 'submitted');
    const report = await callback('prov/report', { ref: view.segments[0].carrierId, state: 'D' });
    assert.equal(report.status, 200, await report.text());
    const until = Date.now() + 5000;
    while (view.status !== 'delivered' && Date.now() < until) {
      view = (await (
        await fetch(`http://127.0.0.1:${dizi.httpPort}/api/sms/${id}`, {
          headers: { authorization: 'Bearer test-admin-token' },
        })
      ).json()) as typeof view;
      if (view.status !== 'delivered') await sleep(50);
    }
    assert.equal(view.status, 'delivered');
  });

  test('a callback for a link that does not exist is 404', async () => {
    assert.equal((await callback('nope/mo', {})).status, 404);
  });
});
