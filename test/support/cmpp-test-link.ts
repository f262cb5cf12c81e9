import { CmppIsmgSimulator } from '../peers/cmpp-ismg';
import type { DiziHarness } from './dizi-harness';
import { waitUntil } from './smtp-wire';

/** The SP account the tests' ISMG simulator accepts. */
export const CMPP_ACCOUNT = '901234';
export const CMPP_SECRET = 'sim-secret';

/** A CMPP ISMG simulator that knows the test account and reports every SMS delivered. */
export async function startTestIsmg(): Promise<CmppIsmgSimulator> {
  const ismg = await CmppIsmgSimulator.start({ accounts: { [CMPP_ACCOUNT]: CMPP_SECRET } });
  ismg.autoReportStat = 'DELIVRD';
  return ismg;
}

/**
 * The `links:` entry of a CMPP 3.0 link to that simulator, with fast reconnects; `extra`
 * changes or adds settings.
 */
export function cmppTestLink(
  ismg: CmppIsmgSimulator,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'cm-1',
    kind: 'cmpp',
    version: '3.0',
    host: '127.0.0.1',
    port: ismg.port,
    account: CMPP_ACCOUNT,
    secret: CMPP_SECRET,
    serviceId: 'MDZ0001',
    srcId: '1065888801',
    tps: 1000,
    reconnectMinMs: 50,
    reconnectMaxMs: 200,
    ...extra,
  };
}

/** Resolves once no outbound SMS is queued or being sent (every one reached a link or failed). */
export async function smsQueueDrained(dizi: DiziHarness): Promise<void> {
  await waitUntil(async () => {
    const rows = (await dizi.services.db.run((m) =>
      m.query(
        "SELECT COUNT(*) AS n FROM sms_messages WHERE direction = 'out' AND status IN ('queued', 'sending')",
      ),
    )) as Array<{ n: number | string }>;
    return Number(rows[0].n) === 0;
  }, 'the SMS queue to drain');
}
