/**
 * Content-Type and Content-Disposition values: a token (`type/subtype` or disposition)
 * and `; name=value` parameters. RFC 2231 continuations (`name*0`, `name*1*`) are joined
 * into one parameter: `name*` with `charset'language'%XX` text when any piece was
 * extended (kept encoded, as Dovecot does, so BODYSTRUCTURE stays 7-bit and lossless),
 * plain `name` otherwise.
 */
export interface ParameterizedValue {
  /** Lower-case main token, e.g. `text/plain` or `attachment`. */
  readonly value: string;
  /** Parameters in order of first appearance; names lower-case. */
  readonly parameters: readonly (readonly [string, string])[];
}

interface RawParameter {
  readonly name: string;
  readonly section: number | undefined;
  readonly extended: boolean;
  readonly value: string;
}

/** Reads a quoted string starting at `text[at] === '"'`; returns value and next index. */
function readQuoted(text: string, at: number): [string, number] {
  let value = '';
  let i = at + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && i + 1 < text.length) i++;
    value += text[i];
    i++;
  }
  return [value, i + 1];
}

function skipComment(text: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < text.length) {
    if (text[i] === '\\') i++;
    else if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i + 1;
    i++;
  }
  return i;
}

/** Splits on `;` outside quotes and comments, dropping comments. */
function splitParameters(text: string): string[] {
  const pieces: string[] = [];
  let current = '';
  let i = 0;
  while (i < text.length) {
    const char = text[i];
    if (char === '"') {
      const [, next] = readQuoted(text, i);
      current += text.slice(i, next);
      i = next;
    } else if (char === '(') {
      i = skipComment(text, i);
    } else if (char === ';') {
      pieces.push(current);
      current = '';
      i++;
    } else {
      current += char;
      i++;
    }
  }
  pieces.push(current);
  return pieces;
}

function parseRawParameter(piece: string): RawParameter | undefined {
  const equals = piece.indexOf('=');
  if (equals <= 0) return undefined;
  const key = piece.slice(0, equals).trim().toLowerCase();
  let valueText = piece.slice(equals + 1).trim();
  if (valueText.startsWith('"')) valueText = readQuoted(valueText, 0)[0];
  const match = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(key);
  if (!match) return undefined;
  return {
    name: match[1],
    section: match[2] === undefined ? undefined : Number(match[2]),
    extended: match[3] === '*',
    value: valueText,
  };
}

/** Percent-encodes a plain piece so it can join extended pieces (RFC 2231 attribute-char). */
function percentEncode(text: string): string {
  return Array.from(Buffer.from(text, 'latin1'))
    .map((byte) =>
      /[A-Za-z0-9!#$&+.^_`|~-]/.test(String.fromCharCode(byte))
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

function joinContinuations(raw: readonly RawParameter[]): [string, string][] {
  const order: string[] = [];
  const byName = new Map<string, RawParameter[]>();
  for (const parameter of raw) {
    if (!byName.has(parameter.name)) {
      order.push(parameter.name);
      byName.set(parameter.name, []);
    }
    byName.get(parameter.name)?.push(parameter);
  }
  const result: [string, string][] = [];
  for (const name of order) {
    const pieces = byName.get(name) ?? [];
    const sectioned = pieces.filter((p) => p.section !== undefined);
    const whole = pieces.find((p) => p.section === undefined);
    if (sectioned.length === 0 || whole) {
      const only = whole ?? pieces[0];
      result.push([only.extended ? `${name}*` : name, only.value]);
      continue;
    }
    sectioned.sort((a, b) => (a.section ?? 0) - (b.section ?? 0));
    const extended = sectioned.some((p) => p.extended);
    if (!extended) {
      result.push([name, sectioned.map((p) => p.value).join('')]);
      continue;
    }
    // The charset'language' prefix belongs to section 0 only (RFC 2231 4.1).
    const joined = sectioned
      .map((p, index) => {
        if (p.extended) return p.value;
        const encoded = percentEncode(p.value);
        return index === 0 ? `''${encoded}` : encoded;
      })
      .join('');
    result.push([`${name}*`, joined]);
  }
  return result;
}

/** Parses a Content-Type or Content-Disposition value given as latin1 text of the raw bytes. */
export function parseParameterizedValue(text: string): ParameterizedValue {
  const [head, ...rest] = splitParameters(text);
  const raw = rest.map(parseRawParameter).filter((p): p is RawParameter => p !== undefined);
  return { value: head.replace(/\s+/g, '').toLowerCase(), parameters: joinContinuations(raw) };
}

export function parameter(value: ParameterizedValue, name: string): string | undefined {
  return value.parameters.find(([key]) => key === name)?.[1];
}
