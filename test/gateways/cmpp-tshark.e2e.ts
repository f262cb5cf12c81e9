/**
 * Checks the CMPP 3.0 bytes of a whole session (login, short and long SUBMITs, MO,
 * status report, TERMINATE) against Wireshark's independent CMPP dissector: the
 * simulator's capture is turned into a pcap with text2pcap and read back by tshark.
 * Skipped when tshark is not installed (`apt-get install -y tshark`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { InboundSink } from '@dizi/gateway-kit';
import {
  CmppLink,
  decodeCmppBody,
  decodeStatusReport,
  parseMsgIdText,
  readCmppHeader,
  validateCmppLinkConfig,
} from '@dizi/gateways/cmpp';
import { CmppIsmgSimulator, type CapturedFrame } from '../peers/cmpp-ismg';

const hasTshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;

const FIELDS = [
  'cmpp.Total_Length',
  'cmpp.Command_Id',
  'cmpp.Sequence_Id',
  'cmpp.connect.Source_Addr',
  'cmpp.Msg_Fmt',
  'cmpp.TP_udhi',
  'cmpp.submit.Pk_total',
  'cmpp.submit.Pk_number',
  'cmpp.submit.Src_Id',
  'cmpp.Dest_terminal_Id',
  'cmpp.Msg_Length',
  'cmpp.deliver.Src_terminal_Id',
  'cmpp.deliver.Report.Status',
  'cmpp.submit_resp.Result',
  'cmpp.deliver_resp.Result',
];

/** text2pcap input: a direction line, then offset + hex bytes, 16 per line. */
function toText2pcap(frames: CapturedFrame[]): string {
  return frames
    .map((f) => {
      const lines = [f.fromClient ? 'I' : 'O'];
      for (let off = 0; off < f.bytes.length; off += 16) {
        const hex = [...f.bytes.subarray(off, off + 16)]
          .map((b) => b.toString(16).padStart(2, '0'))
          .join(' ');
        lines.push(`${off.toString(16).padStart(6, '0')}  ${hex}`);
      }
      return lines.join('\n');
    })
    .join('\n');
}

/** What our own decoder reads in a packet, in tshark's notation. */
function ourReading(raw: Buffer): string[] {
  const header = readCmppHeader(raw);
  const pdu = decodeCmppBody(header.commandId, header.sequenceId, raw.subarray(12), 0x30);
  const row: Record<string, string> = {
    'cmpp.Total_Length': String(header.totalLength),
    'cmpp.Command_Id': `0x${header.commandId.toString(16).padStart(8, '0')}`,
    'cmpp.Sequence_Id': String(header.sequenceId),
  };
  if (pdu.command === 'connect') row['cmpp.connect.Source_Addr'] = pdu.sourceAddr;
  if (pdu.command === 'submit') {
    Object.assign(row, {
      'cmpp.Msg_Fmt': String(pdu.msgFmt),
      'cmpp.TP_udhi': String(pdu.tpUdhi),
      'cmpp.submit.Pk_total': String(pdu.pkTotal),
      'cmpp.submit.Pk_number': String(pdu.pkNumber),
      'cmpp.submit.Src_Id': pdu.srcId,
      'cmpp.Dest_terminal_Id': pdu.destTerminalIds.join(','),
      'cmpp.Msg_Length': String(pdu.msgContent.length),
    });
  }
  if (pdu.command === 'deliver') {
    Object.assign(row, {
      'cmpp.Msg_Fmt': String(pdu.msgFmt),
      'cmpp.TP_udhi': String(pdu.tpUdhi),
      'cmpp.Msg_Length': String(pdu.msgContent.length),
      'cmpp.deliver.Src_terminal_Id': pdu.srcTerminalId,
    });
    if (pdu.registeredDelivery === 1) {
      const report = decodeStatusReport(pdu.msgContent);
      row['cmpp.deliver.Report.Status'] = report.stat;
      row['cmpp.Dest_terminal_Id'] = report.destTerminalId;
    }
  }
  if (pdu.command === 'submit_resp') row['cmpp.submit_resp.Result'] = String(pdu.result);
  if (pdu.command === 'deliver_resp') row['cmpp.deliver_resp.Result'] = String(pdu.result);
  return FIELDS.map((f) => row[f] ?? '');
}

describe(
  'CMPP 3.0 session bytes read by tshark',
  { skip: hasTshark ? false : 'tshark not installed' },
  () => {
    it('decodes every packet the same way as our codec', async () => {
      const ismg = await CmppIsmgSimulator.start({ accounts: { '901234': 'pw' } });
      const sink: InboundSink = { message: () => undefined, report: () => undefined };
      const link = new CmppLink(
        validateCmppLinkConfig({
          id: 'cm-tshark',
          kind: 'cmpp',
          host: '127.0.0.1',
          port: ismg.port,
          account: '901234',
          secret: 'pw',
          srcId: '1065888801',
          serviceId: 'MDZ0001',
        }),
        { sink },
      );
      const dir = mkdtempSync(path.join(tmpdir(), 'cmpp-tshark-'));
      try {
        await link.start();
        await link.submit({
          id: 'a',
          to: '13800138000',
          text: 'Hello tshark',
          sourceExtension: '9',
        });
        const ids = await link.submit({ id: 'b', to: '13800138000', text: '测试'.repeat(70) });
        await ismg.injectMo({
          from: '13912345678',
          to: '1065888801',
          content: Buffer.from('STOP'),
          msgFmt: 0,
        });
        await ismg.injectReport({
          msgId: parseMsgIdText(ids[0]),
          stat: 'DELIVRD',
          dest: '13800138000',
        });
        await link.stop();
        await ismg.close();

        const text = path.join(dir, 'session.txt');
        const pcap = path.join(dir, 'session.pcap');
        writeFileSync(text, toText2pcap(ismg.frames));
        const t2p = spawnSync('text2pcap', ['-q', '-D', '-T', '50000,7890', text, pcap], {
          encoding: 'utf8',
        });
        assert.equal(t2p.status, 0, t2p.stderr);
        const args = ['-r', pcap, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=f'];
        const shark = spawnSync('tshark', [...args, ...FIELDS.flatMap((f) => ['-e', f])], {
          encoding: 'utf8',
        });
        assert.equal(shark.status, 0, shark.stderr);
        // Only the final newline goes: empty trailing fields are part of the answer.
        const theirs = shark.stdout
          .replace(/\n$/, '')
          .split('\n')
          .map((line) => line.split('\t'));
        const ours = ismg.frames.map((f) => ourReading(f.bytes));
        assert.equal(theirs.length, ours.length);
        // 1 CONNECT pair, 4 SUBMIT pairs, 2 DELIVER pairs, 1 TERMINATE pair.
        assert.equal(ours.length, 16);
        for (let i = 0; i < ours.length; i++) {
          assert.deepEqual(theirs[i], ours[i], `packet ${i + 1}`);
        }
      } finally {
        await link.stop();
        await ismg.close().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
