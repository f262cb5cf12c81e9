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

export function totalsCsv(report: TotalsReport): string {
  const head = [
    ...(report.by === 'user' ? ['user'] : []),
    'domain',
    'plan',
    'currency',
    ...QUANTITY_COLUMNS,
    ...AMOUNT_COLUMNS,
  ];
  let out = csvLine(head);
  for (const r of report.rows) {
    const q = r.quantities;
    out += csvLine([
      ...(report.by === 'user' ? [r.user ?? ''] : []),
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
  return out;
}

export function totalsJson(report: TotalsReport): string {
  const num = (micros: number) => Number(formatMicros(micros));
  return `${JSON.stringify(
    {
      from: new Date(report.from).toISOString(),
      to: new Date(report.to).toISOString(),
      by: report.by,
      rows: report.rows.map((r) => ({
        ...(report.by === 'user' ? { user: r.user ?? '' } : {}),
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
      })),
    },
    null,
    2,
  )}\n`;
}
