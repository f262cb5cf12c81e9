import {
  FieldEncodeError,
  GatewayError,
  LongConnectionLink,
  deliveryStateOf,
  encodingOfMessageFormat,
  messageFormatOf,
  nationalNumber,
  parseUdh,
  sourceNumber,
  type FrameEvent,
  type LinkDeps,
  type OutboundSms,
  type PduChannel,
  type PduCodec,
  type Segment,
} from '@dizi/gateway-kit';
import { authenticatorIsmg, authenticatorSource, type CmppConnectResp } from './cmpp-connect';
import { CmppCommand } from './cmpp-constants';
import { decodeStatusReport, type CmppDeliver } from './cmpp-deliver';
import { CmppFrameDecoder, cmppSequenceOf } from './cmpp-frame-decoder';
import { cmppVersionByte, type CmppLinkConfig } from './cmpp-link-config';
import { formatMsgId } from './cmpp-msg-id';
import { encodeCmppPdu, type CmppPdu } from './cmpp-pdu';
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
export class CmppLink extends LongConnectionLink<CmppPdu, CmppSubmitResp, CmppLinkConfig> {
  protected readonly codec: PduCodec<CmppPdu>;
  private readonly versionByte: number;
  private sequence = 0;
  private loginWaiter: { sequenceId: number; resolve: (resp: CmppConnectResp) => void } | null =
    null;

  constructor(config: CmppLinkConfig, deps: LinkDeps) {
    super(config, deps);
    const version = cmppVersionByte(config);
    this.versionByte = version;
    this.codec = {
      protocol: 'CMPP',
      createDecoder: () => new CmppFrameDecoder(version),
      encode: (pdu) => encodeCmppPdu(pdu, version),
    };
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    this.assertUp();
    nationalNumber(sms.to);
    const destination = sms.to.trim().replace(/^\+/, '');
    const srcId = sourceNumber(this.config.srcId, sms.sourceExtension, 'Src_Id');
    const message = this.segmentOutbound(sms, this.config.encodings);
    const msgFmt = messageFormatOf(message.encoding);
    if (msgFmt === undefined)
      throw new FieldEncodeError('Msg_Fmt', 'CMPP has no packed GSM 7-bit format');
    const registeredDelivery = sms.registeredDelivery !== false ? 1 : 0;
    return this.settleSegments(
      sms.id,
      message.segments.map((segment) =>
        this.submitSegment(
          this.segmentFields(segment, msgFmt, destination, srcId, registeredDelivery),
        ),
      ),
    );
  }

  protected async login(connection: PduChannel<CmppPdu>): Promise<void> {
    const timestamp = cmppTimestamp(new Date(this.clock.now()));
    const authSource = authenticatorSource(this.config.account, this.config.secret, timestamp);
    const sequenceId = this.nextSequence();
    const resp = await this.awaitLoginAnswer<CmppConnectResp>(
      sequenceId,
      () =>
        connection.send({
          command: 'connect',
          sequenceId,
          sourceAddr: this.config.account,
          authenticatorSource: authSource,
          version: this.versionByte,
          timestamp,
        }),
      (resolve) => (this.loginWaiter = { sequenceId, resolve }),
    ).finally(() => (this.loginWaiter = null));
    if (resp.status !== 0) throw new CmppLoginError(resp.status);
    // Gateways disagree on how to hash a 2.0 status (PROTOCOLS.md §1.3): log, do not fail.
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

  protected probe(): CmppPdu {
    return { command: 'active_test', sequenceId: this.nextSequence() };
  }

  protected override keepAliveIdleMs(): number {
    return this.config.activeTestIntervalMs;
  }

  protected goodbye(): CmppPdu {
    return { command: 'terminate', sequenceId: this.nextSequence() };
  }

  protected onPdu(connection: PduChannel<CmppPdu>, pdu: CmppPdu): void {
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
        this.goodbyeAnswered();
        return;
      default:
        this.unexpected(pdu);
    }
  }

  protected onBadPacket(
    connection: PduChannel<CmppPdu>,
    event: Extract<FrameEvent<CmppPdu>, { kind: 'bad-packet' }>,
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

  private segmentFields(
    segment: Segment,
    msgFmt: number,
    destination: string,
    srcId: string,
    registeredDelivery: number,
  ): SegmentFields {
    return {
      pkTotal: segment.total,
      pkNumber: segment.seq,
      registeredDelivery,
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

  /** Sends one segment through the window (see SegmentSender for resends). */
  private submitSegment(fields: SegmentFields): Promise<string> {
    return this.sender.send(
      () => this.nextSequence(),
      (sequenceId) =>
        this.requireConnection(sequenceId).send({
          command: 'submit',
          sequenceId,
          msgId: 0n,
          ...fields,
        }),
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

  private async onDeliver(
    connection: PduChannel<CmppPdu>,
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

  private unexpected(pdu: CmppPdu): void {
    this.noteError(`unexpected ${pdu.command} (sequence ${pdu.sequenceId}) ignored`);
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
