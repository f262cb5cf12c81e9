/** SMPP 3.4 command ids (PROTOCOLS.md §4; SMPP 3.4 §5.1.2.1). A response is its request | 0x80000000. */
export const SmppCommand = {
  GENERIC_NACK: 0x80000000,
  BIND_RECEIVER: 0x00000001,
  BIND_RECEIVER_RESP: 0x80000001,
  BIND_TRANSMITTER: 0x00000002,
  BIND_TRANSMITTER_RESP: 0x80000002,
  QUERY_SM: 0x00000003,
  SUBMIT_SM: 0x00000004,
  SUBMIT_SM_RESP: 0x80000004,
  DELIVER_SM: 0x00000005,
  DELIVER_SM_RESP: 0x80000005,
  UNBIND: 0x00000006,
  UNBIND_RESP: 0x80000006,
  BIND_TRANSCEIVER: 0x00000009,
  BIND_TRANSCEIVER_RESP: 0x80000009,
  OUTBIND: 0x0000000b,
  ENQUIRE_LINK: 0x00000015,
  ENQUIRE_LINK_RESP: 0x80000015,
  ALERT_NOTIFICATION: 0x00000102,
  DATA_SM: 0x00000103,
  DATA_SM_RESP: 0x80000103,
} as const;

export const SMPP_HEADER_LENGTH = 16;
/** Largest PDU accepted: a 64 KiB message_payload plus the fixed fields. */
export const SMPP_MAX_PDU_LENGTH = 70_000;
export const SMPP_INTERFACE_VERSION = 0x34;

/** Optional parameter tags used here (SMPP 3.4 §5.3.2). */
export const SmppTag = {
  RECEIPTED_MESSAGE_ID: 0x001e,
  SAR_MSG_REF_NUM: 0x020c,
  SAR_TOTAL_SEGMENTS: 0x020e,
  SAR_SEGMENT_SEQNUM: 0x020f,
  SC_INTERFACE_VERSION: 0x0210,
  NETWORK_ERROR_CODE: 0x0423,
  MESSAGE_PAYLOAD: 0x0424,
  MESSAGE_STATE: 0x0427,
} as const;

/** esm_class bits (SMPP 3.4 §5.2.12). */
export const EsmClass = {
  /** Bits 5-2: message type. */
  TYPE_MASK: 0x3c,
  DELIVERY_RECEIPT: 0x04,
  DELIVERY_ACK: 0x08,
  USER_ACK: 0x10,
  INTERMEDIATE_NOTIFICATION: 0x20,
  UDHI: 0x40,
} as const;

/** message_state values (SMPP 3.4 §5.2.28) and the receipt word each stands for. */
export const MESSAGE_STATE_WORDS: Readonly<Record<number, string>> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

/** data_coding values used here (SMPP 3.4 §5.2.19). */
export const DataCoding = {
  SMSC_DEFAULT: 0x00,
  IA5: 0x01,
  OCTET_UNSPECIFIED_2: 0x02,
  LATIN1: 0x03,
  OCTET_UNSPECIFIED: 0x04,
  UCS2: 0x08,
} as const;
