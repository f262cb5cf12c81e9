import type { UsageRecordRow, UsageService } from '@dizi/store';
import { formatMicros, MICROS, mulDivRound } from './money';
import { MB, RatedAmounts, UsageQuantities } from './rating';

export type ExportFormat = 'csv' | 'json';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'json'];

/** What a record's quantity counts. */
export const UNITS: Record<UsageService, string> = {
  sms: 'segment',
  mms: 'message',
  alert: 'alert',
  storage: 'byte-day',
  'traffic-in': 'byte',
  'traffic-out': 'byte',
};

/** A record as exported. */
export interface RecordView {
  id: number;
  time: string;
  service: string;
  purpose: string;
  /** The user's address; `#<id>` once the user is removed; '' when the act had no user. */
  user: string;
  domain: string;
  quantity: number;
  unit: string;
  ref: string;
}

export const RECORD_COLUMNS: Array<keyof RecordView> = [
  'id',
  'time',
  'service',
  'purpose',
  'user',
  'domain',
  'quantity',
  'unit',
  'ref',
];

export function recordView(r: UsageRecordRow): RecordView {
  return {
    id: r.id,
    time: new Date(r.at).toISOString(),
    service: r.service,
    purpose: r.purpose,
    user: r.user ?? (r.userId === null ? '' : `#${r.userId}`),
    domain: r.domain ?? (r.domainId === null ? '' : `#${r.domainId}`),
    quantity: r.quantity,
    unit: UNITS[r.service] ?? '',
    ref: r.ref,
  };
}

/** One CSV line (RFC 4180): fields with a comma, quote, CR, LF or edge spaces are quoted. */
export function csvLine(values: Array<string | number>): string {
  return `${values
    .map((v) => {
      const s = String(v);
      return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(',')}\r\n`;
}

/**
 * Turns record pages into export text piece by piece (an export streams: the text of a
 * page is written before the next page is read). CSV: a header line, then one line per
 * record. JSON: `{"from", "to", "records": [...]}`, one record per line.
 */
export class RecordExportText {
  private first = true;

  constructor(
    readonly format: ExportFormat,
    private readonly period: { from: number; to: number },
  ) {}

  get contentType(): string {
    return this.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8';
  }

  head(): string {
    if (this.format === 'csv') return csvLine(RECORD_COLUMNS);
    return `{"from":${JSON.stringify(new Date(this.period.from).toISOString())},"to":${JSON.stringify(new Date(this.period.to).toISOString())},"records":[`;
  }

  rows(list: UsageRecordRow[]): string {
    let out = '';
    for (const r of list) {
      const v = recordView(r);
      if (this.format === 'csv') {
        out += csvLine(RECORD_COLUMNS.map((c) => v[c]));
      } else {
        out += `${this.first ? '' : ','}\n${JSON.stringify(v)}`;
        this.first = false;
      }
    }
    return out;
  }

  tail(): string {
    return this.format === 'csv' ? '' : `${this.first ? '' : '\n'}]}\n`;
  }
}

export type TotalsBy = 'user' | 'domain';
export const TOTALS_BY: readonly TotalsBy[] = ['user', 'domain'];

/** One line of a totals report: a user (or a domain) in one currency. */
export interface TotalsRow {
  /** by user: the address ('' for usage without a user, `#<id>` for a removed user). */
  user?: string;
  domain: string;
  /** The plan that priced it (by domain: the domain's plan); '' when none. */
  plan: string;
  currency: string;
  quantities: UsageQuantities;
  amounts: RatedAmounts;
}

export interface TotalsReport {
  from: number;
  to: number;
  by: TotalsBy;
  rows: TotalsRow[];
}

const QUANTITY_COLUMNS = [
  'sms_segments',
  'mms',
  'alerts',
  'storage_mb_days',
  'traffic_in_bytes',
  'traffic_out_bytes',
  'periods',
];
const AMOUNT_COLUMNS = [
  'sms_amount',
  'mms_amount',
  'alert_amount',
  'storage_amount',
  'traffic_amount',
  'time_amount',
  'total',
];

/** Bytes x days as MB-days, to 6 decimals. */
export function mbDays(byteDays: number): string {
  return formatMicros(mulDivRound(byteDays, MICROS, MB));
}

function amountList(a: RatedAmounts): string[] {
  return [a.sms, a.mms, a.alert, a.storage, a.traffic, a.time, a.total].map(formatMicros);
}

/** Totals rows per piece of text: a report of many users is written piece by piece. */
const TOTALS_CHUNK = 1000;

/**
 * A totals report as text, in pieces of TOTALS_CHUNK rows (never one string of the
 * whole report). CSV: a header line, one line per row. JSON: `{"from", "to", "by",
 * "rows": [...]}`, one row per line.
 */
export function* totalsText(report: TotalsReport, format: ExportFormat): Generator<string> {
  const byUser = report.by === 'user';
  if (format === 'csv') {
    yield csvLine([
      ...(byUser ? ['user'] : []),
      'domain',
      'plan',
      'currency',
      ...QUANTITY_COLUMNS,
      ...AMOUNT_COLUMNS,
    ]);
  } else {
    yield `{"from":${JSON.stringify(new Date(report.from).toISOString())},"to":${JSON.stringify(new Date(report.to).toISOString())},"by":${JSON.stringify(report.by)},"rows":[`;
  }
  for (let i = 0; i < report.rows.length; i += TOTALS_CHUNK) {
    let out = '';
    for (const [j, r] of report.rows.slice(i, i + TOTALS_CHUNK).entries()) {
      if (format === 'csv') out += totalsCsvLine(r, byUser);
      else out += `${i + j ? ',' : ''}\n${JSON.stringify(totalsJsonRow(r, byUser))}`;
    }
    yield out;
  }
  if (format === 'json') yield `${report.rows.length ? '\n' : ''}]}\n`;
}

function totalsCsvLine(r: TotalsRow, byUser: boolean): string {
  const q = r.quantities;
  return csvLine([
    ...(byUser ? [r.user ?? ''] : []),
    r.domain,
    r.plan,
    r.currency,
    q.smsSegments,
    q.mms,
    q.alerts,
    mbDays(q.storageByteDays),
    q.trafficInBytes,
    q.trafficOutBytes,
    q.periods,
    ...amountList(r.amounts),
  ]);
}

function totalsJsonRow(r: TotalsRow, byUser: boolean) {
  const num = (micros: number) => Number(formatMicros(micros));
  return {
    ...(byUser ? { user: r.user ?? '' } : {}),
    domain: r.domain,
    plan: r.plan,
    currency: r.currency,
    smsSegments: r.quantities.smsSegments,
    mms: r.quantities.mms,
    alerts: r.quantities.alerts,
    storageMbDays: Number(mbDays(r.quantities.storageByteDays)),
    trafficInBytes: r.quantities.trafficInBytes,
    trafficOutBytes: r.quantities.trafficOutBytes,
    periods: r.quantities.periods,
    amounts: {
      sms: num(r.amounts.sms),
      mms: num(r.amounts.mms),
      alert: num(r.amounts.alert),
      storage: num(r.amounts.storage),
      traffic: num(r.amounts.traffic),
      time: num(r.amounts.time),
    },
    total: num(r.amounts.total),
  };
}

/** The whole report as one CSV string (small reports, tests). */
export function totalsCsv(report: TotalsReport): string {
  return [...totalsText(report, 'csv')].join('');
}

/** The whole report as one JSON string (small reports, tests). */
export function totalsJson(report: TotalsReport): string {
  return [...totalsText(report, 'json')].join('');
}
