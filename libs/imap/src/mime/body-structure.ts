import { Adjacent, type ImapValue } from '../response/imap-value';
import type { ParameterizedValue } from './content-fields';
import { parseParameterizedValue } from './content-fields';
import { envelope } from './envelope';
import { headerValue } from './header-block';
import { countLines, isMultipart, type MimePart } from './mime-tree';

/**
 * BODYSTRUCTURE (extensible) and BODY (without extension data), RFC 3501 7.4.2, built
 * from the parsed tree of the stored bytes. Type, subtype, parameter names and the
 * transfer encoding are upper-cased (as Gmail and Cyrus send them); parameter values,
 * ids and descriptions are sent as stored.
 */
export function bodyStructure(message: Buffer, root: MimePart, extensible: boolean): ImapValue {
  return partStructure(message, root, extensible);
}

function parameterList(value: ParameterizedValue, omit: readonly string[] = []): ImapValue {
  const pairs = value.parameters.filter(([name]) => !omit.includes(name));
  if (pairs.length === 0) return null;
  return pairs.flatMap(([name, text]) => [name.toUpperCase(), Buffer.from(text, 'latin1')]);
}

function text(part: MimePart, name: string): ImapValue {
  return headerValue(part.fields, name) ?? null;
}

function disposition(part: MimePart): ImapValue {
  const value = headerValue(part.fields, 'content-disposition');
  if (!value) return null;
  const parsed = parseParameterizedValue(value.toString('latin1'));
  if (!parsed.value) return null;
  return [parsed.value.toUpperCase(), parameterList(parsed)];
}

function language(part: MimePart): ImapValue {
  const value = headerValue(part.fields, 'content-language');
  if (!value) return null;
  const tags = value
    .toString('latin1')
    .split(/[\s,]+/)
    .filter(Boolean);
  if (tags.length === 0) return null;
  return tags.length === 1 ? tags[0] : tags;
}

function partStructure(message: Buffer, part: MimePart, extensible: boolean): ImapValue {
  const [type, subtype] = part.contentType.value.split('/');
  if (isMultipart(part)) {
    const children = part.children.map((child) => partStructure(message, child, extensible));
    const structure: ImapValue[] = [new Adjacent(children), subtype.toUpperCase()];
    if (extensible) {
      structure.push(
        parameterList(part.contentType),
        disposition(part),
        language(part),
        text(part, 'content-location'),
      );
    }
    return structure;
  }
  const encoding =
    headerValue(part.fields, 'content-transfer-encoding')
      ?.toString('latin1')
      .trim()
      .toUpperCase() || '7BIT';
  const size = part.bodyEnd - part.bodyStart;
  const structure: ImapValue[] = [
    type.toUpperCase(),
    subtype.toUpperCase(),
    parameterList(part.contentType),
    text(part, 'content-id'),
    text(part, 'content-description'),
    encoding,
    size,
  ];
  if (part.message) {
    structure.push(
      envelope(part.message.fields),
      partStructure(message, part.message, extensible),
      countLines(message, part.bodyStart, part.bodyEnd),
    );
  } else if (type === 'text') {
    structure.push(countLines(message, part.bodyStart, part.bodyEnd));
  }
  if (extensible) {
    structure.push(
      text(part, 'content-md5'),
      disposition(part),
      language(part),
      text(part, 'content-location'),
    );
  }
  return structure;
}
