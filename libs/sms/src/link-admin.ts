import { DiziError } from '@dizi/errors';
import { LinkConfigError, LinkRegistry, type LinkState } from '@dizi/gateway-kit';
import type { SmsLinkEntity } from '@dizi/store';
import { CatalogLink, LinkSource, mergeLinkSources } from './link-catalog';
import { canonicalJson, maskSecrets, restoreSecrets, SECRET_MASK } from './link-settings';
import type { PublishedLinkHealth } from './sms-links';

/** The SQL side LinkAdmin needs (SmsLinkRepository). */
export interface LinkStore {
  list(): Promise<SmsLinkEntity[]>;
  get(id: string): Promise<SmsLinkEntity | null>;
  insert(link: { id: string; kind: string; settings: string }): Promise<boolean>;
  replace(id: string, kind: string, settings: string): Promise<boolean>;
  setEnabled(id: string, enabled: boolean): Promise<boolean>;
  remove(id: string): Promise<boolean>;
}

export interface LinkAdminDeps {
  registry: LinkRegistry;
  configLinks: readonly Record<string, unknown>[];
  store: LinkStore;
  /** Tells the nodes running the worker role that a link changed (Redis pub/sub). */
  announce(id: string): Promise<void>;
  /** Health of the running links, from every node. */
  health(): Promise<PublishedLinkHealth[]>;
  /** Told when an announcement could not be sent (the nodes' re-read catches up). */
  onAnnounceFailed?(id: string, err: Error): void;
}

/** Why a configured link has no health to show. */
export type LinkViewState = LinkState | 'disabled' | 'invalid' | 'not running';

/** A link as the admin API and `dizi link show` present it: secrets masked. */
export interface LinkView {
  id: string;
  kind: string;
  source: LinkSource;
  enabled: boolean;
  state: LinkViewState;
  prefixes: string[];
  priority: number;
  windowInUse?: number;
  windowSize?: number;
  ratePerSec?: number;
  tps?: number;
  errors?: number;
  lastError?: string;
  /** The node that last reported this link's health, and when. */
  node?: string;
  at?: string;
  /** Why it does not run, when it cannot. */
  problem?: string;
  /** Where a link only known from a node's report comes from. */
  note?: string;
  revision?: number;
  updatedAt?: string;
  /** The link object as configured, every secret shown as {@link SECRET_MASK}. */
  settings: Record<string, unknown>;
}

type Plain = Record<string, unknown>;

/**
 * Links configured through the admin API (REST and `dizi link`): validated by the same
 * per-kind code as the config file's links, stored in SQL, announced on Redis so every
 * worker node applies the change without a restart. Config-file links are listed with
 * `source: "config"` and cannot be changed here.
 */
export class LinkAdmin {
  constructor(private readonly deps: LinkAdminDeps) {}

  async list(): Promise<LinkView[]> {
    const [catalog, health] = await Promise.all([this.catalog(), this.deps.health()]);
    const views = catalog.map((c) => view(c, health));
    // A link some node runs that this process does not know of is in that node's config
    // file (this process, e.g. a CLI, was started with another DIZI_CONFIG or none).
    const known = new Set(catalog.map((c) => c.id));
    for (const h of health) if (!known.has(h.id)) views.push(reportedView(h));
    return views;
  }

  async get(id: string): Promise<LinkView> {
    const [catalog, health] = await Promise.all([this.catalog(), this.deps.health()]);
    const api = catalog.find((c) => c.id === id && c.source === 'api');
    const found = catalog.find((c) => c.id === id && c.source === 'config') ?? api;
    if (found) return view(found, health);
    const reported = health.find((h) => h.id === id);
    if (reported) return reportedView(reported);
    throw notFound(id);
  }

  /** Adds a link; it starts on every worker node within moments. */
  async add(raw: unknown): Promise<LinkView> {
    const settings = this.checked(plainBody(raw));
    this.refuseConfigId(settings.id as string);
    const missing = restoreSecrets(settings, {});
    if (missing) throw maskedWithoutSecret(missing);
    const inserted = await this.deps.store.insert({
      id: settings.id as string,
      kind: settings.kind as string,
      settings: canonicalJson(settings),
    });
    if (!inserted)
      throw new DiziError(
        'conflict',
        `link ${String(settings.id)} already exists; change it with PUT or PATCH /api/admin/links/${String(settings.id)} (dizi link set)`,
        'id',
      );
    return this.changed(settings.id as string);
  }

  /** Replaces a link's settings; a secret sent back as the mask keeps its stored value. */
  async replace(id: string, raw: unknown): Promise<LinkView> {
    this.refuseConfigId(id);
    const body = plainBody(raw);
    if (body.id !== undefined && body.id !== id)
      throw new DiziError(
        'invalid',
        `id: the body names link ${String(body.id)}, the path ${id}`,
        'id',
      );
    const previous = await this.stored(id);
    const settings = { ...body, id };
    const missing = restoreSecrets(settings, previous);
    if (missing) throw maskedWithoutSecret(missing);
    return this.write(id, this.checked(settings));
  }

  /** Changes some fields; `null` removes a field (its default applies again). */
  async patch(id: string, raw: unknown): Promise<LinkView> {
    this.refuseConfigId(id);
    const body = plainBody(raw);
    if (body.id !== undefined && body.id !== id)
      throw new DiziError('invalid', 'id: a link cannot be renamed; add a new one instead', 'id');
    const previous = await this.stored(id);
    const settings: Plain = { ...previous };
    for (const [k, v] of Object.entries(body)) {
      if (v === null) delete settings[k];
      else settings[k] = v;
    }
    settings.id = id;
    const missing = restoreSecrets(settings, previous);
    if (missing) throw maskedWithoutSecret(missing);
    return this.write(id, this.checked(settings));
  }

  async remove(id: string): Promise<void> {
    this.refuseConfigId(id);
    if (!(await this.deps.store.remove(id))) throw notFound(id);
    await this.announce(id);
  }

  async setEnabled(id: string, enabled: boolean): Promise<LinkView> {
    this.refuseConfigId(id);
    if (!(await this.deps.store.setEnabled(id, enabled))) throw notFound(id);
    return this.changed(id);
  }

  private async catalog(): Promise<CatalogLink[]> {
    return mergeLinkSources(
      this.deps.registry,
      this.deps.configLinks,
      await this.deps.store.list(),
    );
  }

  /** Validates with the kind's own factory; the error names the field. */
  private checked(settings: Plain): Plain {
    try {
      this.deps.registry.validate(settings);
    } catch (err) {
      if (err instanceof LinkConfigError) throw new DiziError('invalid', err.message, err.field);
      throw err;
    }
    return settings;
  }

  private refuseConfigId(id: string): void {
    if (this.deps.configLinks.some((c) => c.id === id))
      throw new DiziError(
        'conflict',
        `link ${id} comes from the config file (the links: list of the file DIZI_CONFIG names); change it there and restart the server`,
        'id',
      );
  }

  private async stored(id: string): Promise<Plain> {
    const row = await this.deps.store.get(id);
    if (!row) throw notFound(id);
    try {
      return JSON.parse(row.settings) as Plain;
    } catch {
      return { id };
    }
  }

  private async write(id: string, settings: Plain): Promise<LinkView> {
    if (!(await this.deps.store.replace(id, settings.kind as string, canonicalJson(settings))))
      throw notFound(id);
    return this.changed(id);
  }

  private async changed(id: string): Promise<LinkView> {
    await this.announce(id);
    return this.get(id);
  }

  private async announce(id: string): Promise<void> {
    try {
      await this.deps.announce(id);
    } catch (err) {
      this.deps.onAnnounceFailed?.(id, err as Error);
    }
  }
}

function plainBody(raw: unknown): Plain {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new DiziError('invalid', 'body: a link must be a JSON object', 'body');
  return { ...(raw as Plain) };
}

function notFound(id: string): DiziError {
  return new DiziError('not-found', `no link ${id}`, 'id');
}

function maskedWithoutSecret(field: string): DiziError {
  return new DiziError(
    'invalid',
    `${field}: "${SECRET_MASK}" stands for a stored secret, and there is none; give the real value`,
    field,
  );
}

function view(c: CatalogLink, health: readonly PublishedLinkHealth[]): LinkView {
  // A stored link shadowed by a config link of the same id must not show that link's health.
  const h = c.problem === null ? health.find((x) => x.id === c.id) : undefined;
  const state: LinkViewState = !c.enabled
    ? 'disabled'
    : c.problem !== null
      ? 'invalid'
      : (h?.state ?? 'not running');
  const v: LinkView = {
    id: c.id,
    kind: c.kind,
    source: c.source,
    enabled: c.enabled,
    state,
    prefixes: c.config ? [...c.config.prefixes] : [],
    priority: c.config?.priority ?? 0,
    settings: maskSecrets(c.settings),
  };
  if (h && c.enabled) {
    v.windowInUse = h.windowInUse;
    v.windowSize = h.windowSize;
    v.ratePerSec = h.ratePerSec;
    v.tps = h.tps;
    v.errors = h.errors;
    if (h.lastError !== undefined) v.lastError = h.lastError;
    v.node = h.node;
    v.at = h.at;
  }
  if (c.problem !== null) v.problem = c.problem;
  if (c.revision !== null) v.revision = c.revision;
  if (c.updatedAt !== null) v.updatedAt = new Date(c.updatedAt).toISOString();
  return v;
}

/** A running link known only from the health a node published (its own config file). */
function reportedView(h: PublishedLinkHealth): LinkView {
  return {
    id: h.id,
    kind: h.kind,
    source: 'config',
    enabled: true,
    state: h.state,
    prefixes: [...h.prefixes],
    priority: h.priority,
    windowInUse: h.windowInUse,
    windowSize: h.windowSize,
    ratePerSec: h.ratePerSec,
    tps: h.tps,
    errors: h.errors,
    ...(h.lastError !== undefined ? { lastError: h.lastError } : {}),
    node: h.node,
    at: h.at,
    note: `from the config file of node ${h.node}; not in this process's config`,
    settings: {},
  };
}
