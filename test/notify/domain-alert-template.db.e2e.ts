import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { CmppIsmgSimulator, ReceivedSubmit } from '../peers/cmpp-ismg';
import { CMPP_ACCOUNT, CMPP_SECRET, cmppTestLink } from '../support/cmpp-test-link';
import { DiziHarness } from '../support/dizi-harness';
import { diziCli, DiziProcessSettings } from '../support/dizi-process';
import { SmtpWire, waitUntil } from '../support/smtp-wire';

// Issue 5, "a template per domain": a domain's own alert text and number of segments,
// set through the admin API or `dizi domain set`, falling back to notify.alertTemplate.

/** The text of a SUBMIT as the phone shows it (one segment or the parts of a long one). */
function texts(list: ReceivedSubmit[]): string {
  return list
    .map((s) => {
      let body = s.submit.msgContent;
      if (s.submit.tpUdhi) body = body.subarray(body[0] + 1);
      if (s.submit.msgFmt === 8) return iconv.decode(body, 'utf16-be');
      if (s.submit.msgFmt === 15) return iconv.decode(body, 'gbk');
      return body.toString('latin1');
    })
    .join('');
}

describe('per-domain alert template', () => {
  let dizi: DiziHarness;
  let ismg: CmppIsmgSimulator;
  const api = async (method: string, url: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${dizi.httpPort}${url}`, {
      method,
      headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, never> };
  };
  const submitsTo = (n: string) =>
    ismg.submits.filter((s) => s.submit.destTerminalIds.includes(n) && s.result === 0);
  const mailTo = async (to: string, subject: string, body: string) => {
    const wire = await SmtpWire.connect(dizi.smtpPort);
    await wire.command('EHLO template.test');
    const r = await wire.sendMail(
      'boss@example.cn',
      [to],
      `From: Boss <boss@example.cn>\r\nSubject: ${subject}\r\n\r\n${body}\r\n`,
    );
    assert.equal(r.code, 250, r.raw);
    await wire.quit();
  };
  const cli = (args: string[]) =>
    diziCli(
      {
        dataDir: dizi.config.dataDir,
        databaseUrl: dizi.databaseUrl,
        smtpPort: 0,
        submissionPort: 0,
        smtpsPort: 0,
        httpPort: 0,
      } satisfies DiziProcessSettings,
      args,
    );

  before(async () => {
    ismg = await CmppIsmgSimulator.start({ accounts: { [CMPP_ACCOUNT]: CMPP_SECRET } });
    dizi = await DiziHarness.start({
      config: {
        notify: { timeZone: 'Asia/Shanghai' },
        links: [cmppTestLink(ismg)],
      },
    });
    for (const [u, phone] of [
      ['a@one.test', '13800138301'],
      ['b@two.test', '13800138302'],
    ]) {
      await dizi.addUser(u);
      await dizi.services.notify.phones.bindByAdmin(u, phone);
      await dizi.services.notify.rules.add(u, {});
    }
    await ismg.waitFor(() => ismg.logins.some((l) => l.status === 0), 5000, 'CMPP login');
  });
  after(async () => {
    await dizi?.stop();
    await ismg?.close();
  });

  test('the admin API sets, shows and refuses domain templates', async () => {
    const shown = await api('GET', '/api/admin/domains/one.test/alert-settings');
    assert.equal(shown.status, 200);
    assert.deepEqual(shown.body, {
      domain: 'one.test',
      template: null,
      segments: null,
      effective: { template: '{from} {time} [{subject}] {body}', segments: 1 },
    });
    const set = await api('PUT', '/api/admin/domains/one.test/alert-settings', {
      template: '【壹号邮】{from}：{subject}',
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.template, '【壹号邮】{from}：{subject}');
    for (const [body, field] of [
      [{ template: '{from} only' }, 'template'],
      [{ template: '{subject} {sender}' }, 'template'],
      [{ segments: 9 }, 'segments'],
      [{ colour: 'red' }, 'colour'],
    ] as const) {
      const bad = await api('PUT', '/api/admin/domains/one.test/alert-settings', body);
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.match(JSON.stringify(bad.body), new RegExp(field));
    }
    const missing = await api('PUT', '/api/admin/domains/nowhere.test/alert-settings', {
      segments: 2,
    });
    assert.equal(missing.status, 404);

    await mailTo('a@one.test', '周报', '本周工作总结见附件');
    await mailTo('b@two.test', '周报', '本周工作总结见附件');
    const a = await waitUntil(() => submitsTo('13800138301')[0], 'the alert to a@one.test');
    const b = await waitUntil(() => submitsTo('13800138302')[0], 'the alert to b@two.test');
    assert.equal(texts([a]), '【壹号邮】Boss：周报');
    assert.match(
      texts([b]),
      /^Boss \d\d-\d\d \d\d:\d\d \[周报\] 本周工作总结见附件$/,
      'the default',
    );
  });

  test('dizi domain set --alert-template/--alert-segments, and back to the default', async () => {
    let r = await cli([
      'domain',
      'set',
      'two.test',
      '--alert-template',
      '{subject}: {body}',
      '--alert-segments',
      '2',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /two\.test: alert template \{subject\}: \{body\}, 2 segment\(s\)/);
    r = await cli(['domain', 'set', 'two.test', '--alert-template', '{nothing}']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /must contain \{subject\} or \{body\}/);

    const long =
      '请各位同事在本周五下午五点之前提交季度总结报告，内容包括完成的项目、遇到的问题、下季度的计划，以及需要协调的资源，逾期将影响考核。';
    const before = submitsTo('13800138302').length;
    await mailTo('b@two.test', '季度总结', long);
    await waitUntil(() => submitsTo('13800138302').length >= before + 2, 'a two-segment alert');
    const parts = submitsTo('13800138302').slice(before);
    assert.equal(parts.length, 2, 'two segments, as the domain allows');
    const text = texts(parts);
    assert.ok(text.startsWith('季度总结: 请各位同事'), text);
    assert.ok(Array.from(text).length > 70, 'longer than one segment');

    r = await cli(['domain', 'set', 'two.test', '--alert-template', '', '--alert-segments', '']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /\(default\) \{from\} \{time\} \[\{subject\}\] \{body\}, 1 segment\(s\) \(default\)/,
    );
  });
});
