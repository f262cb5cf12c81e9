import { decodeHeaderValue, headerEnd, parseHeaderBlock } from './raw-headers';

export interface HeaderSummary {
  subject: string;
  from: string;
  to: string;
  messageId: string;
  /** Received header fields: more than the configured maximum means a mail loop. */
  receivedCount: number;
}

/** Reads the fields lists and alerts show from the header block of a raw message. */
export function summarizeMessage(raw: Buffer): HeaderSummary {
  const end = headerEnd(raw);
  const headers = parseHeaderBlock(end < 0 ? raw : raw.subarray(0, end));
  const first = (name: string) => {
    const h = headers.find((x) => x.name.toLowerCase() === name);
    return h ? decodeHeaderValue(h.value) : '';
  };
  return {
    subject: first('subject'),
    from: first('from'),
    to: first('to'),
    messageId: first('message-id'),
    receivedCount: headers.filter((h) => h.name.toLowerCase() === 'received').length,
  };
}
