import { ConnectionLostError, PduSocket, type LinkLogger } from '@dizi/gateway-kit';
import type { CmppVersion } from './cmpp-constants';
import { CmppFrameDecoder, type CmppFrameEvent } from './cmpp-frame-decoder';
import { encodeCmppPdu, type CmppPdu } from './cmpp-pdu';

export interface CmppConnectionEvents {
  pdu(pdu: CmppPdu): void;
  /** A packet with a sound length whose content could not be decoded (skipped). */
  badPacket(event: Extract<CmppFrameEvent, { kind: 'bad-packet' }>): void;
  /** The socket closed; `reason` says why when we know. Called exactly once. */
  closed(reason: Error | undefined): void;
}

/** One TCP connection speaking CMPP; a broken stream closes it with a reason. */
export class CmppConnection {
  private constructor(
    private readonly socket: PduSocket<CmppFrameEvent>,
    private readonly decoder: CmppFrameDecoder,
    private version: CmppVersion,
  ) {}

  /** Opens a TCP connection; rejects on refusal or after `timeoutMs`. */
  static async open(
    options: {
      host: string;
      port: number;
      version: CmppVersion;
      timeoutMs: number;
      logger: LinkLogger;
    },
    events: CmppConnectionEvents,
  ): Promise<CmppConnection> {
    const decoder = new CmppFrameDecoder(options.version);
    // The handler only runs after `open` resolved, so `socket` is set by then.
    const socket: PduSocket<CmppFrameEvent> = await PduSocket.open(options, decoder, {
      event: (event) => {
        if (event.kind === 'pdu') events.pdu(event.pdu);
        else if (event.kind === 'bad-packet') events.badPacket(event);
        else socket.destroy(event.error);
      },
      closed: (reason) => events.closed(reason),
      onHandlerError: (error) =>
        options.logger.error({ err: error }, 'CMPP handler failed; closing the connection'),
    });
    return new CmppConnection(socket, decoder, options.version);
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  get whenClosed(): Promise<void> {
    return this.socket.whenClosed;
  }

  setVersion(version: CmppVersion): void {
    this.version = version;
    this.decoder.setVersion(version);
  }

  /** Writes a PDU; a closed connection is a {@link ConnectionLostError}. */
  send(pdu: CmppPdu): void {
    if (this.closed) throw new ConnectionLostError(pdu.sequenceId);
    this.socket.write(encodeCmppPdu(pdu, this.version));
  }

  close(): void {
    this.socket.close();
  }

  destroy(reason: Error): void {
    this.socket.destroy(reason);
  }
}
