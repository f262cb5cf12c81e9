/**
 * A CMPP 2.0/3.0 ISMG simulator for tests, written from PROTOCOLS.md §1. It takes SP
 * connections, checks the CONNECT authenticator, acks SUBMITs with Msg_Ids, and can
 * inject MO messages and status reports, answer slowly, return error codes and drop
 * connections mid-window. Everything it receives is recorded.
 *
 * It reuses the gateway's PDU codec (itself checked byte for byte against the
 * published vectors and tshark) so that the test exercises the link's behaviour;
 * the codec's correctness is the unit tests' business.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  CmppFrameDecoder,
  authenticatorIsmg,
  authenticatorSource,
  composeMsgId,
  encodeCmppPdu,
  encodeStatusReport,
  type CmppPdu,
  type CmppSubmit,
  type CmppSubmitResp,
} from '@dizi/gateways/cmpp';

export interface IsmgSession {
  id: number;
  socket: Socket;
  version: number;
  account: string | null;
  sequence: number;
}

export interface ReceivedSubmit {
  sessionId: number;
  sequenceId: number;
  submit: CmppSubmit;
  /** The Msg_Id the simulator answered with, or null while unanswered. */
  msgId: bigint | null;
  /** SUBMIT_RESP Result; null while unanswered, -1 when the connection closed first. */
  result: number | null;
}

export interface CapturedFrame {
  fromClient: boolean;
  clientPort: number;
  bytes: Buffer;
}

export interface MoOptions {
  from: string;
  to: string;
  content: Buffer;
  msgFmt: number;
  udhi?: boolean;
  /** Session to send on; default the most recent logged-in one. */
  session?: IsmgSession;
}

export interface ReportOptions {
  msgId: bigint;
  stat: string;
  dest: string;
  /** Report layout: 0x20 = 60 bytes, 0x30 = 71 bytes; default the session's version. */
  layout?: number;
  session?: IsmgSession;
}

export class CmppIsmgSimulator {
  // Behaviour knobs, changed by tests while running.
  /** Delay before each SUBMIT_RESP. */
  responseDelayMs = 0;
  /** Result code for a SUBMIT (0 = accept). */
  submitResult: (submit: CmppSubmit, index: number) => number = () => 0;
  /** Never answer SUBMITs (a peer that hangs). */
  silent = false;
  /** After this many more SUBMITs, drop the connection without answering them. */
  dropAfterSubmits: number | null = null;
  /** Status word of an automatic report for each accepted SUBMIT asking for one; null = none. */
  autoReportStat: string | null = null;
  answerActiveTests = true;
  /** Answer CONNECT with a wrong AuthenticatorISMG (as some real gateways do for 2.0). */
  badAuthenticatorIsmg = false;
  /** Leave CONNECT unanswered (a peer that accepts TCP and then hangs). */
  ignoreConnects = false;

  // Records.
  readonly submits: ReceivedSubmit[] = [];
  readonly logins: { sourceAddr: string; version: number; status: number }[] = [];
  readonly deliverResps: ({ sequenceId: number } & CmppSubmitResp)[] = [];
  readonly received: CmppPdu[] = [];
  readonly frames: CapturedFrame[] = [];
  readonly sessions = new Set<IsmgSession>();
  activeTests = 0;
  terminates = 0;
  badPackets = 0;
  /** Most SUBMITs ever waiting for their response at once, over all sessions. */
  maxOutstanding = 0;
  private outstanding = 0;

  private nextSessionId = 1;
  private msgSequence = 0;
  private submitsUntilDrop = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private readonly accounts: Record<string, string>,
    private readonly gatewayCode: number,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: {
    accounts: Record<string, string>;
    gatewayCode?: number;
  }): Promise<CmppIsmgSimulator> {
    const server = createServer();
    const sim = new CmppIsmgSimulator(server, options.accounts, options.gatewayCode ?? 42);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sim;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Drops every connection at once, as a crashing ISMG or a broken network would. */
  dropConnections(): void {
    for (const s of this.sessions) s.socket.destroy();
  }

  /** Arms a drop: after `count` more SUBMITs the connection closes, those left unanswered. */
  dropAfter(count: number): void {
    this.dropAfterSubmits = count;
    this.submitsUntilDrop = count;
  }

  /** Writes raw bytes to a session, e.g. a malformed packet. */
  sendRaw(bytes: Buffer, session = this.currentSession()): void {
    this.capture(session, false, bytes);
    session.socket.write(bytes);
  }

  /** Sends an MO DELIVER and resolves with the SP's DELIVER_RESP. */
  async injectMo(options: MoOptions): Promise<CmppSubmitResp> {
    const session = options.session ?? this.currentSession();
    const msgId = this.nextMsgId();
    const sequenceId = ++session.sequence;
    this.send(session, {
      command: 'deliver',
      sequenceId,
      msgId,
      destId: options.to,
      serviceId: '',
      tpPid: 0,
      tpUdhi: options.udhi ? 1 : 0,
      msgFmt: options.msgFmt,
      srcTerminalId: options.from,
      srcTerminalType: 0,
      registeredDelivery: 0,
      msgContent: options.content,
      reserveOrLinkId: '',
    });
    return this.waitForDeliverResp(sequenceId);
  }

  /** Sends a status report for `msgId` and resolves with the SP's DELIVER_RESP. */
  async injectReport(options: ReportOptions): Promise<CmppSubmitResp> {
    const session = options.session ?? this.currentSession();
    const sequenceId = ++session.sequence;
    const stamp = '2611231200';
    this.send(session, {
      command: 'deliver',
      sequenceId,
      msgId: this.nextMsgId(),
      destId: '',
      serviceId: '',
      tpPid: 0,
      tpUdhi: 0,
      msgFmt: 0,
      srcTerminalId: options.dest,
      srcTerminalType: 0,
      registeredDelivery: 1,
      msgContent: encodeStatusReport(
        {
          msgId: options.msgId,
          stat: options.stat,
          submitTime: stamp,
          doneTime: stamp,
          destTerminalId: options.dest,
          smscSequence: 1,
        },
        options.layout ?? session.version,
      ),
      reserveOrLinkId: '',
    });
    return this.waitForDeliverResp(sequenceId);
  }

  /** Resolves once `predicate` holds (checked after every received packet), or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`simulator: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  currentSession(): IsmgSession {
    const logged = [...this.sessions].filter((s) => s.account !== null);
    const session = logged[logged.length - 1];
    if (!session) throw new Error('simulator: no logged-in session');
    return session;
  }

  private accept(socket: Socket): void {
    const session: IsmgSession = {
      id: this.nextSessionId++,
      socket,
      version: 0x30,
      account: null,
      sequence: 0,
    };
    this.sessions.add(session);
    const decoder = new CmppFrameDecoder(0x30);
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        // One captured frame per packet, so a capture replays cleanly (docs/gateways.md).
        this.capture(session, true, event.kind === 'fatal' ? chunk : event.raw);
        if (event.kind === 'pdu') this.onPdu(session, event.pdu, decoder);
        else {
          this.badPackets++;
          if (event.kind === 'fatal') socket.destroy();
        }
      }
      this.notify();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      // SUBMITs this session never answered no longer wait.
      this.outstanding -= this.submits.filter(
        (r) => r.sessionId === session.id && r.result === null,
      ).length;
      for (const r of this.submits)
        if (r.sessionId === session.id && r.result === null) r.result = -1;
      this.sessions.delete(session);
      this.notify();
    });
  }

  private onPdu(session: IsmgSession, pdu: CmppPdu, decoder: CmppFrameDecoder): void {
    this.received.push(pdu);
    switch (pdu.command) {
      case 'connect': {
        if (this.ignoreConnects) return;
        const secret = this.accounts[pdu.sourceAddr];
        let status = 0;
        if (secret === undefined) status = 2;
        else if (
          !authenticatorSource(pdu.sourceAddr, secret, pdu.timestamp).equals(
            pdu.authenticatorSource,
          )
        )
          status = 3;
        else if (pdu.version > 0x30) status = 4;
        session.version = pdu.version >= 0x30 ? 0x30 : pdu.version;
        decoder.setVersion(session.version);
        this.logins.push({ sourceAddr: pdu.sourceAddr, version: pdu.version, status });
        this.send(session, {
          command: 'connect_resp',
          sequenceId: pdu.sequenceId,
          status,
          authenticatorIsmg: this.badAuthenticatorIsmg
            ? Buffer.alloc(16, 0xee)
            : authenticatorIsmg(status, pdu.authenticatorSource, secret ?? '', session.version),
          version: session.version,
        });
        if (status === 0) session.account = pdu.sourceAddr;
        else session.socket.end();
        return;
      }
      case 'submit':
        this.onSubmit(session, pdu);
        return;
      case 'deliver_resp':
        this.deliverResps.push(pdu);
        return;
      case 'active_test':
        this.activeTests++;
        if (this.answerActiveTests)
          this.send(session, {
            command: 'active_test_resp',
            sequenceId: pdu.sequenceId,
            reserved: 0,
          });
        return;
      case 'terminate':
        this.terminates++;
        this.send(session, { command: 'terminate_resp', sequenceId: pdu.sequenceId });
        session.socket.end();
        return;
      default:
        return;
    }
  }

  private onSubmit(session: IsmgSession, pdu: { sequenceId: number } & CmppSubmit): void {
    const record: ReceivedSubmit = {
      sessionId: session.id,
      sequenceId: pdu.sequenceId,
      submit: pdu,
      msgId: null,
      result: null,
    };
    this.submits.push(record);
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    if (session.account === null) {
      session.socket.destroy();
      return;
    }
    if (this.dropAfterSubmits !== null) {
      this.submitsUntilDrop--;
      if (this.submitsUntilDrop <= 0) {
        this.dropAfterSubmits = null;
        session.socket.destroy();
      }
      return;
    }
    if (this.silent) return;
    const result = this.submitResult(pdu, this.submits.length - 1);
    const msgId = result === 0 ? this.nextMsgId() : 0n;
    const answer = () => {
      if (session.socket.destroyed) return;
      this.outstanding--;
      record.msgId = msgId;
      record.result = result;
      this.send(session, { command: 'submit_resp', sequenceId: pdu.sequenceId, msgId, result });
      if (result === 0 && pdu.registeredDelivery === 1 && this.autoReportStat !== null) {
        void this.injectReport({
          msgId,
          stat: this.autoReportStat,
          dest: pdu.destTerminalIds[0],
          session,
        }).catch(() => undefined);
      }
      this.notify();
    };
    if (this.responseDelayMs > 0) setTimeout(answer, this.responseDelayMs);
    else answer();
  }

  private waitForDeliverResp(sequenceId: number): Promise<CmppSubmitResp> {
    const find = () => this.deliverResps.find((r) => r.sequenceId === sequenceId);
    return this.waitFor(() => find() !== undefined, 5_000, `DELIVER_RESP ${sequenceId}`).then(
      () => find() as CmppSubmitResp,
    );
  }

  private send(session: IsmgSession, pdu: CmppPdu): void {
    if (session.socket.destroyed) return;
    const bytes = encodeCmppPdu(pdu, session.version);
    this.capture(session, false, bytes);
    session.socket.write(bytes);
  }

  private capture(session: IsmgSession, fromClient: boolean, bytes: Buffer): void {
    this.frames.push({
      fromClient,
      clientPort: session.socket.remotePort ?? 0,
      bytes: Buffer.from(bytes),
    });
  }

  private nextMsgId(): bigint {
    const now = new Date();
    this.msgSequence = (this.msgSequence + 1) & 0xffff;
    return composeMsgId({
      month: now.getMonth() + 1,
      day: now.getDate(),
      hour: now.getHours(),
      minute: now.getMinutes(),
      second: now.getSeconds(),
      gatewayCode: this.gatewayCode,
      sequence: this.msgSequence,
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }
}
