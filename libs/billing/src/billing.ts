import type { Logger } from 'pino';
import { DiziError } from '@dizi/errors';
import type { DirectoryRepository, UsageFilter, UsageRepository } from '@dizi/store';
import { localDay, Period, parsePeriod } from './period';
import { PlanBook } from './plan-book';
import type { RatingPlan } from './rating';
import { StorageDayJob } from './storage-day';
import {
  EXPORT_FORMATS,
  ExportFormat,
  RecordExportText,
  TOTALS_BY,
  TotalsBy,
  TotalsReport,
} from './usage-format';
import { UsageRecorder } from './usage-recorder';
import { computeTotals } from './usage-totals';

/** The `usage` settings (libs/config UsageConfig fits). */
export interface BillingSettings {
  timeZone: string;
  defaultPlan: string;
  flushIntervalMs: number;
}

/** A query of the export or the totals, as it comes from the REST API or the CLI. */
export interface UsageQuery {
  from?: string;
  to?: string;
  format?: string;
  by?: string;
  user?: string;
  domain?: string;
}

/** An export checked and ready to stream: headers first, then `write`. */
export interface PreparedExport {
  format: ExportFormat;
  contentType: string;
  /** A file name for the download: usage-<first day>-<last day>.<csv|json>. */
  fileName: string;
  /** Writes the export through `sink` page by page, waiting on it; returns the record count. */
  write(sink: (chunk: string) => Promise<void>): Promise<number>;
}

/** Records read per page of an export. */
const PAGE = 1000;
/** How far back the start-up catch-up looks for SMS without a usage record. */
const RECOVER_MS = 24 * 3600_000;

/**
 * Usage records and billing (H16): the recorder the hooks feed, the daily storage
 * job, rating plans, rated totals per user or domain, and the record export a
 * carrier's billing system pulls (CSV or JSON, by period).
 */
export class Billing {
  readonly recorder: UsageRecorder;
  readonly storage: StorageDayJob;
  readonly plans: PlanBook;

  constructor(
    private readonly repo: UsageRepository,
    private readonly directory: DirectoryRepository,
    readonly settings: BillingSettings,
    private readonly log: Logger,
  ) {
    this.recorder = new UsageRecorder(repo, { flushIntervalMs: settings.flushIntervalMs }, log);
    this.storage = new StorageDayJob(repo, settings.timeZone, log);
    this.plans = new PlanBook(repo, directory);
  }

  /** The worker role: catch up on SMS records a crash left out, start the storage job. */
  async start(): Promise<void> {
    const recovered = await this.repo.recoverSms(Date.now() - RECOVER_MS);
    if (recovered) this.log.info({ recovered }, 'usage records of SMS written after a crash');
    this.storage.start();
  }

  async close(): Promise<void> {
    await this.storage.stop();
    await this.recorder.close();
  }

  /** Checks an export query; the caller sends headers, then calls `write`. */
  async prepareExport(q: UsageQuery, defaultFormat: ExportFormat): Promise<PreparedExport> {
    const format = pick(q.format, EXPORT_FORMATS, 'format') ?? defaultFormat;
    const filter = await this.filter(q);
    const text = new RecordExportText(format, filter);
    const first = localDay(filter.from, this.settings.timeZone);
    const last = localDay(Math.max(filter.from, filter.to - 1), this.settings.timeZone);
    return {
      format,
      contentType: text.contentType,
      fileName: `usage-${first}-${last}.${format}`,
      write: async (sink) => {
        let count = 0;
        await sink(text.head());
        let after: { at: number; id: number } | null = null;
        for (;;) {
          const page = await this.repo.page(filter, after, PAGE);
          if (page.length) await sink(text.rows(page));
          count += page.length;
          if (page.length < PAGE) break;
          const last = page[page.length - 1];
          after = { at: last.at, id: last.id };
        }
        await sink(text.tail());
        return count;
      },
    };
  }

  /** Rated totals of a period, per user or per domain. */
  async totals(q: UsageQuery): Promise<TotalsReport> {
    const by: TotalsBy = pick(q.by, TOTALS_BY, 'by') ?? 'user';
    const filter = await this.filter(q);
    const [sums, accounts, domainNames, planList, assigned] = await Promise.all([
      this.repo.sums(filter),
      this.repo.accounts(filter.to, { userId: filter.userId, domainId: filter.domainId }),
      this.repo.domainNames(),
      this.repo.plans(),
      this.repo.assignments(),
    ]);
    const plans = new Map<number, RatingPlan>(planList.map((p) => [p.id, p]));
    const defaultPlan = this.settings.defaultPlan
      ? (planList.find((p) => p.name === this.settings.defaultPlan) ?? null)
      : null;
    if (this.settings.defaultPlan && !defaultPlan)
      this.log.warn(
        { plan: this.settings.defaultPlan },
        'usage.defaultPlan names no plan; users without one are not priced',
      );
    return computeTotals({
      period: filter,
      by,
      timeZone: this.settings.timeZone,
      sums,
      accounts,
      domainNames,
      plans,
      domainPlans: assigned.domains,
      userPlans: assigned.users,
      defaultPlan,
    });
  }

  private async filter(q: UsageQuery): Promise<UsageFilter & Period> {
    const period = parsePeriod(q.from, q.to, this.settings.timeZone);
    const filter: UsageFilter = { ...period };
    if (q.user !== undefined && q.user !== '') {
      const u = await this.directory.findUser(q.user.trim().toLowerCase());
      if (!u) throw new DiziError('not-found', `no user ${q.user}`, 'user');
      filter.userId = u.id;
    }
    if (q.domain !== undefined && q.domain !== '') {
      const d = await this.directory.findDomain(q.domain.trim().toLowerCase());
      if (!d) throw new DiziError('not-found', `no domain ${q.domain}`, 'domain');
      filter.domainId = d.id;
    }
    return filter;
  }
}

function pick<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  field: string,
): T | undefined {
  if (value === undefined || value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new DiziError('invalid', `${field} must be ${allowed.join(' or ')}, not "${value}"`, field);
}
