import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SgipLink } from '@dizi/gateways/sgip';
import { DiziHarness } from '../support/dizi-harness';
import { SgipSmgSimulator } from '../peers/sgip-smg';
import { SmgpGatewaySimulator } from '../peers/smgp-gateway';
import { SmppSmscSimulator } from '../peers/smpp-smsc';

const TIMERS = { reconnectMinMs: 50, reconnectMaxMs: 200, responseTimeoutMs: 3000, tps: 1000 };

// The whole server path (REST -> SQL row -> BullMQ -> router -> link -> simulator, and
// reports and MO back into SQL) through the SGIP, SMGP and SMPP simulators; the links
// are added through the admin API while the server runs.
describe('the server sends and receives through SGIP, SMGP and SMPP', () => {
  let dizi: DiziHarness;
  let smg: SgipSmgSimulator;
  let smgp: SmgpGatewaySimulator;
  let smsc: SmppSmscSimulator;

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
  const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };
  const sms = async (id: string) => (await api('GET', `/api/sms/${id}`)).body;
  const sendAndWait = async (to: string, text: string, status: string) => {
    const r = await api('POST', '/api/sms', { to, text });
    assert.equal(r.status, 201, r.text);
    const id = String(r.body.id);
    let last: Record<string, unknown> = {};
    await until(`SMS ${id} ${status}`, async () => {
      last = await sms(id);
      return last.status === status;
    });
    return last;
  };
  const inbound = async (from: string) =>
    (await dizi.services.db.run((m) =>
      m.query(`SELECT * FROM sms_messages WHERE direction = 'in' AND from_number = '${from}'`),
    )) as Array<{ text: string; link_id: string }>;

  before(async () => {
    smg = await SgipSmgSimulator.start({ accounts: { sp41027: 'sgip-pw' } });
    smgp = await SmgpGatewaySimulator.start({ accounts: { '10001234': 'smgp-pw' } });
    smgp.autoReportStat = 'DELIVRD';
    smsc = await SmppSmscSimulator.start({ accounts: { dizi: 'smpp-pw' } });
    smsc.autoReceiptStat = 'DELIVRD';
    dizi = await DiziHarness.start({});
    const links = [
      {
        id: 'cu-1',
        kind: 'sgip',
        host: '127.0.0.1',
        port: smg.port,
        account: 'sp41027',
        secret: 'sgip-pw',
        nodeId: 3053112345,
        corpId: '41027',
        srcId: '10655',
        serviceId: 'MDZ',
        listenHost: '127.0.0.1',
        listenPort: 0,
        smgLogin: 'smg',
        smgPassword: 'smg-pw',
        prefixes: ['130'],
        ...TIMERS,
      },
      {
        id: 'ct-1',
        kind: 'smgp',
        host: '127.0.0.1',
        port: smgp.port,
        account: '10001234',
        secret: 'smgp-pw',
        srcId: '10660001',
        serviceId: 'MDZ',
        prefixes: ['133'],
        ...TIMERS,
      },
      {
        id: 'smsc-1',
        kind: 'smpp',
        host: '127.0.0.1',
        port: smsc.port,
        systemId: 'dizi',
        password: 'smpp-pw',
        srcId: '12345',
        prefixes: ['150'],
        ...TIMERS,
      },
    ];
    for (const l of links) {
      const r = await api('POST', '/api/admin/links', l);
      assert.equal(r.status, 201, r.text);
    }
    await until('all three links up', () =>
      ['cu-1', 'ct-1', 'smsc-1'].every((id) =>
        dizi.services.smsLinks.health().some((h) => h.id === id && h.state === 'up'),
      ),
    );
  });
  after(async () => {
    await dizi.stop();
    await smg.close();
    await smgp.close();
    await smsc.close();
  });

  test('SGIP: submitted to the SMG, its Report makes it delivered, a Deliver becomes an MO row', async () => {
    const r = await api('POST', '/api/sms', { to: '13012345678', text: '联通短信测试' });
    const id = String(r.body.id);
    await until('the SGIP submit', async () => (await sms(id)).status === 'submitted');
    const got = smg.submits.find((s) =>
      s.submit.userNumbers.some((u) => u.endsWith('13012345678')),
    );
    assert.ok(got, 'the SMG received the Submit');
    const listen = (dizi.services.smsLinks.link('cu-1') as SgipLink).listenAddress;
    assert.ok(listen);
    const login = { name: 'smg', password: 'smg-pw' };
    const sent = await smg.deliverTo(listen, login, [
      smg.report(got.sequence, '8613012345678', 0),
      smg.deliver('8613012340000', '10655', Buffer.from('SGIP MO'), 0),
    ]);
    assert.equal(sent.bind, 0);
    assert.deepEqual(
      sent.answers.map((a) => a.result),
      [0, 0],
    );
    await until('delivered', async () => (await sms(id)).status === 'delivered');
    assert.equal((await sms(id)).linkId, 'cu-1');
    await until('the MO row', async () => (await inbound('8613012340000')).length === 1);
    assert.equal((await inbound('8613012340000'))[0].text, 'SGIP MO');
  });

  test('SMGP: submitted, reported delivered, MO stored', async () => {
    const done = await sendAndWait('13312345678', 'telecom test', 'delivered');
    assert.equal(done.linkId, 'ct-1');
    assert.ok(smgp.submits.some((s) => s.submit.destTermIds.includes('13312345678')));
    await smgp.injectMo({
      from: '13312340000',
      to: '10660001',
      content: Buffer.from('SMGP MO'),
      msgFormat: 0,
    });
    await until('the MO row', async () => (await inbound('13312340000')).length === 1);
    assert.equal((await inbound('13312340000'))[0].link_id, 'ct-1');
  });

  test('SMPP: submit_sm, a receipt makes it delivered, deliver_sm becomes an MO row', async () => {
    const done = await sendAndWait('15012345678', 'SMPP through the server', 'delivered');
    assert.equal(done.linkId, 'smsc-1');
    assert.equal((done.segments as Array<{ status: string }>)[0].status, 'delivered');
    await smsc.injectMo({ from: '15012340000', to: '12345', shortMessage: Buffer.from('SMPP MO') });
    await until('the MO row', async () => (await inbound('15012340000')).length === 1);
    assert.equal((await inbound('15012340000'))[0].text, 'SMPP MO');
  });

  test('a text no encoding of the link can carry fails with a clear error; the link goes on', async () => {
    const r = await api('PATCH', '/api/admin/links/ct-1', { encodings: ['ascii'] });
    assert.equal(r.status, 200, r.text);
    await until('ct-1 restarted', () =>
      dizi.services.smsLinks
        .health()
        .some(
          (h) =>
            h.id === 'ct-1' &&
            h.state === 'up' &&
            (dizi.services.smsLinks.link('ct-1')?.config.encodings as string[]).join() === 'ascii',
        ),
    );
    const before = smgp.submits.length;
    const failed = await sendAndWait('13300000001', '中文', 'failed');
    assert.match(String(failed.error), /cannot be encoded as ascii/);
    assert.equal(smgp.submits.length, before, 'nothing was sent');
    assert.equal((await sendAndWait('13300000002', 'ascii is fine', 'delivered')).linkId, 'ct-1');
  });
});
