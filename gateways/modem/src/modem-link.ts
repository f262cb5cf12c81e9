import {
  GatewayError,
  InvalidPhoneNumberError,
  LinkDownError,
  PduDecodeError,
  RateMeter,
  ReconnectBackoff,
  SmsLink,
  SubmitRefusedError,
  TokenBucket,
  UpGate,
  type LinkDeps,
  type LinkHealth,
  type LinkState,
  type OutboundSms,
  type Segment,
  type TimerHandle,
} from '@dizi/gateway-kit';
import { AtChannel, type Urc } from './at/at-channel';
import {
  AtCommandError,
  AtTimeoutError,
  CmeError,
  CmsError,
  ModemClosedError,
  ModemProtocolError,
  cmsErrorText,
  isRetryableCms,
} from './at/at-errors';
import { serialTransport, type AtTransportFactory } from './at/at-transport';
import type { ModemLinkConfig } from './modem-link-config';
import type { SmsAlphabet } from './pdu/dcs';
import { decodeSmsPdu, bytesToHex } from './pdu/sms-pdu';
import type { SmsDeliver } from './pdu/sms-deliver';
import { deliveryStateOfStatus, statusText, type SmsStatusReport } from './pdu/sms-status-report';
import { encodeSubmit, submitOfSegment } from './pdu/sms-submit';

/** The SIM asks for a PIN the configuration does not give, or refused it. */
export class ModemSetupError extends GatewayError {
  constructor(detail: string) {
    super('MODEM_SETUP', detail);
  }
}

interface AwaitedReport {
  messageId: string;
  to: string;
  submittedAt: number;
}

/**
 * One GSM modem over a serial port, in PDU mode (3GPP TS 27.005): sets the modem up,
 * sends segments with AT+CMGS at most one per `sendIntervalMs`, takes MO messages
 * from +CMTI (AT+CMGR, then AT+CMGD) and +CMT, and status reports from +CDS/+CDSI,
 * matched to submitted segments by TP-MR and recipient. A command that gets no answer
 * makes the link close the port, open it again and repeat the set-up (with back-off).
 *
 * Only a segment whose AT+CMGS got no answer is sent again: the modem may have sent
 * it before going silent, so that segment may reach the handset twice.
 */
export class ModemLink extends SmsLink {
  declare readonly config: ModemLinkConfig;
  private state: LinkState = 'down';
  private stopped = true;
  private channel: AtChannel | null = null;
  private readonly openTransport: AtTransportFactory;
  private readonly bucket: TokenBucket;
  private readonly meter: RateMeter;
  private readonly backoff: ReconnectBackoff;
  private readonly upGate: UpGate;
  private reopenTimer: TimerHandle | null = null;
  private probeTimer: TimerHandle | null = null;
  private opening: Promise<void> | null = null;
  private readonly awaitedReports = new Map<number, AwaitedReport>();
  private errorCount = 0;
  private lastError: string | undefined;
  private sending = 0;
  private queued = 0;
  private idCounter = 0;
  /** Storage indexes being read, so that +CMTI and AT+CMGL do not both take one message. */
  private readonly claimed = new Set<number>();

  constructor(config: ModemLinkConfig, deps: LinkDeps, transport?: AtTransportFactory) {
    super(config, deps);
    this.openTransport = transport ?? serialTransport(config.path, config.baudRate);
    this.bucket = new TokenBucket(1000 / config.sendIntervalMs, 1, this.clock);
    this.meter = new RateMeter(5, this.clock);
    this.backoff = new ReconnectBackoff(config.reconnectMinMs, config.reconnectMaxMs);
    this.upGate = new UpGate(this.clock);
  }

  /** Segments accepted by submit() and not yet answered by the modem (for the pool). */
  get pendingSegments(): number {
    return this.queued;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.openOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reopenTimer) this.clock.clearTimeout(this.reopenTimer);
    this.reopenTimer = null;
    this.stopProbe();
    this.upGate.fail(new LinkDownError(this.id, 'stopped'));
    await this.opening;
    const channel = this.channel;
    this.channel = null;
    if (channel) await channel.close();
    this.setState('down');
    await this.flushPartialMessages();
  }

  health(): LinkHealth {
    return {
      state: this.state,
      windowInUse: this.sending,
      windowSize: 1,
      ratePerSec: this.meter.perSecond(),
      tps: 1000 / this.config.sendIntervalMs,
      errors: this.errorCount,
      lastError: this.lastError,
    };
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    if (this.state !== 'up') {
      throw new LinkDownError(this.id, this.stopped ? 'stopped' : this.state);
    }
    const to = sms.to.trim();
    if (!/^\+?\d{3,20}$/.test(to)) throw new InvalidPhoneNumberError(sms.to);
    const message = this.segmentOutbound(sms, this.config.encodings);
    const alphabet: SmsAlphabet =
      message.encoding === 'gsm7' ? 'gsm7' : message.encoding === 'ucs2' ? 'ucs2' : 'binary';
    const statusReport = this.config.statusReports && sms.registeredDelivery !== false;
    // Encode every segment first: an encoding problem must not leave half a message sent.
    const pdus = message.segments.map((segment) =>
      this.encode(segment, alphabet, to, statusReport),
    );
    this.queued += pdus.length;
    return this.settleSegments(
      sms.id,
      pdus.map((pdu) => this.sendSegment(pdu, to, statusReport).finally(() => (this.queued -= 1))),
    );
  }

  private encode(
    segment: Segment,
    alphabet: SmsAlphabet,
    to: string,
    statusReport: boolean,
  ): { hex: string; tpduLength: number } {
    const encoded = encodeSubmit(
      submitOfSegment(segment, alphabet, {
        smsc: this.config.smsc,
        destination: to,
        nationalDestination: this.config.nationalNumbers,
        statusReport,
        validity:
          this.config.validityMinutes !== undefined
            ? { relativeMinutes: this.config.validityMinutes }
            : undefined,
      }),
    );
    return { hex: bytesToHex(encoded.pdu), tpduLength: encoded.tpduLength };
  }

  /** Sends one segment: waits for the modem and the pace, AT+CMGS, reads +CMGS: <mr>. */
  private async sendSegment(
    pdu: { hex: string; tpduLength: number },
    to: string,
    statusReport: boolean,
  ): Promise<string> {
    const o = this.config;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped) throw new LinkDownError(this.id, 'stopped');
      await this.upGate.wait(
        o.resumeTimeoutMs,
        () => new LinkDownError(this.id, `modem not back within ${o.resumeTimeoutMs} ms`),
      );
      await this.bucket.take();
      const channel = this.channel;
      if (!channel || this.state !== 'up') {
        attempt--;
        continue;
      }
      let lines: string[];
      this.sending++;
      try {
        lines = await channel.send(`AT+CMGS=${pdu.tpduLength}`, {
          pdu: pdu.hex,
          timeoutMs: o.sendTimeoutMs,
        });
      } catch (error) {
        const last = attempt >= o.maxAttempts || this.stopped;
        if (error instanceof CmsError) {
          this.noteError(error.message);
          const retryable = isRetryableCms(error.cms);
          if (!retryable || last) {
            throw new SubmitRefusedError(this.id, error.cms, cmsErrorText(error.cms), retryable);
          }
          await this.pause(o.retryDelayMs);
          continue;
        }
        if (error instanceof AtCommandError || error instanceof CmeError) {
          this.noteError(error.message);
          if (last) throw new SubmitRefusedError(this.id, -1, error.message, true);
          await this.pause(o.retryDelayMs);
          continue;
        }
        if (error instanceof AtTimeoutError || error instanceof ModemClosedError) {
          this.noteError(`segment unanswered, modem reset: ${error.message}`);
          if (error instanceof AtTimeoutError) this.reset(channel, error);
          if (last) throw error;
          continue;
        }
        throw error;
      } finally {
        this.sending--;
      }
      const mrLine = lines.map((l) => /^\+CMGS:\s*(\d+)/.exec(l)).find((m) => m);
      if (!mrLine)
        throw new ModemProtocolError(`AT+CMGS answered OK without +CMGS: ${lines.join(' | ')}`);
      const mr = Number(mrLine[1]) & 0xff;
      this.meter.record();
      const messageId = `${mr}-${this.clock.now().toString(36)}${(this.idCounter++ % 36).toString(36)}`;
      if (statusReport) {
        this.awaitedReports.set(mr, { messageId, to, submittedAt: this.clock.now() });
      }
      return messageId;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(resolve, ms);
      t.unref?.();
    });
  }

  private openOnce(): Promise<void> {
    this.opening ??= this.tryOpen().finally(() => (this.opening = null));
    return this.opening;
  }

  private async tryOpen(): Promise<void> {
    this.setState('connecting');
    let channel: AtChannel;
    try {
      const transport = await this.openTransport();
      channel = new AtChannel(
        transport,
        {
          urc: (urc) => this.onUrc(channel, urc),
          closed: (error) => this.onClosed(channel, error),
        },
        { clock: this.clock, logger: this.logger, defaultTimeoutMs: this.config.commandTimeoutMs },
      );
    } catch (error) {
      this.noteError(`open ${this.config.path} failed: ${(error as Error).message}`);
      this.setState('down');
      this.scheduleReopen();
      return;
    }
    if (this.stopped) {
      await channel.close();
      return;
    }
    this.channel = channel;
    try {
      await this.setUp(channel);
    } catch (error) {
      this.noteError(`modem set-up failed: ${(error as Error).message}`);
      if (this.channel === channel) this.channel = null;
      await channel.close();
      this.setState('down');
      this.scheduleReopen();
      return;
    }
    if (this.stopped || this.channel !== channel) return;
    this.backoff.reset();
    this.setState('up');
    this.logger.info({ link: this.id, path: this.config.path }, 'modem link up');
    this.upGate.open();
    this.scheduleProbe(channel);
    void this.readStoredMessages(channel);
  }

  /** AT set-up (27.007/27.005): sync, echo off, numeric errors, PIN, PDU mode, storage, indications. */
  private async setUp(channel: AtChannel): Promise<void> {
    const quick = { timeoutMs: Math.min(this.config.commandTimeoutMs, 2_000) };
    channel.cancelPendingPdu();
    let synced = false;
    for (let i = 0; i < 3 && !synced; i++) {
      try {
        await channel.send('AT', quick);
        synced = true;
      } catch (error) {
        const retry =
          error instanceof AtTimeoutError ||
          error instanceof AtCommandError ||
          error instanceof CmeError;
        if (!retry) throw error;
      }
    }
    if (!synced) throw new AtTimeoutError('AT', quick.timeoutMs * 3);
    await channel.send('ATE0');
    await channel.send('AT+CMEE=1');
    const cpin = (await channel.send('AT+CPIN?')).join(' ');
    if (/SIM PIN/.test(cpin)) {
      if (!this.config.pin)
        throw new ModemSetupError('the SIM asks for a PIN and none is configured');
      await channel.send(`AT+CPIN=${this.config.pin}`, { timeoutMs: 20_000 });
    } else if (!/READY/.test(cpin)) {
      throw new ModemSetupError(`SIM not ready: ${cpin || 'no +CPIN answer'}`);
    }
    await channel.send('AT+CMGF=0');
    try {
      await channel.send(`AT+CSMS=${this.config.csms}`);
    } catch (error) {
      if (!(error instanceof CmsError || error instanceof AtCommandError)) throw error;
      this.logger.warn({ link: this.id, err: error }, 'AT+CSMS refused; keeping the default');
    }
    const s = this.config.storage;
    await channel.send(`AT+CPMS="${s}","${s}","${s}"`);
    await channel.send(`AT+CNMI=${this.config.cnmi}`);
    for (const command of this.config.initCommands) await channel.send(command);
  }

  private onClosed(channel: AtChannel, error: Error | undefined): void {
    if (this.channel !== channel) return;
    this.channel = null;
    this.stopProbe();
    if (this.stopped) return;
    this.noteError(`modem port closed${error ? `: ${error.message}` : ''}`);
    this.setState('down');
    this.scheduleReopen();
  }

  /** Drops a modem that stopped answering; it is opened and set up again. */
  private reset(channel: AtChannel, reason: Error): void {
    if (this.channel !== channel) return;
    this.logger.warn({ link: this.id, reason: reason.message }, 'modem not answering; resetting');
    this.channel = null;
    this.stopProbe();
    this.setState('connecting');
    void channel.close().finally(() => this.scheduleReopen());
  }

  private scheduleReopen(): void {
    if (this.stopped || this.reopenTimer) return;
    this.reopenTimer = this.clock.setTimeout(() => {
      this.reopenTimer = null;
      void this.openOnce();
    }, this.backoff.next());
    this.reopenTimer.unref?.();
  }

  private scheduleProbe(channel: AtChannel): void {
    this.stopProbe();
    this.probeTimer = this.clock.setTimeout(() => {
      this.probeTimer = null;
      if (this.channel !== channel) return;
      if (!channel.idle) {
        this.scheduleProbe(channel);
        return;
      }
      channel.send('AT').then(
        () => this.channel === channel && this.scheduleProbe(channel),
        (error: Error) => {
          if (error instanceof AtTimeoutError) this.reset(channel, error);
          else if (this.channel === channel) this.scheduleProbe(channel);
        },
      );
    }, this.config.probeIntervalMs);
    this.probeTimer.unref?.();
  }

  private stopProbe(): void {
    if (this.probeTimer) this.clock.clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private onUrc(channel: AtChannel, urc: Urc): void {
    switch (urc.kind) {
      case 'cmti':
      case 'cdsi':
        void this.readStored(channel, urc.index).catch((e: Error) =>
          this.noteError(`reading message ${urc.index} failed: ${e.message}`),
        );
        return;
      case 'cmt':
      case 'cds':
        void this.takeDirect(channel, urc).catch((e: Error) =>
          this.noteError(`direct ${urc.kind} failed: ${e.message}`),
        );
        return;
      case 'bad':
        this.noteError(`garbage from the modem: ${urc.problem} (${urc.line.slice(0, 60)})`);
        return;
      case 'other':
        this.logger.debug({ link: this.id, line: urc.line }, 'unsolicited line ignored');
    }
  }

  /** +CMT / +CDS: decode, hand over, acknowledge with AT+CNMA in phase 2+ (AT+CSMS=1). */
  private async takeDirect(
    channel: AtChannel,
    urc: Extract<Urc, { kind: 'cmt' | 'cds' }>,
  ): Promise<void> {
    // A +CDS may arrive in the same read as the +CMGS it reports on: let the submit
    // record its TP-MR first (its continuation runs as a microtask).
    await new Promise<void>((resolve) => setImmediate(resolve));
    let taken: boolean;
    try {
      const pdu = decodeSmsPdu(urc.pdu, {
        tpduLength: urc.length,
        expect: urc.kind === 'cmt' ? 'deliver' : 'status-report',
      });
      taken = await this.take(pdu as SmsDeliver | SmsStatusReport);
    } catch (error) {
      if (!(error instanceof PduDecodeError)) throw error;
      // Acknowledged anyway: a PDU we cannot read will not read better when resent.
      this.noteError(`bad ${urc.kind.toUpperCase()} PDU ${urc.pdu.slice(0, 80)}: ${error.message}`);
      taken = true;
    }
    if (this.config.csms !== 1) return;
    if (taken) {
      await channel.send('AT+CNMA', { urgent: true });
    } else {
      // No acknowledgement: the network resends later; 27.005 says the modem then turns
      // routing off, so the indications are switched on again.
      await channel.send(`AT+CNMI=${this.config.cnmi}`, { urgent: true });
    }
  }

  /** +CMTI / +CDSI: AT+CMGR, hand over, AT+CMGD once taken. */
  private async readStored(channel: AtChannel, index: number): Promise<void> {
    if (this.claimed.has(index)) return;
    this.claimed.add(index);
    try {
      const lines = await channel.send(`AT+CMGR=${index}`, { urgent: true });
      const header = lines.findIndex((l) => l.startsWith('+CMGR:'));
      if (header < 0 || header + 1 >= lines.length) {
        this.noteError(`AT+CMGR=${index}: no message (${lines.join(' | ').slice(0, 80)})`);
        return;
      }
      await this.takeStored(channel, index, lines[header], lines[header + 1]);
    } finally {
      this.claimed.delete(index);
    }
  }

  /** After set-up: messages that arrived while the link was down (AT+CMGL=4). */
  private async readStoredMessages(channel: AtChannel): Promise<void> {
    let lines: string[];
    try {
      lines = await channel.send('AT+CMGL=4');
    } catch (error) {
      this.noteError(`AT+CMGL=4 failed: ${(error as Error).message}`);
      return;
    }
    for (let i = 0; i + 1 < lines.length; i++) {
      const m = /^\+CMGL:\s*(\d+)\s*,(.*)$/.exec(lines[i]);
      if (!m) continue;
      i++;
      const index = Number(m[1]);
      // A +CMTI for the same index may have come while AT+CMGL ran: one reader only.
      if (this.claimed.has(index)) continue;
      this.claimed.add(index);
      try {
        await this.takeStored(channel, index, `+CMGR: ${m[2]}`, lines[i]);
      } catch (error) {
        this.noteError(`stored message ${m[1]}: ${(error as Error).message}`);
      } finally {
        this.claimed.delete(index);
      }
    }
  }

  /** `+CMGR: <stat>,[<alpha>],<length>` and its PDU line. */
  private async takeStored(
    channel: AtChannel,
    index: number,
    header: string,
    pduLine: string,
  ): Promise<void> {
    const m = /^\+CMGR:\s*(\d+)\s*,.*?,?\s*(\d+)\s*$/.exec(header);
    if (!m) {
      this.noteError(`message ${index}: unreadable header "${header.slice(0, 60)}"`);
      return;
    }
    const stat = Number(m[1]);
    if (stat > 1) return; // stored outgoing messages (2 unsent, 3 sent) are not ours to take
    let taken: boolean;
    try {
      const pdu = decodeSmsPdu(pduLine, { tpduLength: Number(m[2]), expect: 'received' });
      taken = await this.take(pdu as SmsDeliver | SmsStatusReport);
    } catch (error) {
      if (!(error instanceof PduDecodeError)) throw error;
      // Deleted after logging it whole: it would be read again at every start otherwise.
      this.noteError(`message ${index}: bad PDU ${pduLine.slice(0, 400)}: ${error.message}`);
      taken = true;
    }
    if (taken) await channel.send(`AT+CMGD=${index}`, { urgent: true });
  }

  private take(pdu: SmsDeliver | SmsStatusReport): Promise<boolean> {
    if (pdu.type === 'status-report') return this.takeReport(pdu);
    const ud = pdu.userData;
    return this.receiveInbound(
      {
        from: pdu.originator.address,
        to: this.config.number,
        carrierId: pdu.serviceCentreTime.date.toISOString(),
      },
      { encoding: ud.alphabet, bytes: ud.payload },
      ud.concat,
    );
  }

  private async takeReport(report: SmsStatusReport): Promise<boolean> {
    const awaited = this.awaitedReports.get(report.messageReference);
    if (!awaited || !sameNumber(awaited.to, report.recipient)) {
      this.noteError(
        `status report for TP-MR ${report.messageReference} to ${report.recipient} matches no sent segment`,
      );
      return true;
    }
    if (report.statusClass !== 'temporary-still-trying') {
      this.awaitedReports.delete(report.messageReference);
    }
    return this.receiveReport({
      linkId: this.id,
      messageId: awaited.messageId,
      to: awaited.to,
      state: deliveryStateOfStatus(report.status),
      carrierStatus: statusText(report.status),
      submittedAt: report.serviceCentreTime.date,
      doneAt: report.dischargeTime.date,
    });
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

/** Same subscriber whatever the number format: compares the last 9 digits. */
function sameNumber(a: string, b: string): boolean {
  const digits = (n: string) => n.replace(/\D/g, '').slice(-9);
  return digits(a) === digits(b);
}
