import { OctetReader, OctetWriter, PduDecodeError } from '@dizi/gateway-kit';

/** Optional parameters after the fixed fields (PROTOCOLS.md §3); UDHI is one of them. */
export const SmgpTag = {
  TP_PID: 0x0001,
  TP_UDHI: 0x0002,
  LINK_ID: 0x0003,
  CHARGE_USER_TYPE: 0x0004,
  CHARGE_TERM_TYPE: 0x0005,
  CHARGE_TERM_PSEUDO: 0x0006,
  DEST_TERM_TYPE: 0x0007,
  DEST_TERM_PSEUDO: 0x0008,
  PK_TOTAL: 0x0009,
  PK_NUMBER: 0x000a,
  SUBMIT_MSG_TYPE: 0x000b,
  SP_DEAL_RESULT: 0x000c,
  SRC_TERM_TYPE: 0x000d,
  SRC_TERM_PSEUDO: 0x000e,
  NODES_COUNT: 0x000f,
  MSG_SRC: 0x0010,
  SRC_TYPE: 0x0011,
  M_SERVICE_ID: 0x0012,
} as const;

export interface SmgpTlv {
  tag: number;
  value: Buffer;
}

/** Writes TLVs in the order given: tag u16, length u16, value. */
export function encodeTlvs(tlvs: readonly SmgpTlv[]): Buffer {
  const w = new OctetWriter();
  for (const t of tlvs) w.u16(t.tag, 'TLV tag').u16(t.value.length, 'TLV length').bytes(t.value);
  return w.toBuffer();
}

/** Reads TLVs to the end of the body; unknown tags are kept as they are. */
export function decodeTlvs(bytes: Buffer): SmgpTlv[] {
  const r = new OctetReader(bytes);
  const out: SmgpTlv[] = [];
  while (r.remaining > 0) {
    if (r.remaining < 4)
      throw new PduDecodeError(
        'bad-field',
        `${r.remaining} stray bytes where a TLV header should be`,
      );
    const tag = r.u16('TLV tag');
    const length = r.u16('TLV length');
    out.push({ tag, value: r.bytes(length, `TLV 0x${tag.toString(16).padStart(4, '0')}`) });
  }
  return out;
}

export function u8Tlv(tag: number, value: number): SmgpTlv {
  return { tag, value: Buffer.from([value]) };
}

/** The one-octet value of a tag, or undefined when absent or empty. */
export function tlvU8(tlvs: readonly SmgpTlv[], tag: number): number | undefined {
  const found = tlvs.find((t) => t.tag === tag);
  return found && found.value.length ? found.value[0] : undefined;
}
