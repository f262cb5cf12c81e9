/**
 * What is shown of a link's settings and how they are compared: secrets (passwords,
 * shared secrets, PINs, authorization headers) are never shown, and equal settings
 * have one spelling so a node can tell a changed link from an unchanged one.
 */

/** Shown instead of a secret; sent back unchanged (PUT/PATCH) it keeps the stored secret. */
export const SECRET_MASK = '********';

// Names of fields holding credentials, in any link kind: `secret`, `password`,
// `smgPassword`, `pin`, `inbound.secret`, an `Authorization` or `X-Api-Key` header…
const SECRET_NAME =
  /^(pin|.*(secret|password|passwd|token|authorization|api[-_]?key|cookie|signature))$/i;

export function isSecretField(name: string): boolean {
  return SECRET_NAME.test(name);
}

type Plain = Record<string, unknown>;

function isPlain(v: unknown): v is Plain {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy with every non-empty secret replaced by {@link SECRET_MASK}, at any depth. */
export function maskSecrets<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => maskSecrets(v)) as T;
  if (!isPlain(value)) return value;
  const out: Plain = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretField(k) && typeof v === 'string' && v !== '' ? SECRET_MASK : maskSecrets(v);
  }
  return out as T;
}

/**
 * Puts the stored secret back wherever `next` holds the mask (an admin editing what GET
 * showed). Returns the dotted path of a mask with no stored secret behind it, or null.
 */
export function restoreSecrets(next: Plain, previous: unknown, prefix = ''): string | null {
  for (const [k, v] of Object.entries(next)) {
    const path = prefix ? `${prefix}.${k}` : k;
    const before =
      isPlain(previous) || Array.isArray(previous) ? (previous as Plain)[k] : undefined;
    if (v === SECRET_MASK && isSecretField(k)) {
      if (typeof before !== 'string' || before === '') return path;
      next[k] = before;
    } else if (isPlain(v) || Array.isArray(v)) {
      const missing = restoreSecrets(v as Plain, before, path);
      if (missing) return missing;
    }
  }
  return null;
}

/** JSON with object keys sorted: equal settings give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlain(value)) return value;
  const out: Plain = {};
  for (const k of Object.keys(value).sort()) out[k] = sortKeys(value[k]);
  return out;
}
