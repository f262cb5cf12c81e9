import { LinkConfigError } from './errors';

/**
 * Configuration of one link, as data (config file `links:` list or admin API). Fields
 * a given kind does not use are ignored by it; each gateway validates its own needs.
 */
export interface LinkConfig {
  id: string;
  kind: string;
  /** Protocol version, e.g. "2.0" / "3.0" for CMPP. */
  version?: string;
  host?: string;
  port?: number;
  account?: string;
  secret?: string;
  serviceId?: string;
  /** Source number (SP service code); a per-message extension may be appended. */
  srcId?: string;
  /** Requests in flight at most. */
  window: number;
  /** Segments per second at most. */
  tps: number;
  /** Destination number prefixes this link serves (national form, e.g. "134"); empty = any. */
  prefixes: string[];
  /** Lower is preferred. */
  priority: number;
  /** Anything else a kind needs (fee fields, node id, …). */
  [extra: string]: unknown;
}

/** Checks the fields every link has and fills their defaults. */
export function validateBaseLinkConfig(
  raw: unknown,
  defaults: { window: number; tps: number },
): LinkConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LinkConfigError('', 'link', 'must be an object');
  }
  const input = raw as Record<string, unknown>;
  const id = input.id;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(id)) {
    throw new LinkConfigError(
      String(id ?? ''),
      'id',
      'must be 1-64 letters, digits, "_", "." or "-"',
    );
  }
  if (typeof input.kind !== 'string' || !input.kind)
    throw new LinkConfigError(id, 'kind', 'is required');
  const window = positiveInt(id, 'window', input.window ?? defaults.window);
  const tps = positiveInt(id, 'tps', input.tps ?? defaults.tps);
  const priority = nonNegativeInt(id, 'priority', input.priority ?? 1);
  const prefixes = input.prefixes ?? [];
  if (
    !Array.isArray(prefixes) ||
    !prefixes.every((p) => typeof p === 'string' && /^\d{1,20}$/.test(p))
  ) {
    throw new LinkConfigError(id, 'prefixes', 'must be a list of digit strings');
  }
  if (input.port !== undefined) {
    const port = input.port;
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      throw new LinkConfigError(id, 'port', 'must be 1-65535');
    }
  }
  for (const field of ['version', 'host', 'account', 'secret', 'serviceId', 'srcId'] as const) {
    if (input[field] !== undefined && typeof input[field] !== 'string') {
      throw new LinkConfigError(id, field, 'must be a string');
    }
  }
  return {
    ...input,
    id,
    kind: input.kind,
    window,
    tps,
    priority,
    prefixes: [...prefixes],
  } as LinkConfig;
}

function positiveInt(id: string, field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 1)
    throw new LinkConfigError(id, field, 'must be an integer ≥ 1');
  return value as number;
}

function nonNegativeInt(id: string, field: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0)
    throw new LinkConfigError(id, field, 'must be an integer ≥ 0');
  return value as number;
}
