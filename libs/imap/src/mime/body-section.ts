import type { BodySection, PartialRange } from '../parser/command-types';
import type { HeaderField } from './header-block';
import { isMultipart, type MimePart } from './mime-tree';

/**
 * Resolves a part path (RFC 3501 6.4.5): the parts of a multipart are its children; a
 * single-part entity has itself as part 1; below a message/rfc822 part, numbers address
 * the parts of the enclosed message.
 */
export function findPart(root: MimePart, path: readonly number[]): MimePart | undefined {
  let current = root;
  for (let level = 0; level < path.length; level++) {
    if (level > 0) {
      if (current.message) current = current.message;
      else if (!isMultipart(current)) return undefined;
    }
    const parts = isMultipart(current) ? current.children : [current];
    const next = parts[path[level] - 1];
    if (!next) return undefined;
    current = next;
  }
  return current;
}

const CRLF = Buffer.from('\r\n');

function selectFields(
  fields: readonly HeaderField[],
  names: readonly string[],
  exclude: boolean,
): Buffer {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const chosen = fields
    .filter((field) => wanted.has(field.name) !== exclude)
    .map((field) => field.raw);
  // Each field as stored (a last field without its line break gets one), then the blank line.
  const lines = chosen.map((raw) =>
    raw.length && raw[raw.length - 1] === 0x0a ? raw : Buffer.concat([raw, CRLF]),
  );
  return Buffer.concat([...lines, CRLF]);
}

/**
 * The bytes of BODY[section] for one message, sliced from what is stored; undefined when
 * the section does not exist (the FETCH answer then gives NIL for it).
 */
export function sectionBytes(
  message: Buffer,
  root: MimePart,
  section: BodySection,
): Buffer | undefined {
  const part = section.path.length ? findPart(root, section.path) : root;
  if (!part) return undefined;
  switch (section.specifier) {
    case undefined:
      return section.path.length
        ? message.subarray(part.bodyStart, part.bodyEnd)
        : message.subarray(root.headerStart, root.bodyEnd);
    case 'MIME':
      return message.subarray(part.headerStart, part.bodyStart);
    default: {
      // HEADER and TEXT apply to a message: the top one, or the one inside a message/rfc822 part.
      const target = section.path.length ? part.message : root;
      if (!target) return undefined;
      if (section.specifier === 'HEADER')
        return message.subarray(target.headerStart, target.bodyStart);
      if (section.specifier === 'TEXT') return message.subarray(target.bodyStart, target.bodyEnd);
      return selectFields(
        target.fields,
        section.fields ?? [],
        section.specifier === 'HEADER.FIELDS.NOT',
      );
    }
  }
}

/** Applies `<offset.length>`; an offset past the end gives an empty string (RFC 3501). */
export function applyPartial(bytes: Buffer, partial: PartialRange | undefined): Buffer {
  if (!partial) return bytes;
  if (partial.offset >= bytes.length) return Buffer.alloc(0);
  return bytes.subarray(partial.offset, partial.offset + partial.length);
}

/** The item name a FETCH answer uses, e.g. `BODY[1.HEADER.FIELDS (A B)]<0>`. */
export function sectionLabel(section: BodySection, partial?: PartialRange): string {
  const parts: string[] = section.path.map(String);
  if (section.specifier) {
    const fields = section.fields
      ? ` (${section.fields.map((f) => f.toUpperCase()).join(' ')})`
      : '';
    parts.push(`${section.specifier}${fields}`);
  }
  return `BODY[${parts.join('.')}]${partial ? `<${partial.offset}>` : ''}`;
}
