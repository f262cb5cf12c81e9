import { FieldEncodeError, PduDecodeError } from '@dizi/gateway-kit';
import { SMPP_HEADER_LENGTH, SMPP_INTERFACE_VERSION, SmppCommand } from './smpp-constants';

/** One optional parameter (TLV): tag and raw value. */
export interface SmppTlv {
  tag: number;
  value: Buffer;
}

interface Header {
  sequenceId: number;
  /** command_status (0 in requests). */
  status: number;
}

export interface SmppBind {
  systemId: string;
  password: string;
  systemType: string;
  interfaceVersion: number;
  addrTon: number;
  addrNpi: number;
  addressRange: string;
}

/** The mandatory fields shared by submit_sm and deliver_sm (SMPP 3.4 §4.4.1, §4.6.1). */
export interface SmppShortMessage {
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  protocolId: number;
  priorityFlag: number;
  scheduleDeliveryTime: string;
  validityPeriod: string;
  registeredDelivery: number;
  replaceIfPresentFlag: number;
  dataCoding: number;
  smDefaultMsgId: number;
  shortMessage: Buffer;
  tlvs: SmppTlv[];
}

/** data_sm (§4.7.1): like a short message without short_message; content is in TLVs. */
export interface SmppDataSm {
  serviceType: string;
  sourceAddrTon: number;
  sourceAddrNpi: number;
  sourceAddr: string;
  destAddrTon: number;
  destAddrNpi: number;
  destinationAddr: string;
  esmClass: number;
  registeredDelivery: number;
  dataCoding: number;
  tlvs: SmppTlv[];
}

export type SmppPdu = Header &
  (
    | ({ command: 'bind_transceiver' } & SmppBind)
    | { command: 'bind_transceiver_resp'; systemId: string; tlvs: SmppTlv[] }
    | ({ command: 'submit_sm' } & SmppShortMessage)
    | { command: 'submit_sm_resp'; messageId: string }
    | ({ command: 'deliver_sm' } & SmppShortMessage)
    | { command: 'deliver_sm_resp'; messageId: string }
    | ({ command: 'data_sm' } & SmppDataSm)
    | { command: 'data_sm_resp'; messageId: string }
    | { command: 'enquire_link' }
    | { command: 'enquire_link_resp' }
    | { command: 'unbind' }
    | { command: 'unbind_resp' }
    | { command: 'generic_nack' }
    | { command: 'outbind'; systemId: string; password: string }
    | { command: 'alert_notification'; sourceAddr: string; esmeAddr: string }
  );

export type SmppCommandName = SmppPdu['command'];

const COMMAND_IDS: Record<SmppCommandName, number> = {
  bind_transceiver: SmppCommand.BIND_TRANSCEIVER,
  bind_transceiver_resp: SmppCommand.BIND_TRANSCEIVER_RESP,
  submit_sm: SmppCommand.SUBMIT_SM,
  submit_sm_resp: SmppCommand.SUBMIT_SM_RESP,
  deliver_sm: SmppCommand.DELIVER_SM,
  deliver_sm_resp: SmppCommand.DELIVER_SM_RESP,
  data_sm: SmppCommand.DATA_SM,
  data_sm_resp: SmppCommand.DATA_SM_RESP,
  enquire_link: SmppCommand.ENQUIRE_LINK,
  enquire_link_resp: SmppCommand.ENQUIRE_LINK_RESP,
  unbind: SmppCommand.UNBIND,
  unbind_resp: SmppCommand.UNBIND_RESP,
  generic_nack: SmppCommand.GENERIC_NACK,
  outbind: SmppCommand.OUTBIND,
  alert_notification: SmppCommand.ALERT_NOTIFICATION,
};

export function smppCommandId(command: SmppCommandName): number {
  return COMMAND_IDS[command];
}

/** The name of a command id this codec reads, or undefined. */
export function smppCommandName(commandId: number): SmppCommandName | undefined {
  return (Object.keys(COMMAND_IDS) as SmppCommandName[]).find((k) => COMMAND_IDS[k] === commandId);
}

// ---------------------------------------------------------------------------------------
// Encoding

class Writer {
  private readonly parts: Buffer[] = [];
  u8(value: number, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff)
      throw new FieldEncodeError(field, `${value} is not an octet`);
    this.parts.push(Buffer.from([value]));
    return this;
  }
  u16(value: number, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff)
      throw new FieldEncodeError(field, `${value} does not fit 16 bits`);
    const b = Buffer.alloc(2);
    b.writeUInt16BE(value);
    this.parts.push(b);
    return this;
  }
  u32(value: number, field: string): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new FieldEncodeError(field, `${value} does not fit 32 bits`);
    const b = Buffer.alloc(4);
    b.writeUInt32BE(value);
    this.parts.push(b);
    return this;
  }
  /** C-Octet String: the ASCII text and a NUL, at most `max` octets in all (NUL included). */
  cString(value: string, max: number, field: string): this {
    const bytes = Buffer.from(value, 'latin1');
    if (bytes.length + 1 > max)
      throw new FieldEncodeError(field, `"${value}" is longer than ${max - 1} characters`);
    if (bytes.includes(0)) throw new FieldEncodeError(field, 'must not contain NUL');
    this.parts.push(bytes, Buffer.from([0]));
    return this;
  }
  bytes(value: Buffer): this {
    this.parts.push(value);
    return this;
  }
  tlvs(tlvs: readonly SmppTlv[]): this {
    for (const t of tlvs)
      this.u16(t.tag, 'tlv tag').u16(t.value.length, 'tlv length').bytes(t.value);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Encodes one PDU, header included. Field values out of range are a {@link FieldEncodeError}. */
export function encodeSmppPdu(pdu: SmppPdu): Buffer {
  const body = new Writer();
  switch (pdu.command) {
    case 'bind_transceiver':
      body
        .cString(pdu.systemId, 16, 'system_id')
        .cString(pdu.password, 9, 'password')
        .cString(pdu.systemType, 13, 'system_type')
        .u8(pdu.interfaceVersion, 'interface_version')
        .u8(pdu.addrTon, 'addr_ton')
        .u8(pdu.addrNpi, 'addr_npi')
        .cString(pdu.addressRange, 41, 'address_range');
      break;
    case 'bind_transceiver_resp':
      if (pdu.status === 0 || pdu.systemId)
        body.cString(pdu.systemId, 16, 'system_id').tlvs(pdu.tlvs);
      break;
    case 'submit_sm':
    case 'deliver_sm':
      writeShortMessage(body, pdu);
      break;
    case 'submit_sm_resp':
    case 'data_sm_resp':
      if (pdu.status === 0) body.cString(pdu.messageId, 65, 'message_id');
      break;
    case 'deliver_sm_resp':
      body.cString(pdu.messageId, 65, 'message_id');
      break;
    case 'data_sm':
      body
        .cString(pdu.serviceType, 6, 'service_type')
        .u8(pdu.sourceAddrTon, 'source_addr_ton')
        .u8(pdu.sourceAddrNpi, 'source_addr_npi')
        .cString(pdu.sourceAddr, 65, 'source_addr')
        .u8(pdu.destAddrTon, 'dest_addr_ton')
        .u8(pdu.destAddrNpi, 'dest_addr_npi')
        .cString(pdu.destinationAddr, 65, 'destination_addr')
        .u8(pdu.esmClass, 'esm_class')
        .u8(pdu.registeredDelivery, 'registered_delivery')
        .u8(pdu.dataCoding, 'data_coding')
        .tlvs(pdu.tlvs);
      break;
    case 'outbind':
      body.cString(pdu.systemId, 16, 'system_id').cString(pdu.password, 9, 'password');
      break;
    case 'alert_notification':
      body
        .u8(0, 'source_addr_ton')
        .u8(0, 'source_addr_npi')
        .cString(pdu.sourceAddr, 65, 'source_addr')
        .u8(0, 'esme_addr_ton')
        .u8(0, 'esme_addr_npi')
        .cString(pdu.esmeAddr, 65, 'esme_addr');
      break;
    default:
      break; // enquire_link(_resp), unbind(_resp), generic_nack: header only
  }
  const content = body.toBuffer();
  return new Writer()
    .u32(SMPP_HEADER_LENGTH + content.length, 'command_length')
    .u32(smppCommandId(pdu.command), 'command_id')
    .u32(pdu.status, 'command_status')
    .u32(pdu.sequenceId, 'sequence_number')
    .bytes(content)
    .toBuffer();
}

function writeShortMessage(w: Writer, m: SmppShortMessage): void {
  if (m.shortMessage.length > 254)
    throw new FieldEncodeError('short_message', `${m.shortMessage.length} octets, at most 254`);
  w.cString(m.serviceType, 6, 'service_type')
    .u8(m.sourceAddrTon, 'source_addr_ton')
    .u8(m.sourceAddrNpi, 'source_addr_npi')
    .cString(m.sourceAddr, 21, 'source_addr')
    .u8(m.destAddrTon, 'dest_addr_ton')
    .u8(m.destAddrNpi, 'dest_addr_npi')
    .cString(m.destinationAddr, 21, 'destination_addr')
    .u8(m.esmClass, 'esm_class')
    .u8(m.protocolId, 'protocol_id')
    .u8(m.priorityFlag, 'priority_flag')
    .cString(m.scheduleDeliveryTime, 17, 'schedule_delivery_time')
    .cString(m.validityPeriod, 17, 'validity_period')
    .u8(m.registeredDelivery, 'registered_delivery')
    .u8(m.replaceIfPresentFlag, 'replace_if_present_flag')
    .u8(m.dataCoding, 'data_coding')
    .u8(m.smDefaultMsgId, 'sm_default_msg_id')
    .u8(m.shortMessage.length, 'sm_length')
    .bytes(m.shortMessage)
    .tlvs(m.tlvs);
}

/** Mandatory short-message fields with their usual defaults, for building PDUs. */
export function shortMessageFields(fields: Partial<SmppShortMessage>): SmppShortMessage {
  return {
    serviceType: '',
    sourceAddrTon: 0,
    sourceAddrNpi: 0,
    sourceAddr: '',
    destAddrTon: 0,
    destAddrNpi: 0,
    destinationAddr: '',
    esmClass: 0,
    protocolId: 0,
    priorityFlag: 0,
    scheduleDeliveryTime: '',
    validityPeriod: '',
    registeredDelivery: 0,
    replaceIfPresentFlag: 0,
    dataCoding: 0,
    smDefaultMsgId: 0,
    shortMessage: Buffer.alloc(0),
    tlvs: [],
    ...fields,
  };
}

export function defaultBind(fields: Partial<SmppBind>): SmppBind {
  return {
    systemId: '',
    password: '',
    systemType: '',
    interfaceVersion: SMPP_INTERFACE_VERSION,
    addrTon: 0,
    addrNpi: 0,
    addressRange: '',
    ...fields,
  };
}

// ---------------------------------------------------------------------------------------
// Decoding

class Reader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly command: string,
  ) {}
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++];
  }
  u16(field: string): number {
    this.need(2, field);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  /** A C-Octet String of at most `max` octets (NUL included); a missing NUL is an error. */
  cString(max: number, field: string): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end === -1)
      throw new PduDecodeError('truncated', `${this.command}: ${field} has no terminating NUL`);
    if (end - this.pos + 1 > max) {
      throw new PduDecodeError(
        'bad-field',
        `${this.command}: ${field} is ${end - this.pos + 1} octets, at most ${max}`,
      );
    }
    const s = this.buf.subarray(this.pos, end).toString('latin1');
    this.pos = end + 1;
    return s;
  }
  bytes(length: number, field: string): Buffer {
    this.need(length, field);
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return b;
  }
  tlvs(): SmppTlv[] {
    const out: SmppTlv[] = [];
    while (this.remaining > 0) {
      if (this.remaining < 4) {
        throw new PduDecodeError(
          'bad-field',
          `${this.command}: ${this.remaining} stray octet(s) where a TLV header should be`,
        );
      }
      const tag = this.u16('tlv tag');
      const length = this.u16('tlv length');
      if (length > this.remaining) {
        throw new PduDecodeError(
          'bad-field',
          `${this.command}: TLV 0x${tag.toString(16).padStart(4, '0')} claims ${length} octets, ${this.remaining} left`,
        );
      }
      out.push({ tag, value: this.bytes(length, 'tlv value') });
    }
    return out;
  }
  end(): void {
    if (this.remaining > 0) {
      throw new PduDecodeError(
        'bad-field',
        `${this.command}: ${this.remaining} octet(s) after the last field`,
      );
    }
  }
  private need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) {
      throw new PduDecodeError(
        'truncated',
        `${this.command}: ${field} needs ${n} octet(s) at ${this.pos}, ${this.remaining} left`,
      );
    }
  }
}

/**
 * Decodes one whole PDU (header included, length already checked by the framer).
 * An unknown command id is a `PduDecodeError('unknown-command')`; a body that does not
 * fit its layout is `truncated` or `bad-field`.
 */
export function decodeSmppPdu(raw: Buffer): SmppPdu {
  if (raw.length < SMPP_HEADER_LENGTH) {
    throw new PduDecodeError('truncated', `SMPP PDU of ${raw.length} octets, header needs 16`);
  }
  const length = raw.readUInt32BE(0);
  if (length !== raw.length) {
    throw new PduDecodeError('bad-length', `command_length ${length} but ${raw.length} octets`);
  }
  const commandId = raw.readUInt32BE(4);
  const header: Header = { status: raw.readUInt32BE(8), sequenceId: raw.readUInt32BE(12) };
  const command = smppCommandName(commandId);
  if (!command) {
    throw new PduDecodeError(
      'unknown-command',
      `unknown SMPP command_id 0x${commandId.toString(16).padStart(8, '0')}`,
    );
  }
  const r = new Reader(raw.subarray(SMPP_HEADER_LENGTH), command);
  // Error responses may carry no body at all (SMPP 3.4 §3.3 and many SMSCs).
  const emptyError = header.status !== 0 && r.remaining === 0;
  switch (command) {
    case 'bind_transceiver': {
      const pdu: SmppPdu = {
        ...header,
        command,
        systemId: r.cString(16, 'system_id'),
        password: r.cString(9, 'password'),
        systemType: r.cString(13, 'system_type'),
        interfaceVersion: r.u8('interface_version'),
        addrTon: r.u8('addr_ton'),
        addrNpi: r.u8('addr_npi'),
        addressRange: r.cString(41, 'address_range'),
      };
      r.end();
      return pdu;
    }
    case 'bind_transceiver_resp':
      if (emptyError) return { ...header, command, systemId: '', tlvs: [] };
      return { ...header, command, systemId: r.cString(16, 'system_id'), tlvs: r.tlvs() };
    case 'submit_sm':
    case 'deliver_sm': {
      const fields = readShortMessage(r);
      return command === 'submit_sm'
        ? { ...header, command, ...fields }
        : { ...header, command, ...fields };
    }
    case 'submit_sm_resp':
    case 'deliver_sm_resp':
    case 'data_sm_resp': {
      // deliver_sm_resp's message_id is unused (a lone NUL), some SMSCs leave it out.
      const messageId = emptyError || r.remaining === 0 ? '' : r.cString(65, 'message_id');
      if (command !== 'data_sm_resp') r.end();
      return { ...header, command, messageId };
    }
    case 'data_sm': {
      const pdu: SmppPdu = {
        ...header,
        command,
        serviceType: r.cString(6, 'service_type'),
        sourceAddrTon: r.u8('source_addr_ton'),
        sourceAddrNpi: r.u8('source_addr_npi'),
        sourceAddr: r.cString(65, 'source_addr'),
        destAddrTon: r.u8('dest_addr_ton'),
        destAddrNpi: r.u8('dest_addr_npi'),
        destinationAddr: r.cString(65, 'destination_addr'),
        esmClass: r.u8('esm_class'),
        registeredDelivery: r.u8('registered_delivery'),
        dataCoding: r.u8('data_coding'),
        tlvs: r.tlvs(),
      };
      return pdu;
    }
    case 'outbind': {
      const pdu: SmppPdu = {
        ...header,
        command,
        systemId: r.cString(16, 'system_id'),
        password: r.cString(9, 'password'),
      };
      return pdu;
    }
    case 'alert_notification': {
      r.u8('source_addr_ton');
      r.u8('source_addr_npi');
      const sourceAddr = r.cString(65, 'source_addr');
      r.u8('esme_addr_ton');
      r.u8('esme_addr_npi');
      const esmeAddr = r.cString(65, 'esme_addr');
      r.tlvs();
      return { ...header, command, sourceAddr, esmeAddr };
    }
    case 'enquire_link':
    case 'enquire_link_resp':
    case 'unbind':
    case 'unbind_resp':
    case 'generic_nack':
      r.end();
      return { ...header, command };
  }
}

function readShortMessage(r: Reader): SmppShortMessage {
  const fields = {
    serviceType: r.cString(6, 'service_type'),
    sourceAddrTon: r.u8('source_addr_ton'),
    sourceAddrNpi: r.u8('source_addr_npi'),
    sourceAddr: r.cString(21, 'source_addr'),
    destAddrTon: r.u8('dest_addr_ton'),
    destAddrNpi: r.u8('dest_addr_npi'),
    destinationAddr: r.cString(21, 'destination_addr'),
    esmClass: r.u8('esm_class'),
    protocolId: r.u8('protocol_id'),
    priorityFlag: r.u8('priority_flag'),
    scheduleDeliveryTime: r.cString(17, 'schedule_delivery_time'),
    validityPeriod: r.cString(17, 'validity_period'),
    registeredDelivery: r.u8('registered_delivery'),
    replaceIfPresentFlag: r.u8('replace_if_present_flag'),
    dataCoding: r.u8('data_coding'),
    smDefaultMsgId: r.u8('sm_default_msg_id'),
  };
  const smLength = r.u8('sm_length');
  const shortMessage = r.bytes(smLength, 'short_message');
  return { ...fields, shortMessage, tlvs: r.tlvs() };
}

/** The value of the first TLV with `tag`, or undefined. */
export function findTlv(tlvs: readonly SmppTlv[], tag: number): Buffer | undefined {
  return tlvs.find((t) => t.tag === tag)?.value;
}

/** A C-Octet String TLV value (e.g. receipted_message_id) without its NUL. */
export function tlvString(value: Buffer): string {
  const end = value.indexOf(0);
  return value.subarray(0, end === -1 ? value.length : end).toString('latin1');
}

/** A 1-, 2- or 4-octet integer TLV value; undefined for any other size. */
export function tlvInt(value: Buffer): number | undefined {
  if (value.length === 1) return value[0];
  if (value.length === 2) return value.readUInt16BE(0);
  if (value.length === 4) return value.readUInt32BE(0);
  return undefined;
}

export function intTlv(tag: number, value: number, size: 1 | 2): SmppTlv {
  const b = Buffer.alloc(size);
  if (size === 1) b.writeUInt8(value);
  else b.writeUInt16BE(value);
  return { tag, value: b };
}
