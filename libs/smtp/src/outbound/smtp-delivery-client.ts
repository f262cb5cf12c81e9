import type { NodemailerError } from 'nodemailer/lib/errors';
import { DeliveryConfigError, MxLookupError } from './delivery.errors';
import {
  connectFailure,
  deferredAfterConnectFailures,
  resultFromReply,
  resultsFromTransaction,
  type ConnectFailure,
  type Peer,
} from './delivery-outcome';
import {
  DEFAULT_DELIVERY_TIMEOUTS,
  type DeliveryRequest,
  type DeliveryTimeouts,
  type RecipientResult,
  type SmartHost,
} from './delivery.types';
import { MessageSource } from './message-source';
import type { DeliveryTarget, MxResolver } from './mx-resolver';
import { SmtpSession, type SessionTls } from './smtp-session';

/** The outcome of trying one host: either it answered for the recipients, or it could not be used. */
type HostAttempt =
  { kind: 'answered'; results: RecipientResult[] } | { kind: 'unusable'; failure: ConnectFailure };

/**
 * Delivers one message to the recipients of one destination domain and reports what
 * became of each recipient. Pure delivery: no queue, no retries over time, no database;
 * the caller persists the results and schedules the deferred recipients again.
 */
export class SmtpDeliveryClient {
  constructor(private readonly mxResolver: MxResolver) {}

  async deliver(request: DeliveryRequest): Promise<RecipientResult[]> {
    const recipients = [...new Set(request.recipients)];
    if (recipients.length === 0) {
      throw new DeliveryConfigError('a delivery needs at least one recipient');
    }
    if (request.smartHostMode !== 'never' && !request.smartHost) {
      throw new DeliveryConfigError(
        `smart host mode "${request.smartHostMode}" needs a smart host: set delivery.smartHost or use mode "never"`,
      );
    }
    const message = await MessageSource.from(request.message);
    const timeouts: DeliveryTimeouts = { ...DEFAULT_DELIVERY_TIMEOUTS, ...request.timeouts };

    if (request.smartHostMode === 'always' && request.smartHost) {
      return this.viaSmartHost(request, request.smartHost, recipients, message, timeouts);
    }
    const direct = await this.direct(request, recipients, message, timeouts);
    if (request.smartHostMode !== 'on-failure' || !request.smartHost) return direct;

    // Only what direct delivery deferred goes to the smart host; refusals are final.
    const deferred = direct.filter((result) => result.status === 'deferred');
    if (deferred.length === 0) return direct;
    const relayed = await this.viaSmartHost(
      request,
      request.smartHost,
      deferred.map((result) => result.recipient),
      message,
      timeouts,
    );
    const relayedByRecipient = new Map(relayed.map((result) => [result.recipient, result]));
    return direct.map((result) => relayedByRecipient.get(result.recipient) ?? result);
  }

  /** MX (or route) hosts in order; the first host that answers decides for its recipients. */
  private async direct(
    request: DeliveryRequest,
    recipients: string[],
    message: MessageSource,
    timeouts: DeliveryTimeouts,
  ): Promise<RecipientResult[]> {
    let targets: DeliveryTarget[];
    try {
      targets = await this.mxResolver.resolve(request.domain);
    } catch (error) {
      if (!(error instanceof MxLookupError)) throw error;
      return recipients.map((recipient) =>
        resultFromReply(recipient, null, null, {
          status: error.permanent ? 'failed' : 'deferred',
          enhancedCode: error.enhancedCode,
          message: error.message,
        }),
      );
    }

    const failures: ConnectFailure[] = [];
    for (const target of targets) {
      const peer: Peer = {
        host: target.host,
        address: target.address,
        port: target.port,
        viaSmartHost: false,
      };
      const tls: SessionTls =
        request.tls === 'required' ? 'starttls-required' : 'starttls-opportunistic';
      const attempt = await this.tryHost(request, peer, tls, recipients, message, timeouts);
      if (attempt.kind === 'answered') return attempt.results;
      failures.push(attempt.failure);
    }
    return deferredAfterConnectFailures(recipients, request.domain, failures);
  }

  private async viaSmartHost(
    request: DeliveryRequest,
    smartHost: SmartHost,
    recipients: string[],
    message: MessageSource,
    timeouts: DeliveryTimeouts,
  ): Promise<RecipientResult[]> {
    const peer: Peer = {
      host: smartHost.host,
      address: smartHost.host,
      port: smartHost.port,
      viaSmartHost: true,
    };
    // Credentials never travel in clear: with AUTH, STARTTLS is required.
    const tls: SessionTls = smartHost.secure
      ? 'implicit'
      : smartHost.auth || request.tls === 'required'
        ? 'starttls-required'
        : 'starttls-opportunistic';
    const attempt = await this.tryHost(
      request,
      peer,
      tls,
      recipients,
      message,
      timeouts,
      smartHost,
    );
    if (attempt.kind === 'answered') return attempt.results;
    return deferredAfterConnectFailures(recipients, `smart host ${smartHost.host}`, [
      attempt.failure,
    ]);
  }

  private async tryHost(
    request: DeliveryRequest,
    peer: Peer,
    tls: SessionTls,
    recipients: string[],
    message: MessageSource,
    timeouts: DeliveryTimeouts,
    smartHost?: SmartHost,
  ): Promise<HostAttempt> {
    let session: SmtpSession;
    try {
      session = await SmtpSession.open({
        connectTo: peer.address,
        port: peer.port,
        serverName: peer.host,
        heloName: request.heloName,
        tls,
        verifyCertificates: request.verifyCertificates ?? false,
        trustedCa: request.trustedCa,
        timeouts,
      });
    } catch (error) {
      const failure = connectFailure(peer, error as NodemailerError);
      // Opportunistic TLS must never cost a delivery: after a failed handshake, try plain text.
      if (tls === 'starttls-opportunistic' && (error as NodemailerError).code === 'ETLS') {
        const plain = await this.tryHost(
          request,
          peer,
          'plain-only',
          recipients,
          message,
          timeouts,
          smartHost,
        );
        return plain.kind === 'answered' ? plain : { kind: 'unusable', failure };
      }
      return { kind: 'unusable', failure };
    }

    try {
      if (smartHost?.auth) {
        try {
          await session.login(smartHost.auth.user, smartHost.auth.pass);
        } catch (error) {
          // A refused login is our configuration, not the recipients' fault: defer, never bounce.
          const failure = connectFailure(peer, error as NodemailerError);
          return {
            kind: 'answered',
            results: recipients.map((recipient) =>
              resultFromReply(recipient, peer, null, {
                status: 'deferred',
                enhancedCode: '4.7.8',
                message: `smart host ${smartHost.host} refused our login as "${smartHost.auth?.user}": ${failure.message}; check delivery.smartHost credentials`,
              }),
            ),
          };
        }
      }
      const outcome = await session.send(
        {
          sender: request.sender,
          recipients,
          size: message.size,
          eightBit: message.has8BitData,
        },
        message.open(),
      );
      return {
        kind: 'answered',
        results: resultsFromTransaction(recipients, outcome, peer, message.size),
      };
    } finally {
      session.close();
    }
  }
}
