/**
 * An SMPP 3.4 SMSC simulator for tests. The wire side is the `smpp` npm package's
 * server (farhadi/node-smpp), a codec written by nobody here, so what the link sends
 * is read by an independent decoder. It takes bind_transceiver (checking system_id and
 * password), answers submit_sm with message ids, and can inject MO messages and
 * delivery receipts, answer slowly, return error codes, stay silent, drop connections
 * and write raw bytes. Everything it receives is recorded.
 */
import type { AddressInfo } from 'node:net';
import { PDU, createServer, type Server, type Session } from 'smpp';

export interface SmscSession {
  id: number;
  session: Session;
  systemId: string | null;
  bound: boolean;
}

export interface ReceivedSubmit {
  sessionId: number;
  pdu: PDU;
  /** Text as node-smpp decodes short_message (or message_payload) by data_coding. */
  text: string;
  /** Raw UDH octets when esm_class has UDHI, else null. */
  udh: Buffer | null;
  dataCoding: number;
  esmClass: number;
  registeredDelivery: number;
  /** The id answered with; null while unanswered or when refused. */
  messageId: string | null;
  status: number | null;
}

export interface MoOptions {
  from: string;
  to: string;
  shortMessage?: Buffer;
  dataCoding?: number;
  esmClass?: number;
  /** TLVs by node-smpp names, e.g. { message_payload: Buffer, sar_msg_ref_num: 7 }. */
  tlvs?: Record<string, unknown>;
  session?: SmscSession;
}

export interface ReceiptOptions {
  messageId: string;
  /** The handset the message went to (source_addr of the receipt). */
  to: string;
  stat: string;
  err?: string;
  /** Id written in the text; default messageId. */
  textId?: string;
  /** Add receipted_message_id and message_state TLVs. */
  withTlvs?: boolean;
  session?: SmscSession;
}

const MESSAGE_STATE: Record<string, number> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

export class SmppSmscSimulator {
  // Behaviour knobs, changed by tests while running.
  responseDelayMs = 0;
  /** command_status for the n-th submit_sm (0 = accept). */
  submitStatus: (pdu: PDU, index: number) => number = () => 0;
  /** Never answer submit_sm (a peer that hangs). */
  silent = false;
  /** Status word of an automatic receipt for each accepted submit_sm asking for one; null = none. */
  autoReceiptStat: string | null = null;
  autoReceiptTlvs = true;
  answerEnquireLinks = true;

  // Records.
  readonly submits: ReceivedSubmit[] = [];
  readonly binds: { systemId: string; password: string; systemType: string; status: number }[] = [];
  readonly received: PDU[] = [];
  readonly deliverResps: PDU[] = [];
  readonly sessions = new Set<SmscSession>();
  enquireLinks = 0;
  unbinds = 0;
  maxOutstanding = 0;
  private outstanding = 0;
  private nextSessionId = 1;
  private messageCounter = 0x1000;
  private dropAfterSubmits: number | null = null;

  private constructor(
    private readonly server: Server,
    private readonly accounts: Record<string, string>,
  ) {}

  static async start(options: { accounts: Record<string, string> }): Promise<SmppSmscSimulator> {
    let sim: SmppSmscSimulator | null = null;
    const server = createServer((session) => sim?.accept(session));
    sim = new SmppSmscSimulator(server, options.accounts);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sim;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The most recent bound session. */
  current(): SmscSession {
    const bound = [...this.sessions].filter((s) => s.bound);
    const last = bound[bound.length - 1];
    if (!last) throw new Error('no bound SMPP session');
    return last;
  }

  /** Drops every connection at once, as a crashing SMSC or a broken network would. */
  dropConnections(): void {
    for (const s of this.sessions) s.session.destroy();
  }

  /** After `count` more submit_sm the connection drops, those left unanswered. */
  dropAfter(count: number): void {
    this.dropAfterSubmits = count;
  }

  /** Writes raw bytes to the current session (malformed PDUs). */
  sendRaw(bytes: Buffer, session = this.current()): void {
    session.session.socket.write(bytes);
  }

  /** Sends a deliver_sm MO and resolves with the ESME's deliver_sm_resp. */
  injectMo(options: MoOptions): Promise<PDU> {
    const pdu = new PDU('deliver_sm', {
      source_addr: options.from,
      destination_addr: options.to,
      esm_class: options.esmClass ?? 0,
      data_coding: options.dataCoding ?? 0,
      short_message: options.shortMessage ?? Buffer.alloc(0),
      ...(options.tlvs ?? {}),
    });
    return this.sendRequest(pdu, options.session);
  }

  /** Sends a delivery receipt (esm_class 0x04) and resolves with the deliver_sm_resp. */
  injectReceipt(options: ReceiptOptions): Promise<PDU> {
    const stamp = '2311221530';
    const text =
      `id:${options.textId ?? options.messageId} sub:001 dlvrd:${options.stat === 'DELIVRD' ? '001' : '000'} ` +
      `submit date:${stamp} done date:2311221531 stat:${options.stat} err:${options.err ?? '000'} text:`;
    const tlvs = options.withTlvs
      ? { receipted_message_id: options.messageId, message_state: MESSAGE_STATE[options.stat] ?? 7 }
      : {};
    const pdu = new PDU('deliver_sm', {
      source_addr: options.to,
      destination_addr: '',
      esm_class: 0x04,
      data_coding: 0,
      short_message: Buffer.from(text, 'latin1'),
      ...tlvs,
    });
    return this.sendRequest(pdu, options.session);
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private sendRequest(pdu: PDU, target?: SmscSession): Promise<PDU> {
    const s = target ?? this.current();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${pdu.command}`)), 5_000);
      const sent = s.session.send(pdu, (resp) => {
        clearTimeout(timer);
        if (resp.command === 'deliver_sm_resp') this.deliverResps.push(resp);
        resolve(resp);
      });
      if (!sent) {
        clearTimeout(timer);
        reject(new Error('SMPP session is not writable'));
      }
    });
  }

  private accept(session: Session): void {
    const s: SmscSession = { id: this.nextSessionId++, session, systemId: null, bound: false };
    this.sessions.add(s);
    session.on('error', () => undefined); // a reset by the ESME is expected in tests
    session.socket.on('close', () => this.sessions.delete(s));
    session.on('pdu', (pdu: PDU) => this.onPdu(s, pdu));
  }

  private onPdu(s: SmscSession, pdu: PDU): void {
    this.received.push(pdu);
    const session = s.session;
    switch (pdu.command) {
      case 'bind_transceiver': {
        const systemId = String(pdu.system_id ?? '');
        const password = String(pdu.password ?? '');
        const known = systemId in this.accounts;
        const status = !known ? 0x0f : this.accounts[systemId] !== password ? 0x0e : 0;
        this.binds.push({ systemId, password, systemType: String(pdu.system_type ?? ''), status });
        session.send(pdu.response({ command_status: status, system_id: 'SIMSC' }));
        if (status === 0) {
          s.systemId = systemId;
          s.bound = true;
        }
        return;
      }
      case 'submit_sm':
        this.onSubmit(s, pdu);
        return;
      case 'enquire_link':
        this.enquireLinks++;
        if (this.answerEnquireLinks) session.send(pdu.response());
        return;
      case 'unbind':
        this.unbinds++;
        session.send(pdu.response());
        setTimeout(() => session.close(), 10);
        return;
      default:
        if (!pdu.isResponse() && pdu.command === 'unknown') session.send(pdu.response());
    }
  }

  private onSubmit(s: SmscSession, pdu: PDU): void {
    const index = this.submits.length;
    const decoded = (pdu.short_message ?? pdu.message_payload) as
      { message?: unknown; udh?: Buffer[] } | undefined;
    const payload = pdu.message_payload as { message?: unknown } | undefined;
    const message = payload?.message ?? decoded?.message;
    const esmClass = Number(pdu.esm_class ?? 0);
    const rawUdh = decoded?.udh?.length
      ? Buffer.concat([
          Buffer.from([decoded.udh.reduce((n, ie) => n + ie.length, 0)]),
          ...decoded.udh,
        ])
      : null;
    const record: ReceivedSubmit = {
      sessionId: s.id,
      pdu,
      text:
        typeof message === 'string'
          ? message
          : Buffer.isBuffer(message)
            ? message.toString('hex')
            : '',
      udh: rawUdh,
      dataCoding: Number(pdu.data_coding ?? 0),
      esmClass,
      registeredDelivery: Number(pdu.registered_delivery ?? 0),
      messageId: null,
      status: null,
    };
    this.submits.push(record);
    if (this.dropAfterSubmits !== null) {
      this.dropAfterSubmits--;
      if (this.dropAfterSubmits < 0) {
        this.dropAfterSubmits = null;
        s.session.destroy();
        return;
      }
    }
    if (this.silent) return;
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const answer = () => {
      this.outstanding--;
      const status = this.submitStatus(pdu, index);
      record.status = status;
      if (status !== 0) {
        s.session.send(pdu.response({ command_status: status }));
        return;
      }
      const messageId = (this.messageCounter++).toString(16).toUpperCase();
      record.messageId = messageId;
      s.session.send(pdu.response({ message_id: messageId }));
      if (this.autoReceiptStat && record.registeredDelivery & 1) {
        void this.injectReceipt({
          messageId,
          to: String(pdu.destination_addr),
          stat: this.autoReceiptStat,
          withTlvs: this.autoReceiptTlvs,
          session: s,
        }).catch(() => undefined);
      }
    };
    if (this.responseDelayMs > 0) setTimeout(answer, this.responseDelayMs);
    else answer();
  }
}
