import { createHash } from 'node:crypto';
import { OctetReader, OctetWriter } from '@dizi/gateway-kit';
import { isCmpp3, type CmppVersion } from './cmpp-constants';
import { cmppTimestampText } from './cmpp-timestamp';

export interface CmppConnect {
  /** SP_Id (企业代码), 6 characters. */
  sourceAddr: string;
  authenticatorSource: Buffer;
  version: number;
  /** MMDDHHMMSS as a decimal number. */
  timestamp: number;
}

export interface CmppConnectResp {
  status: number;
  authenticatorIsmg: Buffer;
  version: number;
}

/** MD5(Source_Addr ‖ 9 × 0x00 ‖ secret ‖ "MMDDHHMMSS"). */
export function authenticatorSource(sourceAddr: string, secret: string, timestamp: number): Buffer {
  return createHash('md5')
    .update(Buffer.from(sourceAddr, 'latin1'))
    .update(Buffer.alloc(9))
    .update(Buffer.from(secret, 'latin1'))
    .update(cmppTimestampText(timestamp), 'latin1')
    .digest();
}

/** MD5(Status ‖ AuthenticatorSource ‖ secret), Status in its wire width (1 byte 2.0, 4 bytes 3.0). */
export function authenticatorIsmg(
  status: number,
  authSource: Buffer,
  secret: string,
  version: CmppVersion,
): Buffer {
  const statusBytes = isCmpp3(version)
    ? new OctetWriter().u32(status).toBuffer()
    : Buffer.from([status]);
  return createHash('md5')
    .update(statusBytes)
    .update(authSource)
    .update(Buffer.from(secret, 'latin1'))
    .digest();
}

export function encodeConnect(pdu: CmppConnect): Buffer {
  return new OctetWriter()
    .octetString(pdu.sourceAddr, 6, 'Source_Addr')
    .bytes(fixed(pdu.authenticatorSource, 16))
    .u8(pdu.version, 'Version')
    .u32(pdu.timestamp, 'Timestamp')
    .toBuffer();
}

export function decodeConnect(body: Buffer): CmppConnect {
  const r = new OctetReader(body);
  return {
    sourceAddr: r.octetString(6, 'Source_Addr'),
    authenticatorSource: r.bytes(16, 'AuthenticatorSource'),
    version: r.u8('Version'),
    timestamp: r.u32('Timestamp'),
  };
}

/** The response layout follows the version the ISMG speaks (Status 1 byte in 2.0, 4 in 3.0). */
export function encodeConnectResp(pdu: CmppConnectResp, version: CmppVersion): Buffer {
  const w = new OctetWriter();
  if (isCmpp3(version)) w.u32(pdu.status, 'Status');
  else w.u8(pdu.status, 'Status');
  return w.bytes(fixed(pdu.authenticatorIsmg, 16)).u8(pdu.version, 'Version').toBuffer();
}

/**
 * Decodes by body length rather than by the version we asked for: an ISMG that
 * refuses our version may answer in its own layout (18 bytes = 2.0, 21 = 3.0).
 */
export function decodeConnectResp(body: Buffer): CmppConnectResp {
  const r = new OctetReader(body);
  const status = body.length >= 21 ? r.u32('Status') : r.u8('Status');
  return { status, authenticatorIsmg: r.bytes(16, 'AuthenticatorISMG'), version: r.u8('Version') };
}

function fixed(bytes: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  bytes.copy(out, 0, 0, length);
  return out;
}
