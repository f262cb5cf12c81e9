import type { NodemailerError } from 'nodemailer/lib/errors';
import type { RecipientResult, RecipientStatus } from './delivery.types';
import { isPermanentCode, parseSmtpReply } from './smtp-reply';
import type { TransactionOutcome } from './smtp-session';

/** Who answered: printed in results and in the DSN's Remote-MTA. */
export interface Peer {
  host: string;
  address: string;
  port: number;
  viaSmartHost: boolean;
}

/** Why a host could not be used at all (before MAIL FROM); the next host may do better. */
export interface ConnectFailure {
  peer: Peer;
  message: string;
  code: number | null;
  enhancedCode: string;
  remoteResponse: string | null;
}

export function describePeer(peer: Peer): string {
  return peer.host === peer.address
    ? `${peer.address}:${peer.port}`
    : `${peer.host}[${peer.address}]:${peer.port}`;
}

/** A recipient result from a server's reply (or a local reason when there was none). */
export function resultFromReply(
  recipient: string,
  peer: Peer | null,
  response: string | null,
  fallback: { status: RecipientStatus; enhancedCode: string; message: string },
): RecipientResult {
  const reply = response ? parseSmtpReply(response) : null;
  const base = {
    recipient,
    remoteHost: peer?.host ?? null,
    remoteAddress: peer ? `${peer.address}:${peer.port}` : null,
    viaSmartHost: peer?.viaSmartHost ?? false,
  };
  if (!reply) {
    return {
      ...base,
      status: fallback.status,
      code: null,
      enhancedCode: fallback.enhancedCode,
      message: fallback.message,
      remoteResponse: null,
    };
  }
  const status: RecipientStatus =
    reply.code < 400 ? 'delivered' : isPermanentCode(reply.code) ? 'failed' : 'deferred';
  return {
    ...base,
    status,
    code: reply.code,
    enhancedCode: reply.enhancedCode,
    message: `${peer ? describePeer(peer) : 'the server'} said: ${reply.raw}`,
    remoteResponse: reply.raw,
  };
}

/** Maps one SMTP transaction to a result for each recipient. */
export function resultsFromTransaction(
  recipients: string[],
  outcome: TransactionOutcome,
  peer: Peer,
  messageSize: number,
): RecipientResult[] {
  const rejectedByAddress = new Map<string, NodemailerError>();
  for (const rejection of outcome.rejected) {
    if (rejection.recipient) rejectedByAddress.set(rejection.recipient.toLowerCase(), rejection);
  }

  return recipients.map((recipient) => {
    const key = recipient.toLowerCase();
    const rejection = rejectedByAddress.get(key);
    if (rejection) return resultFromError(recipient, rejection, peer, messageSize);
    if (!outcome.error) {
      return resultFromReply(recipient, peer, outcome.finalResponse, {
        status: 'delivered',
        enhancedCode: '2.0.0',
        message: `accepted by ${describePeer(peer)}`,
      });
    }
    // The transaction failed after RCPT: the error applies to every recipient still open,
    // accepted or not yet asked (a broken connection leaves later recipients unasked).
    return resultFromError(recipient, outcome.error, peer, messageSize);
  });
}

/** A nodemailer error to a recipient result: 5xx failed, 4xx and network trouble deferred. */
export function resultFromError(
  recipient: string,
  error: NodemailerError,
  peer: Peer,
  messageSize: number,
): RecipientResult {
  if (error.response) {
    return resultFromReply(recipient, peer, error.response, {
      status: 'deferred',
      enhancedCode: '4.0.0',
      message: error.message,
    });
  }
  if (error.code === 'EMESSAGE' && /larger than allowed/.test(error.message)) {
    // nodemailer compares our size with the SIZE the server advertised (RFC 1870 4): it would be refused.
    return resultFromReply(recipient, peer, null, {
      status: 'failed',
      enhancedCode: '5.3.4',
      message: `the message (${messageSize} bytes) is larger than ${describePeer(peer)} accepts (${error.message})`,
    });
  }
  if (error.code === 'ESTREAM') {
    return resultFromReply(recipient, peer, null, {
      status: 'deferred',
      enhancedCode: '4.3.0',
      message: `could not read the queued message: ${error.message}`,
    });
  }
  return resultFromReply(recipient, peer, null, {
    status: 'deferred',
    enhancedCode: '4.4.2',
    message: `connection to ${describePeer(peer)} broke during the transaction: ${networkReason(error)}`,
  });
}

/** Why a host could not be used, from the error of opening its session. */
export function connectFailure(peer: Peer, error: NodemailerError): ConnectFailure {
  const reply = error.response ? parseSmtpReply(error.response) : null;
  // Only a refusal is the server's answer; a 250 here (e.g. after EHLO) is context.
  const refusal = reply && reply.code >= 400 ? reply : null;
  if (error.code === 'ETLS') {
    // RFC 3463: 4.7.4 security features not supported (STARTTLS refused or not offered),
    // 4.7.5 cryptographic failure (the handshake itself broke).
    return {
      peer,
      message: refusal
        ? `${describePeer(peer)} does not support STARTTLS (${refusal.raw}) and TLS is required`
        : `TLS with ${describePeer(peer)} failed: ${error.message.split(/\r?\n/)[0]}`,
      code: refusal?.code ?? null,
      enhancedCode: refusal ? '4.7.4' : '4.7.5',
      remoteResponse: refusal?.raw ?? null,
    };
  }
  if (refusal) {
    return {
      peer,
      message: `${describePeer(peer)} refused the session: ${refusal.raw}`,
      code: refusal.code,
      enhancedCode: refusal.enhancedCode,
      remoteResponse: refusal.raw,
    };
  }
  return {
    peer,
    message: `could not talk to ${describePeer(peer)}: ${networkReason(error)}`,
    code: null,
    enhancedCode: '4.4.1', // RFC 3463: no answer from host
    remoteResponse: null,
  };
}

/** The result for every recipient when no host could be used: try again later. */
export function deferredAfterConnectFailures(
  recipients: string[],
  domain: string,
  failures: ConnectFailure[],
): RecipientResult[] {
  const last = failures[failures.length - 1];
  const tried = failures.map((failure) => describePeer(failure.peer)).join(', ');
  const message = last
    ? `no server for ${domain} could take the message (tried ${tried}); last: ${last.message}`
    : `no server for ${domain} to try`;
  // Keep the detail of the reply but the class of what we do with it: defer.
  const enhancedCode = last ? `4${last.enhancedCode.slice(1)}` : '4.4.1';
  return recipients.map((recipient) => ({
    recipient,
    status: 'deferred',
    code: last?.code ?? null,
    enhancedCode,
    message,
    remoteResponse: last?.remoteResponse ?? null,
    remoteHost: last?.remoteResponse ? last.peer.host : null,
    remoteAddress: last?.remoteResponse ? `${last.peer.address}:${last.peer.port}` : null,
    viaSmartHost: last?.peer.viaSmartHost ?? false,
  }));
}

function networkReason(error: NodemailerError): string {
  if (error.code === 'ETIMEDOUT') {
    const what: Record<string, string> = {
      CONNECT_TIMEOUT: 'timed out connecting',
      GREETING_TIMEOUT: 'no greeting in time',
      UPGRADE_TIMEOUT: 'TLS handshake timed out',
      SOCKET_TIMEOUT: 'no reply in time',
    };
    return (error.timeoutType && what[error.timeoutType]) || error.message;
  }
  if (error.originalCode === 'ECONNREFUSED' || error.code === 'ECONNREFUSED') {
    return 'connection refused';
  }
  return error.originalCode ? `${error.message} (${error.originalCode})` : error.message;
}

/**
 * The per-recipient part of a DSN (the shape of `DsnRecipient` in @dizi/mail) from a
 * delivery result: the remote reply becomes `Diagnostic-Code: smtp; ...` only when a
 * server actually replied; otherwise our own explanation is given as X-Dizi.
 */
export function dsnRecipientFromResult(
  result: RecipientResult,
  lastAttemptDate: Date,
  originalRecipient?: string,
): {
  finalRecipient: string;
  originalRecipient?: string;
  status: string;
  remoteMta: string | null;
  smtpDiagnostic: string | null;
  localDiagnostic: string | null;
  lastAttemptDate: Date;
} {
  return {
    finalRecipient: result.recipient,
    ...(originalRecipient && originalRecipient !== result.recipient ? { originalRecipient } : {}),
    status: result.enhancedCode,
    remoteMta: result.remoteResponse ? result.remoteHost : null,
    smtpDiagnostic: result.remoteResponse,
    localDiagnostic: result.remoteResponse ? null : result.message,
    lastAttemptDate,
  };
}
