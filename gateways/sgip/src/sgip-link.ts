import {
  ConnectionLostError,
  FieldEncodeError,
  GatewayError,
  LinkDownError,
  PduDecodeError,
  RateMeter,
  ReconnectBackoff,
  RequestTimeoutError,
  SegmentSender,
  SmsLink,
  SubmitWindow,
  TokenBucket,
  UpGate,
  encodingOfMessageFormat,
  messageFormatOf,
  nationalNumber,
  sourceNumber,
  parseUdh,
  type LinkDeps,
  type LinkHealth,
  type LinkState,
  type OutboundSms,
  type TimerHandle,
} from '@dizi/gateway-kit';
import type { SgipDeliver, SgipReport, SgipResult, SgipSubmit } from './sgip-bodies';
import { LoginType, SGIP_HEADER_LENGTH, SgipCommand } from './sgip-constants';
import { SgipConnection } from './sgip-connection';
import type { SgipLinkConfig } from './sgip-link-config';
import type { SgipPdu } from './sgip-pdu';
import { SgipReceiver } from './sgip-receiver';
import { isRetryableSgipResult, sgipReportState, sgipResultText } from './sgip-result-codes';
import { SgipSequenceGenerator, formatSgipSequence, type SgipSequence } from './sgip-sequence';

/** The SMG refused our Bind. */
export class SgipLoginError extends GatewayError {
  constructor(readonly result: number) {
    super('SGIP_LOGIN', `SMG refused Bind: result ${result} (${sgipResultText(result)})`);
  }
}

/** Result we answer a Deliver/Report with when our sink could not take it ("system busy"). */
const RESULT_SINK_FAILED = 99;
const RESULT_PARAMETER_FORMAT = 5;

/**
 * SGIP 1.2 SP link, both directions: a client connection that binds to the SMG
 * (LoginType 1) to Submit through a sliding window, and a listener where the SMG binds
 * (LoginType 2) to Deliver MO messages and Report delivery results.
 *
 * The carrier id of a segment is its Submit's sequence number ("node-MMDDhhmmss-n"),
 * which is what the Report quotes. A segment in flight when the connection drops is
 * sent again after the reconnect: SGIP cannot tell whether the SMG took it.
 */
export class SgipLink extends SmsLink {
  declare readonly config: SgipLinkConfig;
  private readonly sequences: SgipSequenceGenerator;
  private readonly window: SubmitWindow<SgipResult>;
  private readonly bucket: TokenBucket;
  private readonly meter: RateMeter;
  private readonly backoff: ReconnectBackoff;
  private readonly upGate: UpGate;
  private readonly sender: SegmentSender<SgipResult>;
  private readonly receiver: SgipReceiver;
  private connection: SgipConnection | null = null;
  private state: LinkState = 'down';
  private stopped = true;
  private reconnectTimer: TimerHandle | null = null;
  private errorCount = 0;
  private lastError: string | undefined;
  private bindWaiter: { counter: number; resolve: (r: SgipResult) => void } | null = null;
  private unbindWaiter: (() => void) | null = null;
  private connecting: Promise<void> | null = null;

  constructor(config: SgipLinkConfig, deps: LinkDeps) {
    super(config, deps);
    this.sequences = new SgipSequenceGenerator(config.nodeId, this.clock);
    this.window = new SubmitWindow<SgipResult>(config.window, config.responseTimeoutMs, this.clock);
    this.bucket = new TokenBucket(config.tps, undefined, this.clock);
    this.meter = new RateMeter(5, this.clock);
    this.backoff = new ReconnectBackoff(config.reconnectMinMs, config.reconnectMaxMs);
    this.upGate = new UpGate(this.clock);
    this.sender = new SegmentSender({
      linkId: this.id,
      window: this.window,
      bucket: this.bucket,
      meter: this.meter,
      upGate: this.upGate,
      maxAttempts: config.maxAttempts,
      resumeTimeoutMs: config.resumeTimeoutMs,
      retryDelayMs: config.reconnectMinMs,
      isStopped: () => this.stopped,
      noteError: (message) => this.noteError(message),
      clock: this.clock,
    });
    this.receiver = new SgipReceiver(
      {
        host: config.listenHost,
        port: config.listenPort,
        login: config.smgLogin,
        password: config.smgPassword,
        logger: this.logger,
      },
      {
        deliver: (pdu) => this.onDeliver(pdu),
        report: (pdu) => this.onReport(pdu),
        problem: (message) => this.noteError(message),
      },
    );
  }

  /** Where the SMG should connect to deliver (null before start). */
  get listenAddress(): { host: string; port: number } | null {
    return this.receiver.address;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.receiver.listen();
    await this.connectOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.upGate.fail(new LinkDownError(this.id, 'stopped'));
    const connection = this.connection;
    if (connection && !connection.closed) {
      if (this.state === 'up') await this.unbind(connection);
      connection.close();
      await connection.whenClosed;
    }
    this.setState('down');
    await this.receiver.close();
    await this.flushPartialMessages();
  }

  health(): LinkHealth {
    return {
      state: this.state,
      windowInUse: this.window.inUse,
      windowSize: this.window.size,
      ratePerSec: this.meter.perSecond(),
      tps: this.config.tps,
      errors: this.errorCount,
      lastError: this.lastError,
    };
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    if (this.state !== 'up')
      throw new LinkDownError(this.id, this.stopped ? 'stopped' : this.state);
    const national = nationalNumber(sms.to);
    const userNumber = /^1\d{10}$/.test(national)
      ? this.config.userNumberPrefix + national
      : national;
    const spNumber = sourceNumber(this.config.srcId, sms.sourceExtension, 'SPNumber');
    const message = this.segmentOutbound(sms, this.config.encodings);
    const coding = messageFormatOf(message.encoding);
    if (coding === undefined)
      throw new FieldEncodeError('MessageCoding', 'SGIP has no packed GSM 7-bit coding');
    return this.settleSegments(
      sms.id,
      message.segments.map((segment) =>
        this.submitSegment({
          spNumber,
          chargeNumber: this.config.chargeNumber,
          userNumbers: [userNumber],
          corpId: this.config.corpId,
          serviceType: this.config.serviceId,
          feeType: this.config.feeType,
          feeValue: this.config.feeValue,
          givenValue: this.config.givenValue,
          agentFlag: this.config.agentFlag,
          morelatetoMTFlag: this.config.morelatetoMTFlag,
          priority: 0,
          expireTime: '',
          scheduleTime: '',
          // 1 = report always, 2 = never (PROTOCOLS.md §2.3).
          reportFlag: sms.registeredDelivery === false ? 2 : 1,
          tpPid: 0,
          tpUdhi: segment.udh ? 1 : 0,
          messageCoding: coding,
          messageType: 0,
          messageContent: segment.userData,
          reserve: '',
        }),
      ),
    );
  }

  /** Sends one segment through the window (see {@link SegmentSender} for resends). */
  private submitSegment(fields: SgipSubmit): Promise<string> {
    // Each attempt gets a new sequence number; the accepted one becomes the carrier id.
    let sequence: SgipSequence;
    return this.sender.send(
      () => {
        sequence = this.sequences.next();
        return sequence.counter;
      },
      (counter) => {
        const connection = this.connection;
        if (!connection || this.state !== 'up') throw new ConnectionLostError(counter);
        connection.send({ command: 'submit', sequence, ...fields });
      },
      (response) =>
        response.result === 0
          ? { accepted: true, messageId: formatSgipSequence(sequence) }
          : {
              accepted: false,
              code: response.result,
              reason: sgipResultText(response.result),
              retryable: isRetryableSgipResult(response.result),
            },
    );
  }

  private connectOnce(): Promise<void> {
    this.connecting ??= this.tryConnect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    this.setState('connecting');
    let connection: SgipConnection;
    try {
      connection = await SgipConnection.open(
        {
          host: this.config.host,
          port: this.config.port,
          timeoutMs: this.config.connectTimeoutMs,
          logger: this.logger,
        },
        {
          pdu: (pdu) => this.onClientPdu(connection, pdu),
          badPacket: (event) => this.onClientBadPacket(event),
          closed: (reason) => this.onClosed(connection, reason),
        },
      );
    } catch (error) {
      this.noteError(
        `connect to ${this.config.host}:${this.config.port} failed: ${(error as Error).message}`,
      );
      this.setState('down');
      this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      connection.close();
      return;
    }
    this.connection = connection;
    try {
      const resp = await this.bind(connection);
      if (resp.result !== 0) throw new SgipLoginError(resp.result);
      this.backoff.reset();
      this.setState('up');
      this.logger.info(
        { link: this.id, host: this.config.host, port: this.config.port },
        'SGIP link up',
      );
      this.upGate.open();
    } catch (error) {
      this.noteError((error as Error).message);
      connection.destroy(error as Error);
    }
  }

  private bind(connection: SgipConnection): Promise<SgipResult> {
    const sequence = this.sequences.next();
    return new Promise<SgipResult>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.bindWaiter = null;
        reject(new RequestTimeoutError(sequence.counter, this.config.connectTimeoutMs));
      }, this.config.connectTimeoutMs);
      timer.unref?.();
      this.bindWaiter = {
        counter: sequence.counter,
        resolve: (resp) => {
          this.clock.clearTimeout(timer);
          this.bindWaiter = null;
          resolve(resp);
        },
      };
      try {
        connection.send({
          command: 'bind',
          sequence,
          loginType: LoginType.SP_TO_SMG,
          loginName: this.config.account,
          loginPassword: this.config.secret,
          reserve: '',
        });
      } catch (error) {
        this.clock.clearTimeout(timer);
        reject(error as Error);
      }
    });
  }

  private onClientPdu(connection: SgipConnection, pdu: SgipPdu): void {
    switch (pdu.command) {
      case 'bind_resp':
        if (this.bindWaiter?.counter === pdu.sequence.counter) this.bindWaiter.resolve(pdu);
        else this.noteError(`unexpected Bind_Resp ${formatSgipSequence(pdu.sequence)} ignored`);
        return;
      case 'submit_resp':
        if (
          pdu.sequence.nodeId !== this.config.nodeId ||
          !this.window.resolve(pdu.sequence.counter, pdu)
        ) {
          this.noteError(
            `Submit_Resp for unknown sequence ${formatSgipSequence(pdu.sequence)} ignored`,
          );
        }
        return;
      case 'unbind':
        this.logger.info({ link: this.id }, 'SMG sent Unbind; closing and reconnecting');
        this.reply(connection, { command: 'unbind_resp', sequence: pdu.sequence });
        connection.close();
        return;
      case 'unbind_resp':
        this.unbindWaiter?.();
        return;
      default:
        this.noteError(`unexpected ${pdu.command} on the submit connection ignored`);
    }
  }

  private onClientBadPacket(event: {
    commandId: number;
    error: PduDecodeError;
    raw: Buffer;
  }): void {
    this.noteError(
      `bad packet (Command ID 0x${event.commandId.toString(16)}): ${event.error.message}`,
    );
    if (event.commandId === SgipCommand.SUBMIT_RESP && event.raw.length >= SGIP_HEADER_LENGTH) {
      // Its request will be sent again rather than wait for the time-out.
      this.window.fail(event.raw.readUInt32BE(16), event.error);
    }
  }

  private async onDeliver(pdu: SgipDeliver): Promise<number> {
    try {
      let payload = pdu.messageContent;
      let concat;
      if (pdu.tpUdhi) {
        const udh = parseUdh(pdu.messageContent);
        concat = udh.concat;
        payload = pdu.messageContent.subarray(udh.headerLength);
      }
      const taken = await this.receiveInbound(
        { from: pdu.userNumber, to: pdu.spNumber },
        { encoding: encodingOfMessageFormat(pdu.messageCoding), bytes: Buffer.from(payload) },
        concat,
      );
      return taken ? 0 : RESULT_SINK_FAILED;
    } catch (error) {
      this.noteError(`bad Deliver: ${(error as Error).message}`);
      return RESULT_PARAMETER_FORMAT;
    }
  }

  private async onReport(pdu: SgipReport): Promise<number> {
    const taken = await this.receiveReport({
      linkId: this.id,
      messageId: formatSgipSequence(pdu.submitSequence),
      to: pdu.userNumber,
      state: sgipReportState(pdu.state),
      carrierStatus: `State:${pdu.state} ErrorCode:${pdu.errorCode}`,
    });
    return taken ? 0 : RESULT_SINK_FAILED;
  }

  private onClosed(connection: SgipConnection, reason: Error | undefined): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.unbindWaiter?.();
    const wasUp = this.state === 'up';
    this.setState('down');
    this.window.failAll();
    if (reason) this.noteError(`connection closed: ${reason.message}`);
    if (wasUp) this.logger.warn({ link: this.id, reason: reason?.message }, 'SGIP link down');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      void this.connectOnce();
    }, this.backoff.next());
    this.reconnectTimer.unref?.();
  }

  private async unbind(connection: SgipConnection): Promise<void> {
    const answered = new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, Math.min(this.config.responseTimeoutMs, 2_000));
      timer.unref?.();
      this.unbindWaiter = () => {
        this.clock.clearTimeout(timer);
        this.unbindWaiter = null;
        resolve();
      };
    });
    this.reply(connection, { command: 'unbind', sequence: this.sequences.next() });
    await answered;
  }

  private reply(connection: SgipConnection, pdu: SgipPdu): void {
    try {
      connection.send(pdu);
    } catch (error) {
      this.logger.debug(
        { link: this.id, command: pdu.command, err: error },
        'could not send; connection closed',
      );
    }
  }

  private noteError(message: string): void {
    this.errorCount++;
    this.lastError = message;
    this.logger.warn({ link: this.id }, message);
  }

  private setState(state: LinkState): void {
    this.state = state;
    if (state !== 'up') this.upGate.close();
  }
}
