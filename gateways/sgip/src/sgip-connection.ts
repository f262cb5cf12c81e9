import type { Socket } from 'node:net';
import { PduSocket, SocketClosedError, type LinkLogger } from '@dizi/gateway-kit';
import { createSgipDecoder, encodeSgipPdu, type SgipFrameEvent, type SgipPdu } from './sgip-pdu';

export interface SgipConnectionEvents {
  pdu(pdu: SgipPdu): void;
  /** A packet with a sound length whose content could not be decoded (skipped). */
  badPacket(event: Extract<SgipFrameEvent, { kind: 'bad-packet' }>): void;
  closed(reason: Error | undefined): void;
}

/** One TCP connection speaking SGIP, in either direction. */
export class SgipConnection {
  private constructor(private readonly socket: PduSocket<SgipFrameEvent>) {}

  static async open(
    options: { host: string; port: number; timeoutMs: number; logger: LinkLogger },
    events: SgipConnectionEvents,
  ): Promise<SgipConnection> {
    // The handlers only run after `open` resolved, so `socket` is set by then.
    const socket: PduSocket<SgipFrameEvent> = await PduSocket.open(
      options,
      createSgipDecoder(),
      handlers(events, options.logger, () => socket),
    );
    return new SgipConnection(socket);
  }

  /** Wraps a socket our listener accepted. */
  static accept(raw: Socket, events: SgipConnectionEvents, logger: LinkLogger): SgipConnection {
    const socket: PduSocket<SgipFrameEvent> = new PduSocket(
      raw,
      createSgipDecoder(),
      handlers(events, logger, () => socket),
    );
    return new SgipConnection(socket);
  }

  get closed(): boolean {
    return this.socket.closed;
  }

  get whenClosed(): Promise<void> {
    return this.socket.whenClosed;
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress;
  }

  /** Writes a PDU; a closed connection is a {@link SocketClosedError}. */
  send(pdu: SgipPdu): void {
    if (this.closed) throw new SocketClosedError();
    this.socket.write(encodeSgipPdu(pdu));
  }

  close(): void {
    this.socket.close();
  }

  destroy(reason: Error): void {
    this.socket.destroy(reason);
  }
}

function handlers(
  events: SgipConnectionEvents,
  logger: LinkLogger,
  socket: () => PduSocket<SgipFrameEvent>,
) {
  return {
    event: (event: SgipFrameEvent) => {
      if (event.kind === 'pdu') events.pdu(event.pdu);
      else if (event.kind === 'bad-packet') events.badPacket(event);
      else socket().destroy(event.error);
    },
    closed: (reason: Error | undefined) => events.closed(reason),
    onHandlerError: (error: unknown) =>
      logger.error({ err: error }, 'SGIP handler failed; closing the connection'),
  };
}
