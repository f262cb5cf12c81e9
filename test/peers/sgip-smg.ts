/**
 * An SGIP 1.2 SMG simulator for tests, written from PROTOCOLS.md §2. As a server it
 * takes the SP's Bind (LoginType 1) and acks Submits; as a client it binds to the
 * SP's listener (LoginType 2) to deliver MO messages and Reports, as a real SMG does.
 * It can answer slowly, return error codes and drop the connection mid-window.
 * It reuses the gateway's codec (checked by the unit tests against hand layouts).
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  SgipSequenceGenerator,
  createSgipDecoder,
  encodeSgipPdu,
  type SgipPdu,
  type SgipResult,
  type SgipSequence,
  type SgipSubmit,
} from '@dizi/gateways/sgip';

export interface SgipReceivedSubmit {
  sequence: SgipSequence;
  submit: SgipSubmit;
  /** Result answered; null while unanswered, -1 when the connection closed first. */
  result: number | null;
}

export class SgipSmgSimulator {
  responseDelayMs = 0;
  submitResult: (submit: SgipSubmit, index: number) => number = () => 0;
  silent = false;
  private dropCountdown: number | null = null;

  readonly submits: SgipReceivedSubmit[] = [];
  readonly binds: { loginType: number; loginName: string; result: number }[] = [];
  unbinds = 0;
  maxOutstanding = 0;
  private outstanding = 0;
  private readonly sockets = new Set<Socket>();
  private readonly submitSockets = new Map<SgipReceivedSubmit, Socket>();
  private readonly sequences = new SgipSequenceGenerator(3000099999);

  private constructor(
    private readonly server: Server,
    private readonly accounts: Record<string, string>,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: { accounts: Record<string, string> }): Promise<SgipSmgSimulator> {
    const sim = new SgipSmgSimulator(createServer(), options.accounts);
    await new Promise<void>((resolve) => sim.server.listen(0, '127.0.0.1', resolve));
    return sim;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** After `count` more Submits the connection closes, those left unanswered. */
  dropAfter(count: number): void {
    this.dropCountdown = count;
  }

  dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** Sends raw bytes on every SP connection (e.g. a malformed packet). */
  sendRaw(bytes: Buffer): void {
    for (const s of this.sockets) s.write(bytes);
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * Binds to the SP's listener as the SMG (LoginType 2), sends each PDU in turn and
   * collects the answers, then unbinds. Resolves with the Bind result and the answers.
   */
  async deliverTo(
    address: { host: string; port: number },
    login: { name: string; password: string },
    pdus: SgipPdu[],
  ): Promise<{ bind: number; answers: SgipResult[] }> {
    const session = await SmgClientSession.open(address);
    try {
      const bind = await session.request({
        command: 'bind',
        sequence: this.sequences.next(),
        loginType: 2,
        loginName: login.name,
        loginPassword: login.password,
        reserve: '',
      });
      const answers: SgipResult[] = [];
      if (bind.result !== 0) return { bind: bind.result, answers };
      for (const pdu of pdus) answers.push(await session.request(pdu));
      await session.request({ command: 'unbind', sequence: this.sequences.next() });
      return { bind: 0, answers };
    } finally {
      session.close();
    }
  }

  /** Sends one PDU to the SP's listener without binding first (a misbehaving SMG). */
  async sendUnbound(address: { host: string; port: number }, pdu: SgipPdu): Promise<SgipResult> {
    const session = await SmgClientSession.open(address);
    try {
      return await session.request(pdu);
    } finally {
      session.close();
    }
  }

  /** A Deliver PDU with a fresh SMG sequence number. */
  deliver(from: string, to: string, content: Buffer, coding: number, udhi = false): SgipPdu {
    return {
      command: 'deliver',
      sequence: this.sequences.next(),
      userNumber: from,
      spNumber: to,
      tpPid: 0,
      tpUdhi: udhi ? 1 : 0,
      messageCoding: coding,
      messageContent: content,
      reserve: '',
    };
  }

  /** A Report PDU for the Submit with sequence `submitSequence`. */
  report(submitSequence: SgipSequence, userNumber: string, state: number, errorCode = 0): SgipPdu {
    return {
      command: 'report',
      sequence: this.sequences.next(),
      submitSequence,
      reportType: 0,
      userNumber,
      state,
      errorCode,
      reserve: '',
    };
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    const decoder = createSgipDecoder();
    let bound = false;
    const send = (pdu: SgipPdu) => {
      if (!socket.destroyed) socket.write(encodeSgipPdu(pdu));
    };
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind === 'fatal') socket.destroy();
        if (event.kind !== 'pdu') continue;
        const pdu = event.pdu;
        if (pdu.command === 'bind') {
          const ok = pdu.loginType === 1 && this.accounts[pdu.loginName] === pdu.loginPassword;
          const result = pdu.loginType !== 1 ? 4 : ok ? 0 : 1;
          this.binds.push({ loginType: pdu.loginType, loginName: pdu.loginName, result });
          send({ command: 'bind_resp', sequence: pdu.sequence, result, reserve: '' });
          bound = result === 0;
          if (!bound) socket.end();
        } else if (pdu.command === 'submit') {
          this.onSubmit(socket, pdu, bound, send);
        } else if (pdu.command === 'unbind') {
          this.unbinds++;
          send({ command: 'unbind_resp', sequence: pdu.sequence });
          socket.end();
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      for (const r of this.submits) {
        if (r.result === null && this.submitSockets.get(r) === socket) {
          r.result = -1;
          this.outstanding--;
        }
      }
    });
  }

  private onSubmit(
    socket: Socket,
    pdu: SgipPdu & { command: 'submit' },
    bound: boolean,
    send: (p: SgipPdu) => void,
  ) {
    const record: SgipReceivedSubmit = { sequence: pdu.sequence, submit: pdu, result: null };
    this.submits.push(record);
    this.submitSockets.set(record, socket);
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    if (!bound) {
      socket.destroy();
      return;
    }
    if (this.dropCountdown !== null) {
      this.dropCountdown--;
      if (this.dropCountdown <= 0) {
        this.dropCountdown = null;
        socket.destroy();
      }
      return;
    }
    if (this.silent) return;
    const result = this.submitResult(pdu, this.submits.length - 1);
    const answer = () => {
      if (socket.destroyed) return;
      this.outstanding--;
      record.result = result;
      send({ command: 'submit_resp', sequence: pdu.sequence, result, reserve: '' });
    };
    if (this.responseDelayMs > 0) setTimeout(answer, this.responseDelayMs);
    else answer();
  }
}

/** The simulator's client side: one connection to the SP's listener, request by request. */
class SmgClientSession {
  private readonly decoder = createSgipDecoder();
  private waiting: ((r: SgipResult) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.decoder.push(chunk)) {
        if (event.kind !== 'pdu') continue;
        const pdu = event.pdu;
        const result =
          'result' in pdu
            ? { result: pdu.result, reserve: pdu.reserve }
            : { result: 0, reserve: '' };
        const waiter = this.waiting;
        this.waiting = null;
        waiter?.(result);
      }
    });
    socket.on('error', () => undefined);
  }

  static open(address: { host: string; port: number }): Promise<SmgClientSession> {
    return new Promise((resolve, reject) => {
      const socket = connect(address.port, address.host);
      socket.once('error', reject);
      socket.once('connect', () => resolve(new SmgClientSession(socket)));
    });
  }

  request(pdu: SgipPdu): Promise<SgipResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`SMG simulator: no answer to ${pdu.command}`)),
        3_000,
      );
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.socket.once('close', () => {
        clearTimeout(timer);
        if (this.waiting)
          reject(new Error(`SMG simulator: connection closed before the answer to ${pdu.command}`));
      });
      this.socket.write(encodeSgipPdu(pdu));
    });
  }

  close(): void {
    this.socket.end();
  }
}
