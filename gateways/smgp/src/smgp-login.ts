import { createHash } from 'node:crypto';
import { OctetReader, OctetWriter, carrierTimestampText } from '@dizi/gateway-kit';

export interface SmgpLogin {
  clientId: string;
  authenticatorClient: Buffer;
  loginMode: number;
  /** MMDDHHMMSS as a decimal number. */
  timestamp: number;
  clientVersion: number;
}

export interface SmgpLoginResp {
  status: number;
  authenticatorServer: Buffer;
  serverVersion: number;
}

/** MD5(ClientID ‖ 7 × 0x00 ‖ secret ‖ "MMDDHHMMSS") — seven zero bytes, where CMPP has nine. */
export function authenticatorClient(clientId: string, secret: string, timestamp: number): Buffer {
  return createHash('md5')
    .update(Buffer.from(clientId, 'latin1'))
    .update(Buffer.alloc(7))
    .update(Buffer.from(secret, 'latin1'))
    .update(carrierTimestampText(timestamp), 'latin1')
    .digest();
}

/**
 * MD5(Status ‖ AuthenticatorClient ‖ secret), by analogy with CMPP 3.0; not confirmed
 * by a second source (PROTOCOLS.md §3), so a mismatch is only logged.
 */
export function authenticatorServer(status: number, authClient: Buffer, secret: string): Buffer {
  return createHash('md5')
    .update(new OctetWriter().u32(status).toBuffer())
    .update(authClient)
    .update(Buffer.from(secret, 'latin1'))
    .digest();
}

export function encodeLogin(p: SmgpLogin): Buffer {
  return new OctetWriter()
    .octetString(p.clientId, 8, 'ClientID')
    .bytes(fixed16(p.authenticatorClient))
    .u8(p.loginMode, 'LoginMode')
    .u32(p.timestamp, 'TimeStamp')
    .u8(p.clientVersion, 'ClientVersion')
    .toBuffer();
}

export function decodeLogin(body: Buffer): SmgpLogin {
  const r = new OctetReader(body);
  return {
    clientId: r.octetString(8, 'ClientID'),
    authenticatorClient: r.bytes(16, 'AuthenticatorClient'),
    loginMode: r.u8('LoginMode'),
    timestamp: r.u32('TimeStamp'),
    clientVersion: r.u8('ClientVersion'),
  };
}

export function encodeLoginResp(p: SmgpLoginResp): Buffer {
  return new OctetWriter()
    .u32(p.status, 'Status')
    .bytes(fixed16(p.authenticatorServer))
    .u8(p.serverVersion, 'ServerVersion')
    .toBuffer();
}

export function decodeLoginResp(body: Buffer): SmgpLoginResp {
  const r = new OctetReader(body);
  return {
    status: r.u32('Status'),
    authenticatorServer: r.bytes(16, 'AuthenticatorServer'),
    serverVersion: r.u8('ServerVersion'),
  };
}

function fixed16(bytes: Buffer): Buffer {
  const out = Buffer.alloc(16);
  bytes.copy(out, 0, 0, 16);
  return out;
}
