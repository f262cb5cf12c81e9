import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { OctetReader, PduChannel, type LinkLogger } from '@dizi/gateway-kit';
import type { SgipDeliver, SgipReport } from './sgip-bodies';
import { LoginType, SGIP_HEADER_LENGTH, SgipCommand } from './sgip-constants';
import { readSequence } from './sgip-header';
import { sgipCodec, type SgipPdu } from './sgip-pdu';
import type { SgipSequence } from './sgip-sequence';

export interface SgipReceiverHandlers {
  /** Resolves with the Result to answer (0 = taken). */
  deliver(pdu: SgipDeliver): Promise<number>;
  report(pdu: SgipReport): Promise<number>;
  /** A problem worth counting in the link's health. */
  problem(message: string): void;
}

export interface SgipReceiverOptions {
  host: string;
  port: number;
  login: string;
  password: string;
  logger: LinkLogger;
}

/** Result codes we answer with (PROTOCOLS.md §2.3). */
const RESULT_ILLEGAL_LOGIN = 1;
const RESULT_WRONG_LOGIN_TYPE = 4;
const RESULT_PARAMETER_FORMAT = 5;

/**
 * The SP's own SGIP server: the SMG connects here with Bind (LoginType 2) to hand us
 * MO messages (Deliver) and delivery reports (Report), then Unbinds.
 */
export class SgipReceiver {
  private server: Server | null = null;
  private readonly connections = new Set<PduChannel<SgipPdu>>();

  constructor(
    private readonly options: SgipReceiverOptions,
    private readonly handlers: SgipReceiverHandlers,
  ) {}

  get address(): { host: string; port: number } | null {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? { host: address.address, port: address.port } : null;
  }

  async listen(): Promise<void> {
    if (this.server) return;
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (error) => this.handlers.problem(`SGIP listener: ${error.message}`));
    this.server = server;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const c of this.connections) c.close();
    await Promise.all([...this.connections].map((c) => c.whenClosed));
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    let bound = false;
    const connection: PduChannel<SgipPdu> = PduChannel.accept(
      socket,
      sgipCodec,
      {
        pdu: (pdu) => {
          bound = this.onPdu(connection, pdu, bound);
        },
        badPacket: (event) => {
          this.handlers.problem(
            `SGIP listener: bad packet from ${connection.remoteAddress}: ${event.error.message}`,
          );
          const sequence = sequenceOf(event.raw);
          if (event.commandId === SgipCommand.DELIVER) {
            this.reply(connection, {
              command: 'deliver_resp',
              sequence,
              result: RESULT_PARAMETER_FORMAT,
              reserve: '',
            });
          } else if (event.commandId === SgipCommand.REPORT) {
            this.reply(connection, {
              command: 'report_resp',
              sequence,
              result: RESULT_PARAMETER_FORMAT,
              reserve: '',
            });
          }
        },
        closed: () => this.connections.delete(connection),
      },
      this.options.logger,
    );
    this.connections.add(connection);
  }

  /** Returns whether the connection is bound after this PDU. */
  private onPdu(connection: PduChannel<SgipPdu>, pdu: SgipPdu, bound: boolean): boolean {
    const { sequence } = pdu;
    switch (pdu.command) {
      case 'bind': {
        let result = 0;
        if (pdu.loginType !== LoginType.SMG_TO_SP) result = RESULT_WRONG_LOGIN_TYPE;
        else if (
          pdu.loginName !== this.options.login ||
          pdu.loginPassword !== this.options.password
        ) {
          result = RESULT_ILLEGAL_LOGIN;
        }
        this.reply(connection, { command: 'bind_resp', sequence, result, reserve: '' });
        if (result !== 0) {
          this.handlers.problem(
            `SGIP listener: refused Bind from ${connection.remoteAddress} (result ${result})`,
          );
          connection.close();
        }
        return result === 0;
      }
      case 'deliver':
        if (!bound) return this.refuseUnbound(connection, 'deliver_resp', sequence);
        void this.handlers
          .deliver(pdu)
          .then((result) =>
            this.reply(connection, { command: 'deliver_resp', sequence, result, reserve: '' }),
          );
        return bound;
      case 'report':
        if (!bound) return this.refuseUnbound(connection, 'report_resp', sequence);
        void this.handlers
          .report(pdu)
          .then((result) =>
            this.reply(connection, { command: 'report_resp', sequence, result, reserve: '' }),
          );
        return bound;
      case 'unbind':
        this.reply(connection, { command: 'unbind_resp', sequence });
        connection.close();
        return false;
      default:
        this.handlers.problem(`SGIP listener: unexpected ${pdu.command} ignored`);
        return bound;
    }
  }

  private refuseUnbound(
    connection: PduChannel<SgipPdu>,
    command: 'deliver_resp' | 'report_resp',
    sequence: SgipSequence,
  ): false {
    this.handlers.problem(
      `SGIP listener: ${command.replace('_resp', '')} before Bind from ${connection.remoteAddress}`,
    );
    this.reply(connection, { command, sequence, result: RESULT_ILLEGAL_LOGIN, reserve: '' });
    connection.close();
    return false;
  }

  private reply(connection: PduChannel<SgipPdu>, pdu: SgipPdu): void {
    try {
      connection.send(pdu);
    } catch {
      this.options.logger.debug(
        { command: pdu.command },
        'SGIP listener: connection closed before the answer',
      );
    }
  }
}

function sequenceOf(raw: Buffer): SgipSequence {
  return raw.length >= SGIP_HEADER_LENGTH
    ? readSequence(new OctetReader(raw.subarray(8, SGIP_HEADER_LENGTH)))
    : { nodeId: 0, timestamp: 0, counter: 0 };
}
