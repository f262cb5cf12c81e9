import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UsageRecordRow } from '@dizi/store';
import { emptyAmounts, emptyQuantities, MB } from './rating';
import { csvLine, RecordExportText, totalsCsv, totalsJson, TotalsReport } from './usage-format';

const at = Date.parse('2024-11-05T02:03:04.005Z');
const rec = (over: Partial<UsageRecordRow> = {}): UsageRecordRow => ({
  id: 1,
  at,
  service: 'sms',
  purpose: 'alert',
  userId: 3,
  domainId: 2,
  quantity: 2,
  ref: 'm1abc',
  user: 'li@example.com',
  domain: 'example.com',
  ...over,
});
const period = { from: Date.parse('2024-11-01T00:00:00Z'), to: Date.parse('2024-12-01T00:00:00Z') };

test('CSV fields are quoted when they hold commas, quotes, line breaks or edge spaces', () => {
  assert.equal(csvLine(['a', 1, 'b c']), 'a,1,b c\r\n');
  assert.equal(
    csvLine(['a,b', 'say "hi"', 'x\ny', ' pad']),
    '"a,b","say ""hi""","x\ny"," pad"\r\n',
  );
  assert.equal(csvLine(['', '']), ',\r\n');
});

test('a CSV export is a header line and one line per record', () => {
  const t = new RecordExportText('csv', period);
  const text =
    t.head() +
    t.rows([
      rec(),
      rec({ id: 2, service: 'traffic-in', purpose: '', quantity: 1234, ref: 'sp1/3' }),
    ]) +
    t.rows([
      rec({ id: 3, userId: 9, user: null, domainId: null, domain: null, service: 'storage' }),
    ]) +
    t.tail();
  assert.equal(
    text,
    'id,time,service,purpose,user,domain,quantity,unit,ref\r\n' +
      '1,2024-11-05T02:03:04.005Z,sms,alert,li@example.com,example.com,2,segment,m1abc\r\n' +
      '2,2024-11-05T02:03:04.005Z,traffic-in,,li@example.com,example.com,1234,byte,sp1/3\r\n' +
      '3,2024-11-05T02:03:04.005Z,storage,alert,#9,,2,byte-day,m1abc\r\n',
  );
  assert.equal(t.contentType, 'text/csv; charset=utf-8');
});

test('a JSON export parses, with the period and every record, even when empty', () => {
  const t = new RecordExportText('json', period);
  const text = t.head() + t.rows([rec()]) + t.rows([]) + t.rows([rec({ id: 2 })]) + t.tail();
  const parsed = JSON.parse(text) as { from: string; to: string; records: Array<{ id: number }> };
  assert.equal(parsed.from, '2024-11-01T00:00:00.000Z');
  assert.equal(parsed.to, '2024-12-01T00:00:00.000Z');
  assert.deepEqual(
    parsed.records.map((r) => r.id),
    [1, 2],
  );
  assert.deepEqual(parsed.records[0], {
    id: 1,
    time: '2024-11-05T02:03:04.005Z',
    service: 'sms',
    purpose: 'alert',
    user: 'li@example.com',
    domain: 'example.com',
    quantity: 2,
    unit: 'segment',
    ref: 'm1abc',
  });
  const empty = new RecordExportText('json', period);
  assert.deepEqual(JSON.parse(empty.head() + empty.rows([]) + empty.tail()).records, []);
});

test('totals as CSV and JSON carry quantities and amounts in currency units', () => {
  const report: TotalsReport = {
    ...period,
    by: 'user',
    rows: [
      {
        user: 'li@example.com',
        domain: 'example.com',
        plan: 'basic',
        currency: 'CNY',
        quantities: {
          ...emptyQuantities(),
          smsSegments: 3,
          storageByteDays: MB + MB / 2,
          periods: 1,
        },
        amounts: {
          ...emptyAmounts(),
          sms: 300_000,
          storage: 1_500,
          time: 5_000_000,
          total: 5_301_500,
        },
      },
    ],
  };
  assert.equal(
    totalsCsv(report),
    'user,domain,plan,currency,sms_segments,mms,alerts,storage_mb_days,traffic_in_bytes,traffic_out_bytes,periods,sms_amount,mms_amount,alert_amount,storage_amount,traffic_amount,time_amount,total\r\n' +
      'li@example.com,example.com,basic,CNY,3,0,0,1.5,0,0,1,0.3,0,0,0.0015,0,5,5.3015\r\n',
  );
  const json = JSON.parse(totalsJson(report));
  assert.equal(json.by, 'user');
  assert.deepEqual(json.rows[0], {
    user: 'li@example.com',
    domain: 'example.com',
    plan: 'basic',
    currency: 'CNY',
    smsSegments: 3,
    mms: 0,
    alerts: 0,
    storageMbDays: 1.5,
    trafficInBytes: 0,
    trafficOutBytes: 0,
    periods: 1,
    amounts: { sms: 0.3, mms: 0, alert: 0, storage: 0.0015, traffic: 0, time: 5 },
    total: 5.3015,
  });
  const byDomain = totalsCsv({ ...report, by: 'domain' }).split('\r\n');
  assert.match(byDomain[0], /^domain,plan,currency,/);
  assert.match(byDomain[1], /^example\.com,basic,CNY,3,/);
});
