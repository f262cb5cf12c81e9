/**
 * An AT modem simulator for tests, written from 3GPP TS 27.005 (PDU mode) and
 * PROTOCOLS.md §5. It sits on one end of a socat pty pair; the link opens the other
 * end (`linkPath`) as if it were a modem's tty. It answers the set-up commands, takes
 * AT+CMGS with the "> " prompt and Ctrl-Z, assigns TP-MRs, sends slowly (`sendMs`
 * per SMS), can emit +CMTI/+CMT/+CDS, inject MO messages (also concatenated), return
 * +CMS ERROR codes and go silent. Everything it receives is recorded.
 *
 * It reuses the gateway's PDU codec (checked against published vectors and gammu in
 * the unit tests) so these tests exercise the link's behaviour.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { segmentText, type TextEncoding } from '@dizi/gateway-kit';
import {
  bytesToHex,
  decodeSmsPdu,
  encodeDeliver,
  encodeStatusReport,
  type SmsSubmit,
} from '@dizi/gateways/modem';

export interface AtModemOptions {
  /** Time the modem takes to answer one AT+CMGS (a real one: about 3 s). */
  sendMs?: number;
  /** The SIM asks for this PIN before anything works. */
  pin?: string;
  /** Send a +CDS (or store and +CDSI with CNMI ds=2) this long after each SRR submit; null = never. */
  autoReportMs?: number | null;
  autoReportStatus?: number;
}

export interface ReceivedSms {
  mr: number;
  submit: SmsSubmit;
  hex: string;
  at: number;
}

interface Stored {
  stat: number;
  hex: string;
  tpduLength: number;
}

const CTRL_Z = 0x1a;
const ESC = 0x1b;

export class AtModemSimulator {
  readonly submits: ReceivedSms[] = [];
  readonly commands: string[] = [];
  /** Sent +CMT/+CDS waiting for AT+CNMA (phase 2+). */
  unacknowledged = 0;
  acknowledged = 0;
  silent = false;
  sendMs: number;
  autoReportMs: number | null;
  autoReportStatus: number;
  /** The next AT+CMGS answers are these +CMS ERROR codes, one each. */
  readonly failNextSends: number[] = [];
  private echo = true;
  private cmgf = 1;
  private csms = 0;
  private cnmi = [0, 0, 0, 0, 0];
  private pinNeeded: boolean;
  private nextMr = 0;
  private readonly memory = new Map<number, Stored>();
  private input = '';
  private pduWait: { length: number } | null = null;
  private sendChain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly dir: string,
    readonly linkPath: string,
    private readonly socat: ChildProcess,
    private readonly port: SerialPort,
    private readonly options: AtModemOptions,
  ) {
    this.sendMs = options.sendMs ?? 50;
    this.autoReportMs = options.autoReportMs ?? null;
    this.autoReportStatus = options.autoReportStatus ?? 0;
    this.pinNeeded = options.pin !== undefined;
    port.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static async start(options: AtModemOptions = {}): Promise<AtModemSimulator> {
    const dir = mkdtempSync(path.join(tmpdir(), 'dizi-modem-'));
    const modemEnd = path.join(dir, 'modemA');
    const linkEnd = path.join(dir, 'modemB');
    const socat = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${modemEnd}`, `pty,raw,echo=0,link=${linkEnd}`],
      { stdio: 'ignore' },
    );
    const started = Date.now();
    while (!(existsSync(modemEnd) && existsSync(linkEnd))) {
      if (Date.now() - started > 5_000 || socat.exitCode !== null) {
        socat.kill();
        throw new Error('socat did not create the pty pair');
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const port = await new Promise<SerialPort>((resolve, reject) => {
      const p = new SerialPort({ path: modemEnd, baudRate: 115200 }, (e) =>
        e ? reject(e) : resolve(p),
      );
    });
    return new AtModemSimulator(dir, linkEnd, socat, port, options);
  }

  /** Stored messages (index → stat), e.g. to check that the link deleted them. */
  get storedIndexes(): number[] {
    return [...this.memory.keys()];
  }

  /** CNMI mode last set by the link. */
  get indications(): number[] {
    return [...this.cnmi];
  }

  /**
   * An MO message from `from`: stored with +CMTI ('cmti'), routed with +CMT ('cmt'),
   * or only stored without telling ('stored', read by AT+CMGL at start).
   */
  deliver(
    from: string,
    text: string,
    how: 'cmti' | 'cmt' | 'stored' = 'cmti',
    encodings: TextEncoding[] = ['gsm7', 'ucs2'],
    reference = 0x42,
  ): string[] {
    const message = segmentText(text, { encodings, reference });
    const hexes: string[] = [];
    for (const s of message.segments) {
      const { pdu, tpduLength } = encodeDeliver({
        smsc: '+8613800100500',
        originator: from,
        alphanumeric: !/^\+?\d+$/.test(from),
        alphabet: message.encoding === 'ucs2' ? 'ucs2' : 'gsm7',
        userData: s.userData,
        userDataLength: s.userDataLength,
        hasUdh: s.udh !== null,
        serviceCentreTime: new Date(),
        offsetMinutes: 480,
      });
      hexes.push(this.deliverRaw(bytesToHex(pdu), tpduLength, how));
    }
    return hexes;
  }

  /** Delivers a PDU as given (also a malformed one). */
  deliverRaw(hex: string, tpduLength: number, how: 'cmti' | 'cmt' | 'stored'): string {
    if (how === 'cmt') {
      this.unsolicited(`+CMT: ,${tpduLength}\r\n${hex}`);
      if (this.csms === 1) this.unacknowledged++;
    } else {
      const index = this.store({ stat: 0, hex, tpduLength });
      if (how === 'cmti') this.unsolicited(`+CMTI: "SM",${index}`);
    }
    return hex;
  }

  /** A status report for the submit with TP-MR `mr`, as +CDS (or stored + +CDSI with ds=2). */
  report(mr: number, status = 0, recipient?: string): void {
    const sent = this.submits.find((s) => s.mr === mr);
    const { pdu, tpduLength } = encodeStatusReport({
      messageReference: mr,
      recipient: recipient ?? sent?.submit.destination ?? '+10000000',
      serviceCentreTime: new Date(sent?.at ?? Date.now()),
      dischargeTime: new Date(),
      offsetMinutes: 480,
      status,
    });
    const hex = bytesToHex(pdu);
    if (this.cnmi[3] === 2) {
      const index = this.store({ stat: 0, hex, tpduLength });
      this.unsolicited(`+CDSI: "SM",${index}`);
    } else {
      this.unsolicited(`+CDS: ${tpduLength}\r\n${hex}`);
      if (this.csms === 1) this.unacknowledged++;
    }
  }

  /** Raw bytes to the link (garbage tests). */
  raw(text: string): void {
    this.port.write(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) =>
      this.port.isOpen ? this.port.close(() => resolve()) : resolve(),
    );
    if (this.socat.exitCode === null) {
      const exited = new Promise((r) => this.socat.once('exit', r));
      this.socat.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private store(entry: Stored): number {
    let index = 1;
    while (this.memory.has(index)) index++;
    this.memory.set(index, entry);
    return index;
  }

  private unsolicited(text: string): void {
    if (this.silent || this.closed) return;
    this.port.write(`\r\n${text}\r\n`);
  }

  private reply(...lines: string[]): void {
    if (this.silent || this.closed) return;
    this.port.write(lines.map((l) => `\r\n${l}\r\n`).join(''));
  }

  private onData(chunk: Buffer): void {
    if (this.silent) return; // a hung modem: reads nothing, answers nothing
    this.input += chunk.toString('latin1');
    for (;;) {
      if (this.pduWait) {
        const end = [...this.input].findIndex(
          (c) => c.charCodeAt(0) === CTRL_Z || c.charCodeAt(0) === ESC,
        );
        if (end < 0) return;
        const body = this.input.slice(0, end).trim();
        const cancelled = this.input.charCodeAt(end) === ESC;
        this.input = this.input.slice(end + 1);
        const length = this.pduWait.length;
        this.pduWait = null;
        if (cancelled) this.reply('OK');
        else this.onPdu(body, length);
        continue;
      }
      const end = this.input.indexOf('\r');
      if (end < 0) return;
      // A stray ESC outside PDU input cancels nothing and is dropped, as modems do.
      const line = this.input
        .slice(0, end)
        .split(String.fromCharCode(ESC))
        .join('')
        .replace(/^\n+/, '')
        .trim();
      this.input = this.input.slice(end + 1);
      if (!line) continue;
      if (this.echo) this.port.write(`${line}\r`);
      this.commands.push(line);
      this.onCommand(line);
    }
  }

  private onCommand(line: string): void {
    const cmd = line.toUpperCase();
    const cms = (n: number) => this.reply(`+CMS ERROR: ${n}`);
    if (cmd === 'AT' || cmd === 'ATZ') return this.reply('OK');
    if (/^ATE[01]$/.test(cmd)) {
      this.echo = cmd === 'ATE1';
      return this.reply('OK');
    }
    if (/^AT\+CMEE=[012]$/.test(cmd)) return this.reply('OK');
    if (cmd === 'AT+CPIN?')
      return this.reply(this.pinNeeded ? '+CPIN: SIM PIN' : '+CPIN: READY', 'OK');
    const pin = /^AT\+CPIN="?(\d+)"?$/.exec(cmd);
    if (pin) {
      if (pin[1] !== this.options.pin) return this.reply('+CME ERROR: 16');
      this.pinNeeded = false;
      return this.reply('OK');
    }
    if (this.pinNeeded) return this.reply('+CME ERROR: 11');
    const cmgf = /^AT\+CMGF=([01])$/.exec(cmd);
    if (cmgf) {
      this.cmgf = Number(cmgf[1]);
      return this.reply('OK');
    }
    const csms = /^AT\+CSMS=([01])$/.exec(cmd);
    if (csms) {
      this.csms = Number(csms[1]);
      return this.reply('+CSMS: 1,1,1', 'OK');
    }
    if (/^AT\+CPMS=/.test(cmd)) {
      const used = this.memory.size;
      return this.reply(`+CPMS: ${used},30,${used},30,${used},30`, 'OK');
    }
    const cnmi = /^AT\+CNMI=([\d,]+)$/.exec(cmd);
    if (cnmi) {
      const values = cnmi[1].split(',').map(Number);
      this.cnmi = [0, 1, 2, 3, 4].map((i) => values[i] ?? 0);
      return this.reply('OK');
    }
    if (cmd === 'AT+CNMA' || cmd === 'AT+CNMA=0') {
      if (this.csms !== 1 || this.unacknowledged === 0) return cms(340);
      this.unacknowledged--;
      this.acknowledged++;
      return this.reply('OK');
    }
    if (this.cmgf !== 0 && /^AT\+CMG[SRL]/.test(cmd)) return cms(302);
    const cmgs = /^AT\+CMGS=(\d+)$/.exec(cmd);
    if (cmgs) {
      this.pduWait = { length: Number(cmgs[1]) };
      if (!this.silent) this.port.write('\r\n> ');
      return;
    }
    const cmgr = /^AT\+CMGR=(\d+)$/.exec(cmd);
    if (cmgr) {
      const entry = this.memory.get(Number(cmgr[1]));
      if (!entry) return cms(321);
      const stat = entry.stat;
      if (entry.stat === 0) entry.stat = 1;
      return this.reply(`+CMGR: ${stat},,${entry.tpduLength}`, entry.hex, 'OK');
    }
    const cmgd = /^AT\+CMGD=(\d+)(,\d)?$/.exec(cmd);
    if (cmgd) {
      if (!this.memory.delete(Number(cmgd[1]))) return cms(321);
      return this.reply('OK');
    }
    const cmgl = /^AT\+CMGL=(\d)$/.exec(cmd);
    if (cmgl) {
      const lines: string[] = [];
      for (const [index, entry] of this.memory) {
        lines.push(`+CMGL: ${index},${entry.stat},,${entry.tpduLength}`, entry.hex);
        if (entry.stat === 0) entry.stat = 1;
      }
      return this.reply(...lines, 'OK');
    }
    this.reply('ERROR');
  }

  /** The PDU after the prompt: check it, wait sendMs, answer +CMGS: <mr> (in order). */
  private onPdu(hex: string, announced: number): void {
    let submit: SmsSubmit;
    try {
      const decoded = decodeSmsPdu(hex, { tpduLength: announced, expect: 'submit' });
      submit = decoded as SmsSubmit;
    } catch {
      this.reply('+CMS ERROR: 304');
      return;
    }
    const failure = this.failNextSends.shift();
    this.sendChain = this.sendChain.then(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            resolve();
            if (this.silent || this.closed) return;
            if (failure !== undefined) {
              this.reply(`+CMS ERROR: ${failure}`);
              return;
            }
            const mr = this.nextMr;
            this.nextMr = (this.nextMr + 1) & 0xff;
            this.submits.push({ mr, submit, hex, at: Date.now() });
            this.reply(`+CMGS: ${mr}`, 'OK');
            if (submit.statusReport && this.autoReportMs !== null) {
              setTimeout(() => this.report(mr, this.autoReportStatus), this.autoReportMs).unref();
            }
          }, this.sendMs),
        ),
    );
  }
}
