/**
 * Msg_Id (PROTOCOLS.md §1.7): month 4 | day 5 | hour 5 | minute 6 | second 6 |
 * ISMG code 22 | sequence 16 bits, big-endian on the wire.
 */
export interface CmppMsgIdParts {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  gatewayCode: number;
  sequence: number;
}

export function composeMsgId(p: CmppMsgIdParts): bigint {
  return (
    (BigInt(p.month & 0xf) << 60n) |
    (BigInt(p.day & 0x1f) << 55n) |
    (BigInt(p.hour & 0x1f) << 50n) |
    (BigInt(p.minute & 0x3f) << 44n) |
    (BigInt(p.second & 0x3f) << 38n) |
    (BigInt(p.gatewayCode & 0x3fffff) << 16n) |
    BigInt(p.sequence & 0xffff)
  );
}

export function parseMsgId(id: bigint): CmppMsgIdParts {
  const field = (shift: bigint, mask: bigint) => Number((id >> shift) & mask);
  return {
    month: field(60n, 0xfn),
    day: field(55n, 0x1fn),
    hour: field(50n, 0x1fn),
    minute: field(44n, 0x3fn),
    second: field(38n, 0x3fn),
    gatewayCode: field(16n, 0x3fffffn),
    sequence: field(0n, 0xffffn),
  };
}

/** The id the link hands out: 16 lowercase hex digits, the way HTTP APIs commonly show it. */
export function formatMsgId(id: bigint): string {
  return id.toString(16).padStart(16, '0');
}

export function parseMsgIdText(text: string): bigint {
  if (!/^[0-9a-fA-F]{16}$/.test(text)) throw new RangeError(`not a 16-hex-digit Msg_Id: ${text}`);
  return BigInt(`0x${text}`);
}
