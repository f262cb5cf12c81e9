import { OctetReader, PduDecodeError } from '@dizi/gateway-kit';
import { readSca } from './semi-octets';
import { readDeliver, type SmsDeliver } from './sms-deliver';
import { readStatusReport, type SmsStatusReport } from './sms-status-report';
import { readSubmit, type SmsSubmit } from './sms-submit';

export type SmsPdu = SmsDeliver | SmsSubmit | SmsStatusReport;

export interface DecodeOptions {
  /** The PDU starts with an SCA (as +CMGR/+CMT/+CDS and AT+CMGS give it). Default true. */
  withSca?: boolean;
  /** The TPDU length the modem announced (SCA excluded); checked when given. */
  tpduLength?: number;
  /**
   * What the PDU must be, whatever its MTI says. `received` (a +CMGR of a received
   * message, stat 0/1) reads MTI 2 as a status report and anything else as a DELIVER:
   * some phones store DELIVERs with MTI 01 (gammu's tests/at-sms/01.dump), and gammu
   * too decides by the storage status. Default: by MTI.
   */
  expect?: 'deliver' | 'submit' | 'status-report' | 'received';
}

/**
 * Decodes a PDU as a mobile sees it: MTI 0 SMS-DELIVER, 1 SMS-SUBMIT (stored outgoing
 * messages, or what a simulated network receives), 2 SMS-STATUS-REPORT. Anything
 * malformed is a {@link PduDecodeError}; nothing else is thrown.
 */
export function decodeSmsPdu(input: Buffer | string, options: DecodeOptions = {}): SmsPdu {
  const bytes = typeof input === 'string' ? hexToBytes(input) : input;
  const reader = new OctetReader(bytes);
  const smsc = options.withSca === false ? undefined : readSca(reader);
  if (options.tpduLength !== undefined && reader.remaining !== options.tpduLength) {
    throw new PduDecodeError(
      'bad-length',
      `announced TPDU length ${options.tpduLength}, PDU carries ${reader.remaining} octets`,
    );
  }
  if (reader.remaining === 0) throw new PduDecodeError('truncated', 'no TPDU after the SCA');
  try {
    const mti = bytes[reader.offset] & 0x03;
    const forced = options.expect !== undefined && options.expect !== 'received';
    const kind =
      options.expect === 'received'
        ? mti === 2
          ? 'status-report'
          : 'deliver'
        : (options.expect ?? (['deliver', 'submit', 'status-report'] as const)[mti]);
    switch (kind) {
      case 'deliver':
        return readDeliver(reader, smsc, !forced && options.expect !== 'received');
      case 'submit':
        return readSubmit(reader, smsc, !forced);
      case 'status-report':
        return readStatusReport(reader, smsc, !forced);
      default:
        throw new PduDecodeError('unknown-command', 'MTI 3 is reserved');
    }
  } catch (error) {
    if (error instanceof PduDecodeError) throw error;
    // A UDH or text problem inside an otherwise readable PDU.
    throw new PduDecodeError('bad-field', (error as Error).message);
  }
}

/** Hex text (either case, surrounding blanks allowed) to bytes; anything else is an error. */
export function hexToBytes(hex: string): Buffer {
  const clean = hex.trim();
  if (clean.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(clean)) {
    throw new PduDecodeError('bad-field', `not an even-length hex string: ${clean.slice(0, 40)}`);
  }
  return Buffer.from(clean, 'hex');
}

export function bytesToHex(bytes: Buffer): string {
  return bytes.toString('hex').toUpperCase();
}
