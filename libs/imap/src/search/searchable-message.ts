import { findBodyStart, headerValue, parseHeaderFields } from '../mime/header-block';
import { parameter } from '../mime/content-fields';
import { type MimePart, parseMimeTree } from '../mime/mime-tree';
import { decodeCharset, decodeHeaderText, decodeTransferEncoding } from '../mime/text-decoding';
import { collapseWhitespace, normalizeForSearch } from './search-text';

/** What SEARCH needs of one message besides its content. */
export interface SearchableMetadata {
  readonly sequence: number;
  readonly uid: number;
  readonly flags: readonly string[];
  readonly recent: boolean;
  readonly internalDate: Date;
  readonly size: number;
  readonly modseq: number;
}

/**
 * A message's text for SEARCH, decoded once on first use: header values with RFC 2047
 * words decoded, bodies of the text parts with their transfer encoding and charset
 * undone, so a UTF-8 search string finds GB2312, GBK, BIG5 or UTF-8 text in base64 or
 * quoted-printable alike. Nothing is read when only flags or sizes are searched.
 */
export class SearchableMessage {
  private tree?: MimePart;
  private decodedHeaders?: Map<string, string[]>;
  private headerText?: string;
  private bodyText?: string;
  private lowerBodyText?: string;

  constructor(
    readonly metadata: SearchableMetadata,
    private readonly loadBytes: () => Buffer,
  ) {}

  private bytes?: Buffer;

  private raw(): Buffer {
    this.bytes ??= this.loadBytes();
    return this.bytes;
  }

  private root(): MimePart {
    this.tree ??= parseMimeTree(this.raw());
    return this.tree;
  }

  /** Decoded, normalized values of one header field (lower-case name), one per occurrence. */
  headerValues(name: string): string[] {
    return this.headers().get(name) ?? [];
  }

  private headers(): Map<string, string[]> {
    if (!this.decodedHeaders) {
      const map = new Map<string, string[]>();
      for (const field of this.root().fields) {
        const list = map.get(field.name) ?? [];
        list.push(normalizeForSearch(decodeHeaderText(field.value)));
        map.set(field.name, list);
      }
      this.decodedHeaders = map;
    }
    return this.decodedHeaders;
  }

  /** The Date: header, raw. */
  sentDate(): string | undefined {
    return headerValue(this.root().fields, 'date')?.toString('latin1');
  }

  /** Every header field of the message, decoded and normalized. */
  allHeaders(): string {
    if (this.headerText === undefined) {
      const lines: string[] = [];
      for (const [name, values] of this.headers()) {
        for (const value of values) lines.push(`${name}: ${value}`);
      }
      this.headerText = lines.join(' ');
    }
    return this.headerText;
  }

  /** The decoded, normalized text of every text part, nested messages included. */
  body(): string {
    // normalizeForSearch: lower case, then whitespace runs made one space.
    this.bodyText ??= collapseWhitespace(this.lowerCaseBody());
    return this.bodyText;
  }

  /**
   * `body()` before its whitespace runs are collapsed. A search string without
   * whitespace matches one exactly when it matches the other (it cannot span a run), so
   * SEARCH BODY word skips the collapsing, a regular expression over the whole text.
   */
  lowerCaseBody(): string {
    if (this.lowerBodyText === undefined) {
      const pieces: string[] = [];
      collectText(this.raw(), this.root(), pieces, true);
      this.lowerBodyText = pieces.join(' ').toLowerCase();
    }
    return this.lowerBodyText;
  }
}

function collectText(bytes: Buffer, part: MimePart, out: string[], top: boolean): void {
  if (part.children.length) {
    for (const child of part.children) collectText(bytes, child, out, false);
    return;
  }
  if (part.message) {
    // A forwarded message's headers are part of the forwarding message's body text.
    const inner = part.message;
    const innerEnd = findBodyStart(bytes, inner.headerStart, inner.bodyEnd);
    for (const field of parseHeaderFields(bytes, inner.headerStart, innerEnd)) {
      out.push(decodeHeaderText(field.value));
    }
    collectText(bytes, inner, out, false);
    return;
  }
  const [type, subtype] = part.contentType.value.split('/');
  if (type !== 'text' && !(top && part.defaultedType)) return;
  const encoding =
    headerValue(part.fields, 'content-transfer-encoding')?.toString('latin1') ?? '7bit';
  const decoded = decodeTransferEncoding(bytes.subarray(part.bodyStart, part.bodyEnd), encoding);
  const text = decodeCharset(decoded, parameter(part.contentType, 'charset'));
  out.push(subtype === 'html' ? htmlToText(text) : text);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  nbsp: ' ',
  apos: "'",
};

/** Enough HTML-to-text for searching: drop tags, scripts and styles, decode entities. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
      if (entity[0] === '#') {
        const code =
          entity[1] === 'x' || entity[1] === 'X'
            ? parseInt(entity.slice(2), 16)
            : Number(entity.slice(1));
        return Number.isFinite(code) && code > 0 && code < 0x110000
          ? String.fromCodePoint(code)
          : whole;
      }
      return ENTITIES[entity.toLowerCase()] ?? whole;
    });
}
