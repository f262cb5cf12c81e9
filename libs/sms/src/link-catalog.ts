import { LinkConfig, LinkRegistry } from '@dizi/gateway-kit';
import type { SmsLinkEntity } from '@dizi/store';
import { canonicalJson } from './link-settings';

/** Where a link is configured: the config file's `links:` list, or the admin API (SQL). */
export type LinkSource = 'config' | 'api';

/** One link of either source, as configured (not its running state). */
export interface CatalogLink {
  id: string;
  kind: string;
  source: LinkSource;
  enabled: boolean;
  /** The link object as configured (defaults not filled in), secrets included. */
  settings: Record<string, unknown>;
  /** The settings with defaults filled in, when they are valid. */
  config: LinkConfig | null;
  /** Why the link cannot run (invalid settings, id taken by a config link); null when it can. */
  problem: string | null;
  /** Equal for equal settings: a running link whose fingerprint changed is restarted. */
  fingerprint: string;
  revision: number | null;
  updatedAt: number | null;
}

/** Runs only when enabled and without a problem. */
export function isRunnable(link: CatalogLink): boolean {
  return link.enabled && link.problem === null;
}

/**
 * The links of both sources in one list, config-file links first. Each is validated by
 * its kind's factory (the same code for both sources); a stored link that no longer
 * validates, or whose id a config link now uses, is listed with its problem and not run.
 */
export function mergeLinkSources(
  registry: LinkRegistry,
  configLinks: readonly Record<string, unknown>[],
  stored: readonly SmsLinkEntity[],
): CatalogLink[] {
  const out: CatalogLink[] = [];
  const configIds = new Set<string>();
  for (const settings of configLinks) {
    const id = String(settings.id ?? '');
    configIds.add(id);
    out.push(entry(registry, 'config', id, settings, true, null, null));
  }
  for (const row of [...stored].sort((a, b) => a.id.localeCompare(b.id))) {
    let settings: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(row.settings);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      settings = parsed as Record<string, unknown>;
    } catch (err) {
      out.push({
        id: row.id,
        kind: row.kind,
        source: 'api',
        enabled: row.enabled,
        settings: {},
        config: null,
        problem: `stored settings are not readable (${(err as Error).message}); replace them with PUT`,
        fingerprint: row.settings,
        revision: row.revision,
        updatedAt: row.updatedAt,
      });
      continue;
    }
    const e = entry(registry, 'api', row.id, settings, row.enabled, row.revision, row.updatedAt);
    if (configIds.has(row.id))
      e.problem = `the config file has a link "${row.id}" too; that one runs, this one does not`;
    else if (settings.id !== row.id)
      e.problem = `stored settings name link "${String(settings.id)}"`;
    out.push(e);
  }
  return out;
}

function entry(
  registry: LinkRegistry,
  source: LinkSource,
  id: string,
  settings: Record<string, unknown>,
  enabled: boolean,
  revision: number | null,
  updatedAt: number | null,
): CatalogLink {
  let config: LinkConfig | null = null;
  let problem: string | null = null;
  try {
    config = registry.validate(settings);
  } catch (err) {
    problem = (err as Error).message;
  }
  return {
    id,
    kind: typeof settings.kind === 'string' ? settings.kind : '',
    source,
    enabled,
    settings,
    config,
    problem,
    fingerprint: canonicalJson(settings),
    revision,
    updatedAt,
  };
}
