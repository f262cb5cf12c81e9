import {
  ConnectionLostError,
  FieldEncodeError,
  GatewayError,
  KeepAlive,
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
  deliveryStateOf,
  encodingOfMessageFormat,
  messageFormatOf,
  nationalNumber,
  sourceNumber,
  parseUdh,
  type LinkDeps,
  type LinkHealth,
  type LinkState,
  type OutboundSms,
  type Segment,
  type SegmentedMessage,
  type TimerHandle,
} from '@dizi/gateway-kit';
import { authenticatorIsmg, authenticatorSource, type CmppConnectResp } from './cmpp-connect';
import { CmppCommand } from './cmpp-constants';
import { CmppConnection } from './cmpp-connection';
import { cmppSequenceOf } from './cmpp-frame-decoder';
import { decodeStatusReport, type CmppDeliver } from './cmpp-deliver';
import { cmppVersionByte, type CmppLinkConfig } from './cmpp-link-config';
import { formatMsgId } from './cmpp-msg-id';
import type { CmppPdu } from './cmpp-pdu';
import {
  DELIVER_RESULT_OTHER_ERROR,
  DELIVER_RESULT_STRUCTURE_ERROR,
  connectStatusText,
  isRetryableSubmitResult,
  submitResultText,
} from './cmpp-result-codes';
import type { CmppSubmit, CmppSubmitResp } from './cmpp-submit';
import { cmppTimestamp } from './cmpp-timestamp';

/** CONNECT was refused (bad account, secret or version). */
export class CmppLoginError extends GatewayError {
  constructor(readonly status: number) {
    super('CMPP_LOGIN', `ISMG refused CONNECT: status ${status} (${connectStatusText(status)})`);
  }
}

type SegmentFields = Omit<CmppSubmit, 'msgId'>;

/**
 * SP side of a CMPP 2.0/3.0 long connection: CONNECT with the MD5 authenticator,
 * SUBMIT through a sliding window, ACTIVE_TEST keep-alive, DELIVER for MO and reports,
 * reconnect with back-off and TERMINATE on stop.
 *
 * Segments in flight when the connection drops are sent again after the reconnect:
 * CMPP cannot tell whether the ISMG took a SUBMIT whose response never came, so those
 * (and only those) may reach the handset twice.
 */
export class CmppLink extends SmsLink {
  declare readonly config: CmppLinkConfig;
  private readonly versionByte: number;
  private readonly window: SubmitWindow<CmppSubmitResp>;
  private readonly bucket: TokenBucket;
  private readonly meter: RateMeter;
  private readonly backoff: ReconnectBackoff;
  private connection: CmppConnection | null = null;
  private state: LinkState = 'down';
  private stopped = true;
  private sequence = 0;
  private reconnectTimer: TimerHandle | null = null;
  private keepAlive: KeepAlive | null = null;
  private errorCount = 0;
  private lastError: string | undefined;
  private readonly upGate: UpGate;
  private readonly sender: SegmentSender<CmppSubmitResp>;
  private loginWaiter: { sequenceId: number; resolve: (resp: CmppConnectResp) => void } | null =
    null;
  private terminateWaiter: (() => void) | null = null;
  private connecting: Promise<void> | null = null;

  constructor(config: CmppLinkConfig, deps: LinkDeps) {
    super(config, deps);
    this.versionByte = cmppVersionByte(config);
    this.window = new SubmitWindow<CmppSubmitResp>(
      config.window,
      config.responseTimeoutMs,
      this.clock,
    );
    this.bucket = new TokenBucket(config.tps, undefined, this.clock);
    this.meter = new RateMeter(5, this.clock);
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
    this.backoff = new ReconnectBackoff(config.reconnectMinMs, config.reconnectMaxMs);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.connectOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.upGate.fail(new LinkDownError(this.id, 'stopped'));
    const connection = this.connection;
    if (connection && !connection.closed) {
      if (this.state === 'up') await this.terminate(connection);
      connection.close();
      await connection.whenClosed;
    }
    this.setState('down');
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
    nationalNumber(sms.to);
    const destination = sms.to.trim().replace(/^\+/, '');
    const srcId = sourceNumber(this.config.srcId, sms.sourceExtension, 'Src_Id');
    const message = this.segmentOutbound(sms, this.config.encodings);
    return this.settleSegments(
      sms.id,
      message.segments.map((segment) =>
        this.submitSegment(
          this.segmentFields(
            segment,
            message,
            destination,
            srcId,
            sms.registeredDelivery !== false,
          ),
        ),
      ),
    );
  }

  private segmentFields(
    segment: Segment,
    message: SegmentedMessage,
    destination: string,
    srcId: string,
    registeredDelivery: boolean,
  ): SegmentFields {
    const msgFmt = messageFormatOf(message.encoding);
    if (msgFmt === undefined)
      throw new FieldEncodeError('Msg_Fmt', 'CMPP has no packed GSM 7-bit format');
    return {
      pkTotal: segment.total,
      pkNumber: segment.seq,
      registeredDelivery: registeredDelivery ? 1 : 0,
      msgLevel: 0,
      serviceId: this.config.serviceId,
      feeUserType: this.config.feeUserType,
      feeTerminalId: this.config.feeTerminalId,
      feeTerminalType: 0,
      tpPid: 0,
      tpUdhi: segment.udh ? 1 : 0,
      msgFmt,
      msgSrc: this.config.msgSrc,
      feeType: this.config.feeType,
      feeCode: this.config.feeCode,
      validTime: '',
      atTime: '',
      srcId,
      destTerminalIds: [destination],
      destTerminalType: 0,
      msgContent: segment.userData,
      reserveOrLinkId: '',
    };
  }

  /** Sends one segment through the window (see {@link SegmentSender} for resends). */
  private submitSegment(fields: SegmentFields): Promise<string> {
    return this.sender.send(
      () => this.nextSequence(),
      (sequenceId) => {
        const connection = this.connection;
        if (!connection || this.state !== 'up') throw new ConnectionLostError(sequenceId);
        connection.send({ command: 'submit', sequenceId, msgId: 0n, ...fields });
      },
      (response) =>
        response.result === 0
          ? { accepted: true, messageId: formatMsgId(response.msgId) }
          : {
              accepted: false,
              code: response.result,
              reason: submitResultText(response.result),
              retryable: isRetryableSubmitResult(response.result),
            },
    );
  }

  /** One connection attempt: TCP connect, CONNECT, wait for CONNECT_RESP. Never rejects. */
  private connectOnce(): Promise<void> {
    this.connecting ??= this.tryConnect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    this.setState('connecting');
    let connection: CmppConnection;
    try {
      connection = await CmppConnection.open(
        {
          host: this.config.host,
          port: this.config.port,
          version: this.versionByte,
          timeoutMs: this.config.connectTimeoutMs,
          logger: this.logger,
        },
        {
          pdu: (pdu) => this.onPdu(connection, pdu),
          badPacket: (event) => this.onBadPacket(connection, event),
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
      const resp = await this.login(connection);
      if (resp.status !== 0) throw new CmppLoginError(resp.status);
      this.backoff.reset();
      this.setState('up');
      this.logger.info(
        { link: this.id, host: this.config.host, port: this.config.port },
        'CMPP link up',
      );
      this.startKeepAlive(connection);
      this.upGate.open();
    } catch (error) {
      this.noteError((error as Error).message);
      connection.destroy(error as Error);
    }
  }

  private login(connection: CmppConnection): Promise<CmppConnectResp> {
    const timestamp = cmppTimestamp(new Date(this.clock.now()));
    const authSource = authenticatorSource(this.config.account, this.config.secret, timestamp);
    const sequenceId = this.nextSequence();
    return new Promise<CmppConnectResp>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.loginWaiter = null;
        reject(new RequestTimeoutError(sequenceId, this.config.connectTimeoutMs));
      }, this.config.connectTimeoutMs);
      timer.unref?.();
      this.loginWaiter = {
        sequenceId,
        resolve: (resp) => {
          this.clock.clearTimeout(timer);
          this.loginWaiter = null;
          if (resp.status === 0) this.checkIsmgAuthenticator(resp, authSource);
          resolve(resp);
        },
      };
      try {
        connection.send({
          command: 'connect',
          sequenceId,
          sourceAddr: this.config.account,
          authenticatorSource: authSource,
          version: this.versionByte,
          timestamp,
        });
      } catch (error) {
        this.clock.clearTimeout(timer);
        reject(error as Error);
      }
    });
  }

  /** Gateways disagree on how to hash a 2.0 status (PROTOCOLS.md §1.3): log, do not fail. */
  private checkIsmgAuthenticator(resp: CmppConnectResp, authSource: Buffer): void {
    const expected = authenticatorIsmg(
      resp.status,
      authSource,
      this.config.secret,
      this.versionByte,
    );
    if (!expected.equals(resp.authenticatorIsmg)) {
      this.logger.warn({ link: this.id }, 'AuthenticatorISMG does not match; continuing (interop)');
    }
  }

  private onPdu(connection: CmppConnection, pdu: CmppPdu): void {
    this.keepAlive?.heard();
    switch (pdu.command) {
      case 'connect_resp':
        if (this.loginWaiter?.sequenceId === pdu.sequenceId) this.loginWaiter.resolve(pdu);
        else this.unexpected(pdu);
        return;
      case 'submit_resp':
        if (!this.window.resolve(pdu.sequenceId, pdu)) {
          this.noteError(`SUBMIT_RESP for unknown sequence ${pdu.sequenceId} ignored`);
        }
        return;
      case 'deliver':
        void this.onDeliver(connection, pdu);
        return;
      case 'active_test':
        this.reply(connection, {
          command: 'active_test_resp',
          sequenceId: pdu.sequenceId,
          reserved: 0,
        });
        return;
      case 'active_test_resp':
        return;
      case 'terminate':
        this.logger.info({ link: this.id }, 'ISMG sent TERMINATE; closing and reconnecting');
        this.reply(connection, { command: 'terminate_resp', sequenceId: pdu.sequenceId });
        connection.close();
        return;
      case 'terminate_resp':
        this.terminateWaiter?.();
        return;
      default:
        this.unexpected(pdu);
    }
  }

  private async onDeliver(
    connection: CmppConnection,
    pdu: { sequenceId: number } & CmppDeliver,
  ): Promise<void> {
    let result = 0;
    try {
      const taken =
        pdu.registeredDelivery === 1 ? await this.takeReport(pdu) : await this.takeMessage(pdu);
      if (!taken) result = DELIVER_RESULT_OTHER_ERROR;
    } catch (error) {
      this.noteError(`bad DELIVER ${pdu.sequenceId}: ${(error as Error).message}`);
      result = DELIVER_RESULT_STRUCTURE_ERROR;
    }
    this.reply(connection, {
      command: 'deliver_resp',
      sequenceId: pdu.sequenceId,
      msgId: pdu.msgId,
      result,
    });
  }

  private takeReport(pdu: CmppDeliver): Promise<boolean> {
    const report = decodeStatusReport(pdu.msgContent);
    return this.receiveReport({
      linkId: this.id,
      messageId: formatMsgId(report.msgId),
      to: report.destTerminalId,
      state: deliveryStateOf(report.stat),
      carrierStatus: report.stat,
      submittedAt: reportTime(report.submitTime),
      doneAt: reportTime(report.doneTime),
    });
  }

  private takeMessage(pdu: CmppDeliver): Promise<boolean> {
    let payload = pdu.msgContent;
    let concat;
    if (pdu.tpUdhi) {
      const udh = parseUdh(pdu.msgContent);
      concat = udh.concat;
      payload = pdu.msgContent.subarray(udh.headerLength);
    }
    return this.receiveInbound(
      { from: pdu.srcTerminalId, to: pdu.destId, carrierId: formatMsgId(pdu.msgId) },
      { encoding: encodingOfMessageFormat(pdu.msgFmt), bytes: Buffer.from(payload) },
      concat,
    );
  }

  private onBadPacket(
    connection: CmppConnection,
    event: { commandId: number; error: PduDecodeError; raw: Buffer },
  ): void {
    const sequenceId = cmppSequenceOf(event.raw);
    this.noteError(
      `bad packet (Command_Id 0x${event.commandId.toString(16)}): ${event.error.message}`,
    );
    if (event.commandId === CmppCommand.SUBMIT_RESP) {
      // Its request will be sent again rather than wait for the time-out.
      this.window.fail(sequenceId, event.error);
    } else if (event.commandId === CmppCommand.DELIVER) {
      // Answer so the ISMG does not wait; a structure error makes it resend or drop.
      const msgId = event.raw.length >= 20 ? event.raw.readBigUInt64BE(12) : 0n;
      this.reply(connection, {
        command: 'deliver_resp',
        sequenceId,
        msgId,
        result: DELIVER_RESULT_STRUCTURE_ERROR,
      });
    }
  }

  private onClosed(connection: CmppConnection, reason: Error | undefined): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.keepAlive?.stop();
    this.keepAlive = null;
    this.terminateWaiter?.();
    const wasUp = this.state === 'up';
    this.setState('down');
    this.window.failAll();
    if (reason) this.noteError(`connection closed: ${reason.message}`);
    if (wasUp) this.logger.warn({ link: this.id, reason: reason?.message }, 'CMPP link down');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    const delay = this.backoff.next();
    this.reconnectTimer = this.clock.setTimeout(() => {
      this.reconnectTimer = null;
      void this.connectOnce();
    }, delay);
    this.reconnectTimer.unref?.();
  }

  /** Idle C → ACTIVE_TEST; no answer within T, N times → drop and reconnect (spec §1.1). */
  private startKeepAlive(connection: CmppConnection): void {
    this.keepAlive?.stop();
    this.keepAlive = new KeepAlive({
      idleMs: this.config.activeTestIntervalMs,
      responseTimeoutMs: this.config.responseTimeoutMs,
      maxUnanswered: this.config.maxAttempts,
      sendProbe: () =>
        this.reply(connection, { command: 'active_test', sequenceId: this.nextSequence() }),
      onDead: (error) => connection.destroy(error),
      clock: this.clock,
    });
    this.keepAlive.start();
  }

  private async terminate(connection: CmppConnection): Promise<void> {
    const answered = new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, Math.min(this.config.responseTimeoutMs, 2_000));
      timer.unref?.();
      this.terminateWaiter = () => {
        this.clock.clearTimeout(timer);
        this.terminateWaiter = null;
        resolve();
      };
    });
    this.reply(connection, { command: 'terminate', sequenceId: this.nextSequence() });
    await answered;
  }

  /** Sends a PDU that no one waits for; a closed connection is only logged. */
  private reply(connection: CmppConnection, pdu: CmppPdu): void {
    try {
      connection.send(pdu);
    } catch (error) {
      this.logger.debug(
        { link: this.id, command: pdu.command, err: error },
        'could not send; connection closed',
      );
    }
  }

  private unexpected(pdu: CmppPdu): void {
    this.noteError(`unexpected ${pdu.command} (sequence ${pdu.sequenceId}) ignored`);
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

  private nextSequence(): number {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }
}

/** YYMMDDHHMM in a report → a Date (local time, as the ISMG writes it); undefined if malformed. */
function reportTime(text: string): Date | undefined {
  const m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [, yy, mo, dd, hh, mi] = m.map(Number);
  return new Date(2000 + yy, mo - 1, dd, hh, mi);
}
