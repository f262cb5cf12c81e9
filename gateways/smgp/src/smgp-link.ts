import {
  FieldEncodeError,
  carrierTimestamp,
  GatewayError,
  LongConnectionLink,
  deliveryStateOf,
  encodingOfMessageFormat,
  messageFormatOf,
  nationalNumber,
  parseUdh,
  sourceNumber,
  type FrameEvent,
  type OutboundSms,
  type PduChannel,
  type PduCodec,
  type Segment,
} from '@dizi/gateway-kit';
import {
  SMGP_HEADER_LENGTH,
  SMGP_MSG_TYPE_MT,
  SMGP_VERSION_3,
  SmgpRequest,
} from './smgp-constants';
import { decodeReport, type SmgpDeliver } from './smgp-deliver';
import type { SmgpLinkConfig } from './smgp-link-config';
import { authenticatorClient, authenticatorServer, type SmgpLoginResp } from './smgp-login';
import { SMGP_MSG_ID_LENGTH, formatSmgpMsgId } from './smgp-msg-id';
import { smgpCodec, type SmgpPdu } from './smgp-pdu';
import { isRetryableSmgpStatus, smgpStatusText } from './smgp-status-codes';
import type { SmgpMsgIdStatus, SmgpSubmit } from './smgp-submit';
import { SmgpTag, tlvU8, u8Tlv, type SmgpTlv } from './smgp-tlv';

/** Login was refused (status 21 authentication error, 22 version too high…). */
export class SmgpLoginError extends GatewayError {
  constructor(readonly status: number) {
    super('SMGP_LOGIN', `gateway refused Login: status ${status} (${smgpStatusText(status)})`);
  }
}

/** Deliver_Resp statuses we answer with. */
const STATUS_SYSTEM_BUSY = 1;
const STATUS_STRUCTURE_ERROR = 10;

/**
 * SMGP 3.0 (China Telecom) SP link: Login with the MD5 authenticator, Submit through a
 * sliding window with UDHI and segment numbers as TLVs, Active_Test keep-alive, Deliver
 * for MO messages and status reports, Exit on stop. As with CMPP, a segment whose
 * Submit_Resp never came is sent again after a reconnect (the protocol cannot tell).
 */
export class SmgpLink extends LongConnectionLink<SmgpPdu, SmgpMsgIdStatus, SmgpLinkConfig> {
  protected readonly codec: PduCodec<SmgpPdu> = smgpCodec;
  private sequence = 0;
  private loginWaiter: { sequenceId: number; resolve: (resp: SmgpLoginResp) => void } | null = null;

  async submit(sms: OutboundSms): Promise<string[]> {
    this.assertUp();
    nationalNumber(sms.to);
    const destination = sms.to.trim().replace(/^\+/, '');
    const srcTermId = sourceNumber(this.config.srcId, sms.sourceExtension, 'SrcTermID');
    const message = this.segmentOutbound(sms, this.config.encodings);
    const msgFormat = messageFormatOf(message.encoding);
    if (msgFormat === undefined)
      throw new FieldEncodeError('MsgFormat', 'SMGP has no packed GSM 7-bit format');
    const needReport = sms.registeredDelivery === false ? 0 : 1;
    return this.settleSegments(
      sms.id,
      message.segments.map((segment) =>
        this.submitSegment(
          this.submitFields(segment, msgFormat, destination, srcTermId, needReport),
        ),
      ),
    );
  }

  protected async login(connection: PduChannel<SmgpPdu>): Promise<void> {
    const timestamp = carrierTimestamp(new Date(this.clock.now()));
    const auth = authenticatorClient(this.config.account, this.config.secret, timestamp);
    const sequenceId = this.nextSequence();
    const resp = await this.awaitLoginAnswer<SmgpLoginResp>(
      sequenceId,
      () =>
        connection.send({
          command: 'login',
          sequenceId,
          clientId: this.config.account,
          authenticatorClient: auth,
          loginMode: this.config.loginMode,
          timestamp,
          clientVersion: SMGP_VERSION_3,
        }),
      (resolve) => (this.loginWaiter = { sequenceId, resolve }),
    ).finally(() => (this.loginWaiter = null));
    if (resp.status !== 0) throw new SmgpLoginError(resp.status);
    // The server authenticator's recipe is not confirmed by a second source: log only.
    if (
      !authenticatorServer(resp.status, auth, this.config.secret).equals(resp.authenticatorServer)
    ) {
      this.logger.warn(
        { link: this.id },
        'AuthenticatorServer does not match; continuing (interop)',
      );
    }
  }

  protected probe(): SmgpPdu {
    return { command: 'active_test', sequenceId: this.nextSequence() };
  }

  protected override keepAliveIdleMs(): number {
    return this.config.activeTestIntervalMs;
  }

  protected goodbye(): SmgpPdu {
    return { command: 'exit', sequenceId: this.nextSequence() };
  }

  protected onPdu(connection: PduChannel<SmgpPdu>, pdu: SmgpPdu): void {
    switch (pdu.command) {
      case 'login_resp':
        if (this.loginWaiter?.sequenceId === pdu.sequenceId) this.loginWaiter.resolve(pdu);
        else this.unexpected(pdu);
        return;
      case 'submit_resp':
        if (!this.window.resolve(pdu.sequenceId, pdu)) {
          this.noteError(`Submit_Resp for unknown sequence ${pdu.sequenceId} ignored`);
        }
        return;
      case 'deliver':
        void this.onDeliver(connection, pdu);
        return;
      case 'active_test':
        this.reply(connection, { command: 'active_test_resp', sequenceId: pdu.sequenceId });
        return;
      case 'active_test_resp':
        return;
      case 'exit':
        this.logger.info({ link: this.id }, 'gateway sent Exit; closing and reconnecting');
        this.reply(connection, { command: 'exit_resp', sequenceId: pdu.sequenceId });
        connection.close();
        return;
      case 'exit_resp':
        this.goodbyeAnswered();
        return;
      default:
        this.unexpected(pdu);
    }
  }

  protected onBadPacket(
    connection: PduChannel<SmgpPdu>,
    event: Extract<FrameEvent<SmgpPdu>, { kind: 'bad-packet' }>,
  ): void {
    const sequenceId = event.raw.readUInt32BE(8);
    this.noteError(
      `bad packet (RequestID 0x${event.commandId.toString(16)}): ${event.error.message}`,
    );
    if (event.commandId === SmgpRequest.SUBMIT_RESP) {
      // Its request will be sent again rather than wait for the time-out.
      this.window.fail(sequenceId, event.error);
    } else if (event.commandId === SmgpRequest.DELIVER) {
      const body = event.raw.subarray(SMGP_HEADER_LENGTH);
      const msgId =
        body.length >= SMGP_MSG_ID_LENGTH
          ? body.subarray(0, SMGP_MSG_ID_LENGTH)
          : Buffer.alloc(SMGP_MSG_ID_LENGTH);
      this.reply(connection, {
        command: 'deliver_resp',
        sequenceId,
        msgId,
        status: STATUS_STRUCTURE_ERROR,
      });
    }
  }

  private submitFields(
    segment: Segment,
    msgFormat: number,
    destination: string,
    srcTermId: string,
    needReport: number,
  ): SmgpSubmit {
    const tlvs: SmgpTlv[] = [];
    if (segment.udh) tlvs.push(u8Tlv(SmgpTag.TP_UDHI, 1));
    if (segment.total > 1)
      tlvs.push(u8Tlv(SmgpTag.PK_TOTAL, segment.total), u8Tlv(SmgpTag.PK_NUMBER, segment.seq));
    return {
      msgType: SMGP_MSG_TYPE_MT,
      needReport,
      priority: 0,
      serviceId: this.config.serviceId,
      feeType: this.config.feeType,
      feeCode: this.config.feeCode,
      fixedFee: this.config.fixedFee,
      msgFormat,
      validTime: '',
      atTime: '',
      srcTermId,
      chargeTermId: this.config.chargeTermId,
      destTermIds: [destination],
      msgContent: segment.userData,
      reserve: '',
      tlvs,
    };
  }

  private submitSegment(fields: SmgpSubmit): Promise<string> {
    return this.sender.send(
      () => this.nextSequence(),
      (sequenceId) =>
        this.requireConnection(sequenceId).send({ command: 'submit', sequenceId, ...fields }),
      (response) =>
        response.status === 0
          ? { accepted: true, messageId: formatSmgpMsgId(response.msgId) }
          : {
              accepted: false,
              code: response.status,
              reason: smgpStatusText(response.status),
              retryable: isRetryableSmgpStatus(response.status),
            },
    );
  }

  private async onDeliver(
    connection: PduChannel<SmgpPdu>,
    pdu: { sequenceId: number } & SmgpDeliver,
  ): Promise<void> {
    let status = 0;
    try {
      const taken = pdu.isReport === 1 ? await this.takeReport(pdu) : await this.takeMessage(pdu);
      if (!taken) status = STATUS_SYSTEM_BUSY;
    } catch (error) {
      this.noteError(`bad Deliver ${pdu.sequenceId}: ${(error as Error).message}`);
      status = STATUS_STRUCTURE_ERROR;
    }
    this.reply(connection, {
      command: 'deliver_resp',
      sequenceId: pdu.sequenceId,
      msgId: pdu.msgId,
      status,
    });
  }

  private takeReport(pdu: SmgpDeliver): Promise<boolean> {
    const report = decodeReport(pdu.msgContent);
    return this.receiveReport({
      linkId: this.id,
      messageId: formatSmgpMsgId(report.msgId),
      to: pdu.srcTermId,
      state: deliveryStateOf(report.stat),
      carrierStatus: report.stat,
    });
  }

  private takeMessage(pdu: SmgpDeliver): Promise<boolean> {
    let payload = pdu.msgContent;
    let concat;
    // UDHI travels as a TLV in SMGP, not as a fixed field.
    if (tlvU8(pdu.tlvs, SmgpTag.TP_UDHI) === 1) {
      const udh = parseUdh(pdu.msgContent);
      concat = udh.concat;
      payload = pdu.msgContent.subarray(udh.headerLength);
    }
    return this.receiveInbound(
      { from: pdu.srcTermId, to: pdu.destTermId, carrierId: formatSmgpMsgId(pdu.msgId) },
      { encoding: encodingOfMessageFormat(pdu.msgFormat), bytes: Buffer.from(payload) },
      concat,
    );
  }

  private unexpected(pdu: SmgpPdu): void {
    this.noteError(`unexpected ${pdu.command} (sequence ${pdu.sequenceId}) ignored`);
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }
}
