/** RequestID values (PROTOCOLS.md §3); a response is the request's id | 0x80000000. */
export const SmgpRequest = {
  LOGIN: 0x00000001,
  SUBMIT: 0x00000002,
  DELIVER: 0x00000003,
  ACTIVE_TEST: 0x00000004,
  EXIT: 0x00000006,
  LOGIN_RESP: 0x80000001,
  SUBMIT_RESP: 0x80000002,
  DELIVER_RESP: 0x80000003,
  ACTIVE_TEST_RESP: 0x80000004,
  EXIT_RESP: 0x80000006,
} as const;

/** PacketLength u32 | RequestID u32 | SequenceID u32. */
export const SMGP_HEADER_LENGTH = 12;
export const SMGP_MAX_PACKET_LENGTH = 4096;
export const SMGP_VERSION_3 = 0x30;

/** Login LoginMode (unverified in PROTOCOLS.md): 0 send, 1 receive, 2 transmit (both). */
export const LoginMode = {
  SEND: 0,
  RECEIVE: 1,
  TRANSMIT: 2,
} as const;

/** Submit MsgType: 6 = MT to a handset. */
export const SMGP_MSG_TYPE_MT = 6;
