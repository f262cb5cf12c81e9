/** Command_Id values (PROTOCOLS.md §1.2); a response is the request's id | 0x80000000. */
export const CmppCommand = {
  CONNECT: 0x00000001,
  TERMINATE: 0x00000002,
  SUBMIT: 0x00000004,
  DELIVER: 0x00000005,
  ACTIVE_TEST: 0x00000008,
  CONNECT_RESP: 0x80000001,
  TERMINATE_RESP: 0x80000002,
  SUBMIT_RESP: 0x80000004,
  DELIVER_RESP: 0x80000005,
  ACTIVE_TEST_RESP: 0x80000008,
} as const;

export const CMPP_HEADER_LENGTH = 12;

/**
 * Largest packet accepted. gocmpp stops at 3335 bytes, but a 3.0 SUBMIT to 100
 * recipients is 3503, so a little headroom; anything bigger is a framing error.
 */
export const CMPP_MAX_PACKET_LENGTH = 4096;

/** The Version byte: 0x20 = 2.0, 0x30 = 3.0 (gocmpp also sends 0x21 for "2.1", a 2.0 layout). */
export type CmppVersion = number;
export const CMPP_VERSION_2 = 0x20;
export const CMPP_VERSION_3 = 0x30;

/** True for the 3.0 field widths (32-byte terminal ids, 4-byte results, LinkID). */
export function isCmpp3(version: CmppVersion): boolean {
  return version >= CMPP_VERSION_3;
}
