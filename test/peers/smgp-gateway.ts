/**
 * An SMGP 3.0 gateway (ISMG) simulator for tests, written from PROTOCOLS.md §3: checks
 * the Login authenticator, acks Submits with MsgIDs, injects MO messages and status
 * reports, answers slowly, returns error codes and drops connections mid-window.
 * It reuses the gateway's codec (checked by the unit tests against hand layouts and the
 * SMSGate report vector).
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  SmgpTag,
  authenticatorClient,
  authenticatorServer,
  composeSmgpMsgId,
  createSmgpDecoder,
  encodeReport,
  encodeSmgpPdu,
  u8Tlv,
  type SmgpMsgIdStatus,
  type SmgpPdu,
  type SmgpSubmit,
  type SmgpTlv,
} from '@dizi/gateways/smgp';

export interface SmgpReceivedSubmit {
  sessionId: number;
  sequenceId: number;
  submit: SmgpSubmit;
  msgId: Buffer | null;
  /** Status answered; null while unanswered, -1 when the connection closed first. */
  status: number | null;
}

interface Session {
  id: number;
  socket: Socket;
  loggedIn: boolean;
  sequence: number;
}

export class SmgpGatewaySimulator {
  responseDelayMs = 0;
  submitStatus: (submit: SmgpSubmit, index: number) => number = () => 0;
  silent = false;
  answerActiveTests = true;
  /** Status word of an automatic report for each accepted Submit asking for one; null = none. */
  autoReportStat: string | null = null;
  private dropCountdown: number | null = null;

  readonly submits: SmgpReceivedSubmit[] = [];
  readonly logins: { clientId: string; loginMode: number; status: number }[] = [];
  readonly deliverResps: ({ sequenceId: number } & SmgpMsgIdStatus)[] = [];
  activeTests = 0;
  exits = 0;
  maxOutstanding = 0;
  private outstanding = 0;
  private readonly sessions = new Set<Session>();
  private nextSessionId = 1;
  private msgSequence = 0;
  private readonly waiters = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private readonly accounts: Record<string, string>,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(options: { accounts: Record<string, string> }): Promise<SmgpGatewaySimulator> {
    const sim = new SmgpGatewaySimulator(createServer(), options.accounts);
    await new Promise<void>((resolve) => sim.server.listen(0, '127.0.0.1', resolve));
    return sim;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  dropAfter(count: number): void {
    this.dropCountdown = count;
  }

  dropConnections(): void {
    for (const s of this.sessions) s.socket.destroy();
  }

  sendRaw(bytes: Buffer): void {
    this.current().socket.write(bytes);
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Sends an MO Deliver (UDHI as a TLV when `udhi`) and resolves with the SP's Deliver_Resp. */
  injectMo(options: {
    from: string;
    to: string;
    content: Buffer;
    msgFormat: number;
    udhi?: boolean;
  }) {
    return this.injectDeliver({
      isReport: 0,
      msgFormat: options.msgFormat,
      srcTermId: options.from,
      destTermId: options.to,
      msgContent: options.content,
      tlvs: options.udhi ? [u8Tlv(SmgpTag.TP_UDHI, 1)] : [],
    });
  }

  /** Sends a status report for `msgId` and resolves with the SP's Deliver_Resp. */
  injectReport(options: { msgId: Buffer; stat: string; handset: string; err?: string }) {
    return this.injectDeliver({
      isReport: 1,
      msgFormat: 0,
      srcTermId: options.handset,
      destTermId: '',
      msgContent: encodeReport({
        msgId: options.msgId,
        sub: '001',
        dlvrd: options.stat === 'DELIVRD' ? '001' : '000',
        submitDate: '2611231200',
        doneDate: '2611231201',
        stat: options.stat,
        err: options.err ?? '000',
        txt: Buffer.alloc(0),
      }),
      tlvs: [],
    });
  }

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
        reject(new Error(`SMGP simulator: timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Sends any Deliver (e.g. a malformed report) and resolves with the SP's Deliver_Resp. */
  async injectDeliver(fields: {
    isReport: number;
    msgFormat: number;
    srcTermId: string;
    destTermId: string;
    msgContent: Buffer;
    tlvs: SmgpTlv[];
  }): Promise<SmgpMsgIdStatus> {
    const session = this.current();
    const sequenceId = ++session.sequence;
    this.send(session, {
      command: 'deliver',
      sequenceId,
      msgId: this.nextMsgId(),
      recvTime: '20261123120000',
      reserve: '',
      ...fields,
    });
    const find = () => this.deliverResps.find((r) => r.sequenceId === sequenceId);
    await this.waitFor(() => find() !== undefined, 5_000, `Deliver_Resp ${sequenceId}`);
    return find() as SmgpMsgIdStatus;
  }

  private current(): Session {
    const logged = [...this.sessions].filter((s) => s.loggedIn);
    const session = logged[logged.length - 1];
    if (!session) throw new Error('SMGP simulator: no logged-in session');
    return session;
  }

  private accept(socket: Socket): void {
    const session: Session = { id: this.nextSessionId++, socket, loggedIn: false, sequence: 0 };
    this.sessions.add(session);
    const decoder = createSmgpDecoder();
    socket.on('data', (chunk: Buffer) => {
      for (const event of decoder.push(chunk)) {
        if (event.kind === 'fatal') socket.destroy();
        if (event.kind === 'pdu') this.onPdu(session, event.pdu);
      }
      for (const w of [...this.waiters]) w();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      for (const r of this.submits) {
        if (r.sessionId === session.id && r.status === null) {
          r.status = -1;
          this.outstanding--;
        }
      }
      this.sessions.delete(session);
    });
  }

  private onPdu(session: Session, pdu: SmgpPdu): void {
    switch (pdu.command) {
      case 'login': {
        const secret = this.accounts[pdu.clientId];
        const ok =
          secret !== undefined &&
          authenticatorClient(pdu.clientId, secret, pdu.timestamp).equals(pdu.authenticatorClient);
        const status = ok ? 0 : 21;
        this.logins.push({ clientId: pdu.clientId, loginMode: pdu.loginMode, status });
        this.send(session, {
          command: 'login_resp',
          sequenceId: pdu.sequenceId,
          status,
          authenticatorServer: authenticatorServer(status, pdu.authenticatorClient, secret ?? ''),
          serverVersion: 0x30,
        });
        session.loggedIn = ok;
        if (!ok) session.socket.end();
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
          this.send(session, { command: 'active_test_resp', sequenceId: pdu.sequenceId });
        return;
      case 'exit':
        this.exits++;
        this.send(session, { command: 'exit_resp', sequenceId: pdu.sequenceId });
        session.socket.end();
        return;
      default:
        return;
    }
  }

  private onSubmit(session: Session, pdu: { sequenceId: number } & SmgpSubmit): void {
    const record: SmgpReceivedSubmit = {
      sessionId: session.id,
      sequenceId: pdu.sequenceId,
      submit: pdu,
      msgId: null,
      status: null,
    };
    this.submits.push(record);
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    if (!session.loggedIn) {
      session.socket.destroy();
      return;
    }
    if (this.dropCountdown !== null) {
      this.dropCountdown--;
      if (this.dropCountdown <= 0) {
        this.dropCountdown = null;
        session.socket.destroy();
      }
      return;
    }
    if (this.silent) return;
    const status = this.submitStatus(pdu, this.submits.length - 1);
    const msgId = this.nextMsgId();
    const answer = () => {
      if (session.socket.destroyed) return;
      this.outstanding--;
      record.msgId = msgId;
      record.status = status;
      this.send(session, { command: 'submit_resp', sequenceId: pdu.sequenceId, msgId, status });
      if (status === 0 && pdu.needReport === 1 && this.autoReportStat !== null) {
        void this.injectReport({
          msgId,
          stat: this.autoReportStat,
          handset: pdu.destTermIds[0],
        }).catch(() => undefined);
      }
      for (const w of [...this.waiters]) w();
    };
    if (this.responseDelayMs > 0) setTimeout(answer, this.responseDelayMs);
    else answer();
  }

  private send(session: Session, pdu: SmgpPdu): void {
    if (!session.socket.destroyed) session.socket.write(encodeSmgpPdu(pdu));
  }

  private nextMsgId(): Buffer {
    this.msgSequence = (this.msgSequence + 1) % 1_000_000;
    return composeSmgpMsgId(591001, new Date(), this.msgSequence);
  }
}
