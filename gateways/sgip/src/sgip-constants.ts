/** Command IDs (PROTOCOLS.md §2.2); a response is the request's id | 0x80000000. */
export const SgipCommand = {
  BIND: 0x00000001,
  UNBIND: 0x00000002,
  SUBMIT: 0x00000003,
  DELIVER: 0x00000004,
  REPORT: 0x00000005,
  BIND_RESP: 0x80000001,
  UNBIND_RESP: 0x80000002,
  SUBMIT_RESP: 0x80000003,
  DELIVER_RESP: 0x80000004,
  REPORT_RESP: 0x80000005,
} as const;

/** Message Length u32 | Command ID u32 | Sequence Number 12 bytes. */
export const SGIP_HEADER_LENGTH = 20;

/** A Submit to 100 users with 255 bytes of content is under 2.5 kB; more is a framing error. */
export const SGIP_MAX_PACKET_LENGTH = 4096;

/** Bind LoginType: 1 = SP connects to the SMG to submit, 2 = the SMG connects to the SP to deliver. */
export const LoginType = {
  SP_TO_SMG: 1,
  SMG_TO_SP: 2,
} as const;

/** MessageCoding, as CMPP's Msg_Fmt. */
export const MessageCoding = {
  ASCII: 0,
  BINARY: 4,
  UCS2: 8,
  GBK: 15,
} as const;
