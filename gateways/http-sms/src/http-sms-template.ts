import { GatewayError } from '@dizi/gateway-kit';

/** Values a template can name: {{to}}, {{text}}, {{from}}, {{id}}. */
export interface TemplateValues {
  to: string;
  text: string;
  from: string;
  id: string;
}

export type TemplateEscape = 'url' | 'json' | 'none';

/** A template names a placeholder that does not exist. */
export class TemplateError extends GatewayError {
  constructor(problem: string) {
    super('HTTP_SMS_TEMPLATE', `template: ${problem}`);
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;
const NAMES = new Set(['to', 'text', 'from', 'id']);

/** Throws {@link TemplateError} when a template names an unknown placeholder. */
export function checkTemplate(template: string): void {
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (!NAMES.has(m[1])) {
      throw new TemplateError(`unknown placeholder {{${m[1]}}} (known: to, text, from, id)`);
    }
  }
}

/**
 * Fills a template. Each value is escaped for where it lands: `url` percent-encodes
 * (URL query, form body), `json` writes the inside of a JSON string (quotes,
 * backslashes and control characters escaped), `none` inserts it as is.
 */
export function renderTemplate(
  template: string,
  values: TemplateValues,
  escape: TemplateEscape,
): string {
  return template.replace(PLACEHOLDER, (_all, name: string) => {
    if (!NAMES.has(name)) throw new TemplateError(`unknown placeholder {{${name}}}`);
    const value = values[name as keyof TemplateValues];
    if (escape === 'url') return encodeURIComponent(value);
    if (escape === 'json') return JSON.stringify(value).slice(1, -1);
    return value;
  });
}

/** How values in a request body are escaped for its content type. */
export function escapeForContentType(contentType: string): TemplateEscape {
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return 'url';
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  return 'none';
}

/**
 * Reads a dotted path ("data.messages.0.id") out of parsed JSON; undefined when any
 * step is missing. Numbers and strings come back as strings.
 */
export function readJsonPath(value: unknown, path: string): string | undefined {
  let current: unknown = value;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  if (typeof current === 'string') return current;
  if (typeof current === 'number' || typeof current === 'bigint') return String(current);
  return undefined;
}
