import { FieldEncodeError } from '@dizi/gateway-kit';

/** How user data is coded. `binary` covers 8-bit data and compressed text. */
export type SmsAlphabet = 'gsm7' | 'binary' | 'ucs2';

export interface DataCoding {
  alphabet: SmsAlphabet;
  /** Message class 0-3 when the DCS gives one (class 0 = flash). */
  messageClass?: 0 | 1 | 2 | 3;
  /** TS 23.038 compression flag; such text is handed over as binary. */
  compressed: boolean;
}

const ALPHABET_BITS: Record<SmsAlphabet, number> = { gsm7: 0x00, binary: 0x04, ucs2: 0x08 };

/**
 * TP-DCS for a SUBMIT (TS 23.038 §4): 0x00 GSM 7-bit, 0x04 8-bit, 0x08 UCS2; with a
 * class, group 00 with bit 4 set (0x10-0x1B).
 */
export function encodeDcs(alphabet: SmsAlphabet, messageClass?: number): number {
  if (messageClass === undefined) return ALPHABET_BITS[alphabet];
  if (!Number.isInteger(messageClass) || messageClass < 0 || messageClass > 3) {
    throw new FieldEncodeError('TP-DCS', `message class ${messageClass} is not 0-3`);
  }
  return 0x10 | ALPHABET_BITS[alphabet] | messageClass;
}

/** Reads any TP-DCS; reserved codings are read as GSM 7-bit, as 23.038 asks. */
export function decodeDcs(dcs: number): DataCoding {
  const group = dcs >> 4;
  const classOf = (): 0 | 1 | 2 | 3 => (dcs & 0x03) as 0 | 1 | 2 | 3;
  if (group <= 0x07) {
    // General data coding (00xx) and automatic deletion (01xx).
    const compressed = (dcs & 0x20) !== 0;
    const bits = (dcs >> 2) & 0x03;
    const alphabet: SmsAlphabet = compressed
      ? 'binary'
      : bits === 1
        ? 'binary'
        : bits === 2
          ? 'ucs2'
          : 'gsm7';
    return { alphabet, compressed, messageClass: dcs & 0x10 ? classOf() : undefined };
  }
  if (group === 0x0f) {
    return { alphabet: dcs & 0x04 ? 'binary' : 'gsm7', compressed: false, messageClass: classOf() };
  }
  // 1100/1101 message waiting (GSM 7-bit), 1110 message waiting (UCS2), 1000-1011 reserved.
  return { alphabet: group === 0x0e ? 'ucs2' : 'gsm7', compressed: false };
}
