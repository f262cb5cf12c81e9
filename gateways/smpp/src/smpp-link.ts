import {
  FieldEncodeError,
  GatewayError,
  InvalidPhoneNumberError,
  LongConnectionLink,
  decodeContent,
  parseUdh,
  sourceNumber,
  type ConcatInfo,
  type FrameEvent,
  type LinkDeps,
  type OutboundSms,
  type PduChannel,
  type PduCodec,
} from '@dizi/gateway-kit';
import { EsmClass, SmppCommand, SmppTag } from './smpp-constants';
import {
  chooseSmppEncoding,
  contentEncodingOf,
  dataCodingOf,
  encodeSmppText,
  kitEncodingOf,
  smppSegmentBody,
  type SmppEncoding,
} from './smpp-data-coding';
import { SmppFrameDecoder, smppSequenceOf } from './smpp-frame-decoder';
import type { SmppLinkConfig } from './smpp-link-config';
import {
  defaultBind,
  encodeSmppPdu,
  findTlv,
  intTlv,
  shortMessageFields,
  tlvInt,
  type SmppDataSm,
  type SmppPdu,
  type SmppShortMessage,
  type SmppTlv,
} from './smpp-pdu';
import { parseReceipt } from './smpp-receipt';
import { SmppBindError, SmppStatus, isRetryableSmppStatus, smppStatusText } from './smpp-status';

/** What the window hands back for one submit_sm: its submit_sm_resp, or a generic_nack. */
export interface SmppSubmitAnswer {
  status: number;
  messageId: string;
  nack: boolean;
}

/** A message_payload longer than a TLV can carry. */
const MAX_PAYLOAD = 0xffff;

type InboundPdu = { sequenceId: number; command: 'deliver_sm' | 'data_sm' } & (
  SmppShortMessage | SmppDataSm
);

/**
 * ESME side of an SMPP 3.4 transceiver session: bind_transceiver, submit_sm through a
 * sliding window with a TPS limit, long texts split by the kit (UDH with esm_class
 * 0x40, SAR TLVs) or sent whole in message_payload, deliver_sm/data_sm for MO (joined
 * by the kit) and delivery receipts (text and TLVs), enquire_link keep-alive, re-bind
 * with back-off after a drop, unbind on stop.
 *
 * Segments in flight when the connection drops are sent again after the re-bind: SMPP
 * cannot tell whether the SMSC took a submit_sm whose response never came, so those
 * (and only those) may reach the handset twice.
 */
export class SmppLink extends LongConnectionLink<SmppPdu, SmppSubmitAnswer, SmppLinkConfig> {
  protected readonly codec: PduCodec<SmppPdu> = {
    protocol: 'SMPP',
    createDecoder: () => new SmppFrameDecoder(),
    encode: encodeSmppPdu,
  };
  private sequence = 0;
  private loginWaiter: { sequenceId: number; resolve: (answer: number | Error) => void } | null =
    null;

  constructor(config: SmppLinkConfig, deps: LinkDeps) {
    super(config, deps);
  }

  async submit(sms: OutboundSms): Promise<string[]> {
    this.assertUp();
    const requests = this.buildSubmits(sms);
    return this.settleSegments(
      sms.id,
      requests.map((fields) => this.submitSegment(fields)),
    );
  }

  /** The submit_sm fields of each segment of an SMS (one for payload mode). */
  buildSubmits(sms: OutboundSms): SmppShortMessage[] {
    const dest = this.destination(sms.to);
    const source = this.source(sms.sourceExtension);
    if ((sms.text === undefined) === (sms.data === undefined)) {
      throw new GatewayError('BAD_SMS', `SMS ${sms.id} must have exactly one of text and data`);
    }
    const encoding: SmppEncoding | 'binary' =
      sms.data !== undefined ? 'binary' : chooseSmppEncoding(sms.text ?? '', this.config.encodings);
    const common = {
      serviceType: this.config.serviceType,
      sourceAddrTon: source.ton,
      sourceAddrNpi: source.npi,
      sourceAddr: source.addr,
      destAddrTon: dest.ton,
      destAddrNpi: dest.npi,
      destinationAddr: dest.addr,
      registeredDelivery: sms.registeredDelivery === false ? 0 : this.config.registeredDelivery,
      dataCoding: dataCodingOf(encoding),
    };
    if (this.config.longMessages === 'payload') {
      const body = sms.data ?? encodeSmppText(sms.text ?? '', encoding as SmppEncoding);
      const fitsOne = encoding === 'gsm7' ? body.length <= 160 : body.length <= 140;
      if (fitsOne) return [shortMessageFields({ ...common, shortMessage: body })];
      if (body.length > MAX_PAYLOAD) {
        throw new FieldEncodeError(
          'message_payload',
          `${body.length} octets, at most ${MAX_PAYLOAD}`,
        );
      }
      return [
        shortMessageFields({ ...common, tlvs: [{ tag: SmppTag.MESSAGE_PAYLOAD, value: body }] }),
      ];
    }
    const message =
      encoding === 'latin1'
        ? this.segmentOutbound(
            { ...sms, text: undefined, data: Buffer.from(sms.text ?? '', 'latin1') },
            [],
          )
        : this.segmentOutbound(sms, encoding === 'binary' ? [] : [kitEncodingOf(encoding)]);
    return message.segments.map((segment) => {
      const body = smppSegmentBody(segment, message.encoding);
      if (!segment.udh) return shortMessageFields({ ...common, shortMessage: body });
      if (this.config.longMessages === 'sar') {
        const tlvs: SmppTlv[] = [
          intTlv(SmppTag.SAR_MSG_REF_NUM, message.reference, 2),
          intTlv(SmppTag.SAR_TOTAL_SEGMENTS, segment.total, 1),
          intTlv(SmppTag.SAR_SEGMENT_SEQNUM, segment.seq, 1),
        ];
        return shortMessageFields({ ...common, shortMessage: body, tlvs });
      }
      return shortMessageFields({
        ...common,
        esmClass: EsmClass.UDHI,
        shortMessage: Buffer.concat([segment.udh, body]),
      });
    });
  }

  protected async login(connection: PduChannel<SmppPdu>): Promise<void> {
    const sequenceId = this.nextSequence();
    const answer = await this.awaitLoginAnswer<number | Error>(
      sequenceId,
      () =>
        connection.send({
          command: 'bind_transceiver',
          sequenceId,
          status: 0,
          ...defaultBind({
            systemId: this.config.systemId,
            password: this.config.password,
            systemType: this.config.systemType,
            addrTon: this.config.addrTon,
            addrNpi: this.config.addrNpi,
            addressRange: this.config.addressRange,
          }),
        }),
      (resolve) => (this.loginWaiter = { sequenceId, resolve }),
    ).finally(() => (this.loginWaiter = null));
    if (answer instanceof Error) throw answer;
    if (answer !== 0) throw new SmppBindError(this.id, answer);
  }

  protected probe(): SmppPdu {
    return { command: 'enquire_link', sequenceId: this.nextSequence(), status: 0 };
  }

  protected override keepAliveIdleMs(): number {
    return this.config.enquireLinkIntervalMs;
  }

  protected goodbye(): SmppPdu {
    return { command: 'unbind', sequenceId: this.nextSequence(), status: 0 };
  }

  protected onPdu(connection: PduChannel<SmppPdu>, pdu: SmppPdu): void {
    switch (pdu.command) {
      case 'bind_transceiver_resp':
        if (this.loginWaiter?.sequenceId === pdu.sequenceId) this.loginWaiter.resolve(pdu.status);
        else this.unexpected(pdu);
        return;
      case 'submit_sm_resp':
        if (!this.window.resolve(pdu.sequenceId, { ...pdu, nack: false })) {
          this.noteError(`submit_sm_resp for unknown sequence ${pdu.sequenceId} ignored`);
        }
        return;
      case 'generic_nack':
        this.onGenericNack(pdu.sequenceId, pdu.status);
        return;
      case 'deliver_sm':
      case 'data_sm':
        void this.onInbound(connection, pdu);
        return;
      case 'enquire_link':
        this.reply(connection, {
          command: 'enquire_link_resp',
          sequenceId: pdu.sequenceId,
          status: 0,
        });
        return;
      case 'enquire_link_resp':
        return; // any PDU already counted as a sign of life
      case 'unbind':
        this.logger.info({ link: this.id }, 'SMSC sent unbind; closing and binding again');
        this.reply(connection, { command: 'unbind_resp', sequenceId: pdu.sequenceId, status: 0 });
        connection.close();
        return;
      case 'unbind_resp':
        this.goodbyeAnswered();
        return;
      case 'alert_notification':
        this.logger.info({ link: this.id, source: pdu.sourceAddr }, 'alert_notification ignored');
        return;
      case 'bind_transceiver':
      case 'submit_sm':
      case 'outbind':
        // Requests an SMSC does not send to a bound transceiver.
        this.noteError(`${pdu.command} from the SMSC refused (sequence ${pdu.sequenceId})`);
        this.reply(connection, {
          command: 'generic_nack',
          sequenceId: pdu.sequenceId,
          status: SmppStatus.RINVBNDSTS,
        });
        return;
      default:
        this.unexpected(pdu);
    }
  }

  protected onBadPacket(
    connection: PduChannel<SmppPdu>,
    event: Extract<FrameEvent<SmppPdu>, { kind: 'bad-packet' }>,
  ): void {
    const sequenceId = smppSequenceOf(event.raw);
    const commandId = event.commandId;
    this.noteError(
      `bad PDU (command_id 0x${commandId.toString(16).padStart(8, '0')}, sequence ${sequenceId}): ${event.error.message}`,
    );
    if (commandId === SmppCommand.SUBMIT_SM_RESP) {
      // Its segment is sent again rather than wait for the time-out.
      this.window.fail(sequenceId, event.error);
    } else if (commandId === SmppCommand.BIND_TRANSCEIVER_RESP) {
      if (this.loginWaiter?.sequenceId === sequenceId) this.loginWaiter.resolve(event.error);
    } else if (commandId === SmppCommand.DELIVER_SM || commandId === SmppCommand.DATA_SM) {
      // A permanent error: the same bytes sent again would fail the same way.
      this.reply(connection, {
        command: commandId === SmppCommand.DELIVER_SM ? 'deliver_sm_resp' : 'data_sm_resp',
        sequenceId,
        status: SmppStatus.RX_P_APPN,
        messageId: '',
      });
    } else if ((commandId & 0x80000000) === 0) {
      // A request we cannot read: generic_nack, as SMPP 3.4 §4.3 says.
      this.reply(connection, {
        command: 'generic_nack',
        sequenceId,
        status:
          event.error.reason === 'unknown-command' ? SmppStatus.RINVCMDID : SmppStatus.RINVCMDLEN,
      });
    }
  }

  private onGenericNack(sequenceId: number, status: number): void {
    const reason = smppStatusText(status);
    if (this.loginWaiter?.sequenceId === sequenceId) {
      this.loginWaiter.resolve(status || SmppStatus.RINVCMDID);
      return;
    }
    const answer = { status: status || SmppStatus.RSYSERR, messageId: '', nack: true };
    if (this.window.resolve(sequenceId, answer)) return;
    this.noteError(`generic_nack for sequence ${sequenceId} (${reason})`);
  }

  private submitSegment(fields: SmppShortMessage): Promise<string> {
    return this.sender.send(
      () => this.nextSequence(),
      (sequenceId) =>
        this.requireConnection(sequenceId).send({
          command: 'submit_sm',
          sequenceId,
          status: 0,
          ...fields,
        }),
      (answer) => {
        if (answer.status === 0) {
          if (!answer.messageId) {
            this.logger.warn(
              { link: this.id },
              'submit_sm_resp without message_id: no receipt can match it',
            );
          }
          return { accepted: true, messageId: answer.messageId };
        }
        const text = smppStatusText(answer.status);
        return {
          accepted: false,
          code: answer.status,
          reason: answer.nack ? `generic_nack ${text}` : text,
          retryable: isRetryableSmppStatus(answer.status),
        };
      },
    );
  }

  private async onInbound(connection: PduChannel<SmppPdu>, pdu: InboundPdu): Promise<void> {
    let status: number = SmppStatus.ROK;
    try {
      const taken = isReceipt(pdu) ? await this.takeReceipt(pdu) : await this.takeMessage(pdu);
      if (!taken) status = SmppStatus.RX_T_APPN;
    } catch (error) {
      this.noteError(`bad ${pdu.command} ${pdu.sequenceId}: ${(error as Error).message}`);
      status = SmppStatus.RX_P_APPN;
    }
    this.reply(connection, {
      command: pdu.command === 'deliver_sm' ? 'deliver_sm_resp' : 'data_sm_resp',
      sequenceId: pdu.sequenceId,
      status,
      messageId: '',
    });
  }

  private takeReceipt(pdu: InboundPdu): Promise<boolean> {
    const content = contentOf(pdu);
    const text = pdu.dataCoding === 8 ? decodeContent(content, 'ucs2') : content.toString('latin1');
    const receipt = parseReceipt(text, pdu.tlvs, this.config.receiptIdFormat);
    if (receipt.error && receipt.error !== '000') {
      this.logger.debug(
        { link: this.id, messageId: receipt.messageId, err: receipt.error },
        'receipt error code',
      );
    }
    return this.receiveReport({
      linkId: this.id,
      messageId: receipt.messageId,
      to: pdu.sourceAddr,
      state: receipt.state,
      carrierStatus: receipt.carrierStatus,
      submittedAt: receipt.submittedAt,
      doneAt: receipt.doneAt,
    });
  }

  private takeMessage(pdu: InboundPdu): Promise<boolean> {
    let bytes = contentOf(pdu);
    let concat: ConcatInfo | undefined;
    if (pdu.esmClass & EsmClass.UDHI) {
      const udh = parseUdh(bytes);
      concat = udh.concat;
      bytes = bytes.subarray(udh.headerLength);
    } else {
      concat = sarConcat(pdu.tlvs);
    }
    return this.receiveInbound(
      { from: pdu.sourceAddr, to: pdu.destinationAddr },
      { encoding: contentEncodingOf(pdu.dataCoding), bytes: Buffer.from(bytes) },
      concat,
    );
  }

  private destination(to: string): { addr: string; ton: number; npi: number } {
    const trimmed = to.trim();
    if (!/^\+?\d{3,20}$/.test(trimmed)) throw new InvalidPhoneNumberError(to);
    return trimmed.startsWith('+')
      ? { addr: trimmed.slice(1), ton: 1, npi: 1 }
      : { addr: trimmed, ton: this.config.destTon, npi: this.config.destNpi };
  }

  private source(extension: string | undefined): { addr: string; ton: number; npi: number } {
    const srcId = this.config.srcId;
    if (!/^\+?\d+$/.test(srcId)) {
      if (extension) {
        throw new FieldEncodeError(
          'source_addr',
          `alphanumeric sender "${srcId}" takes no extension`,
        );
      }
      return { addr: srcId, ton: 5, npi: 0 };
    }
    const international = srcId.startsWith('+');
    const addr = sourceNumber(srcId.replace(/^\+/, ''), extension, 'source_addr', 20);
    return international
      ? { addr, ton: 1, npi: 1 }
      : { addr, ton: this.config.sourceTon, npi: this.config.sourceNpi };
  }

  private unexpected(pdu: SmppPdu): void {
    this.noteError(`unexpected ${pdu.command} (sequence ${pdu.sequenceId}) ignored`);
  }

  private nextSequence(): number {
    this.sequence = this.sequence >= 0x7fffffff ? 1 : this.sequence + 1;
    return this.sequence;
  }
}

/** A deliver_sm/data_sm is a receipt when its esm_class says so or it names the receipted message. */
function isReceipt(pdu: InboundPdu): boolean {
  const type = pdu.esmClass & EsmClass.TYPE_MASK;
  return (
    type === EsmClass.DELIVERY_RECEIPT ||
    type === EsmClass.INTERMEDIATE_NOTIFICATION ||
    findTlv(pdu.tlvs, SmppTag.RECEIPTED_MESSAGE_ID) !== undefined
  );
}

/** short_message, or message_payload when short_message is empty (or absent in data_sm). */
function contentOf(pdu: InboundPdu): Buffer {
  const short = 'shortMessage' in pdu ? pdu.shortMessage : Buffer.alloc(0);
  if (short.length) return short;
  return findTlv(pdu.tlvs, SmppTag.MESSAGE_PAYLOAD) ?? Buffer.alloc(0);
}

/** Concatenation from the SAR TLVs, when all three are there. */
function sarConcat(tlvs: readonly SmppTlv[]): ConcatInfo | undefined {
  const ref = findTlv(tlvs, SmppTag.SAR_MSG_REF_NUM);
  const total = findTlv(tlvs, SmppTag.SAR_TOTAL_SEGMENTS);
  const seq = findTlv(tlvs, SmppTag.SAR_SEGMENT_SEQNUM);
  if (!ref || !total || !seq) return undefined;
  const info = { reference: tlvInt(ref), total: tlvInt(total), seq: tlvInt(seq) };
  if (info.reference === undefined || !info.total || !info.seq || info.seq > info.total) {
    throw new FieldEncodeError('sar_*', 'SAR TLVs describe an impossible segment');
  }
  return { reference: info.reference, referenceBits: 16, total: info.total, seq: info.seq };
}
