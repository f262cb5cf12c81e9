/**
 * Header fields a submitting client writes to ask Dizi for something. They are orders
 * to this server, not part of the mail: taken out before the mail is stored or relayed.
 */
export const NOTIFY_HEADER = 'x-dizi-notify';

/**
 * A header line longer than this (RFC 5322 allows 998 octets) means the client sent no
 * header block we can read: the rest passes through untouched, so memory stays bounded.
 */
const MAX_HEADER_LINE = 64 * 1024;

/** What `withoutHeaders` took out: each removed field's unfolded value, in order. */
export type TakenHeaders = Map<string, string[]>;

/**
 * Streams a message (as the SMTP DATA stream gives it, LF or CRLF) without the named
 * header fields (case-insensitive, continuation lines included); the values go into
 * `taken`. Only the header block is looked at: from the first empty line on, chunks
 * pass as they come. Errors of the input (a client gone mid-DATA) go through.
 */
export async function* withoutHeaders(
  input: AsyncIterable<Buffer>,
  names: readonly string[],
  taken: TakenHeaders,
): AsyncGenerator<Buffer> {
  const filter = new HeaderFilter(names, taken);
  let inBody = false;
  let carry = Buffer.alloc(0);
  for await (const chunk of input) {
    if (inBody) {
      yield chunk;
      continue;
    }
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const out: Buffer[] = [];
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      const line = buf.subarray(start, nl + 1);
      start = nl + 1;
      if (isEmptyLine(line)) {
        filter.end();
        inBody = true;
        out.push(line, buf.subarray(start));
        start = buf.length;
        break;
      }
      if (filter.keep(line)) out.push(line);
    }
    carry = Buffer.from(buf.subarray(start));
    if (!inBody && carry.length > MAX_HEADER_LINE) {
      filter.end();
      inBody = true;
      out.push(carry);
      carry = Buffer.alloc(0);
    }
    if (out.length) yield out.length === 1 ? out[0] : Buffer.concat(out);
  }
  // A message that ends inside its header block (no body, maybe no final newline).
  if (carry.length && filter.keep(carry)) yield carry;
  filter.end();
}

function isEmptyLine(line: Buffer): boolean {
  return line.length === 1 || (line.length === 2 && line[0] === 0x0d);
}

/** Decides line by line which header lines stay; collects the values of those that go. */
class HeaderFilter {
  private readonly wanted: Set<string>;
  /** The field being dropped, while its continuation lines may follow. */
  private dropping: { name: string; value: string } | null = null;

  constructor(
    names: readonly string[],
    private readonly taken: TakenHeaders,
  ) {
    this.wanted = new Set(names.map((n) => n.toLowerCase()));
  }

  /** True when the line stays in the message. */
  keep(line: Buffer): boolean {
    if (line[0] === 0x20 || line[0] === 0x09) {
      // A continuation line belongs to the field before it.
      if (!this.dropping) return true;
      this.dropping.value += line.toString('latin1');
      return false;
    }
    this.end();
    const colon = line.indexOf(0x3a);
    const name = colon > 0 ? line.subarray(0, colon).toString('latin1').trim().toLowerCase() : '';
    if (!name || !this.wanted.has(name)) return true;
    this.dropping = { name, value: line.subarray(colon + 1).toString('latin1') };
    return false;
  }

  /** Records the field being dropped, if any (its last line has come). */
  end(): void {
    if (!this.dropping) return;
    const list = this.taken.get(this.dropping.name) ?? [];
    list.push(this.dropping.value.replace(/\s+/g, ' ').trim());
    this.taken.set(this.dropping.name, list);
    this.dropping = null;
  }
}

/** What the sender asked for with `X-Dizi-Notify:` (a list: `sms`, later maybe `im`). */
export interface NotifyRequest {
  sms: boolean;
}

/**
 * Reads the values of `X-Dizi-Notify` fields: words separated by commas, semicolons or
 * spaces, case-insensitive. Words we do not know are ignored (a client may be newer).
 */
export function parseNotifyRequest(values: readonly string[]): NotifyRequest {
  const words = values.flatMap((v) =>
    v
      .toLowerCase()
      .split(/[\s,;]+/)
      .filter(Boolean),
  );
  return { sms: words.includes('sms') };
}
