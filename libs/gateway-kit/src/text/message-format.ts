import type { ContentEncoding, TextEncoding } from './text-encoding';

/**
 * The message format code shared by CMPP (Msg_Fmt), SGIP (MessageCoding) and SMGP
 * (MsgFormat): 0 ASCII, 3 SIM write-card, 4 binary, 8 UCS2, 15 GBK.
 */
export const MessageFormat = {
  ASCII: 0,
  WRITE_CARD: 3,
  BINARY: 4,
  UCS2: 8,
  GBK: 15,
} as const;

/** How to read content of a given format; unknown codes (e.g. 0xF6 OTA) stay binary. */
export function encodingOfMessageFormat(format: number): ContentEncoding {
  switch (format) {
    case MessageFormat.ASCII:
      return 'ascii';
    case MessageFormat.UCS2:
      return 'ucs2';
    case MessageFormat.GBK:
      return 'gbk';
    default:
      return 'binary';
  }
}

/** The format code to send an encoding with; packed GSM 7-bit has none in these protocols. */
export function messageFormatOf(encoding: TextEncoding): number | undefined {
  switch (encoding) {
    case 'ascii':
      return MessageFormat.ASCII;
    case 'ucs2':
      return MessageFormat.UCS2;
    case 'gbk':
      return MessageFormat.GBK;
    case 'binary':
      return MessageFormat.BINARY;
    case 'gsm7':
      return undefined;
  }
}
