/**
 * MsgID, 10 bytes (PROTOCOLS.md §3): in the spec, BCD of SMGW code (6 digits) ‖
 * MMDDHHMM ‖ sequence (6 digits). Gateways do not all stick to BCD, so the link
 * treats it as opaque and shows it as 20 hex digits — for a BCD id that is the digits.
 */
export const SMGP_MSG_ID_LENGTH = 10;

export function formatSmgpMsgId(id: Buffer): string {
  return id.toString('hex');
}

/** Builds a BCD MsgID from its parts (the simulator's way of numbering). */
export function composeSmgpMsgId(gatewayCode: number, time: Date, sequence: number): Buffer {
  const two = (n: number) => String(n).padStart(2, '0');
  const digits =
    String(gatewayCode % 1_000_000).padStart(6, '0') +
    two(time.getMonth() + 1) +
    two(time.getDate()) +
    two(time.getHours()) +
    two(time.getMinutes()) +
    String(sequence % 1_000_000).padStart(6, '0');
  return Buffer.from(digits, 'hex');
}
