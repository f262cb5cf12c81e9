import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtModemSimulator } from '../peers/at-modem';
import { DiziHarness } from '../support/dizi-harness';
import { freePort } from '../support/peers';

// Admin alerts by SMS (H15): a CMPP link that cannot connect is reported to the admin's
// phone through the link that works (a simulated GSM modem), once per cool-down.
describe('admin alerts by SMS', () => {
  let dizi: DiziHarness;
  let modem: AtModemSimulator;

  before(async () => {
    modem = await AtModemSimulator.start({ sendMs: 10 });
    const dead = await freePort();
    dizi = await DiziHarness.start({
      http: false,
      config: {
        notify: {
          adminPhones: ['13800000001'],
          adminAlertCheckSeconds: 1,
          adminAlertLinkDownSeconds: 0,
          adminAlertCooldownSeconds: 3600,
        },
        links: [
          {
            id: 'cm-dead',
            kind: 'cmpp',
            version: '3.0',
            host: '127.0.0.1',
            port: dead,
            account: '901234',
            secret: 'x',
            serviceId: 'MDZ0001',
            srcId: '1065888801',
            priority: 1,
            reconnectMinMs: 200,
            reconnectMaxMs: 500,
          },
          {
            id: 'gsm',
            kind: 'modem',
            path: modem.linkPath,
            priority: 5,
            sendIntervalMs: 10,
            commandTimeoutMs: 600,
            sendTimeoutMs: 1000,
            reconnectMinMs: 100,
            reconnectMaxMs: 300,
          },
        ],
      },
    });
  });
  after(async () => {
    await dizi.stop();
    await modem.close();
  });

  test('the admin is told once that the link is down', async () => {
    const deadline = Date.now() + 10_000;
    const alerts = () => modem.submits.filter((s) => s.submit.userData.text.includes('cm-dead'));
    while (!alerts().length && Date.now() < deadline) await sleep(100);
    assert.equal(alerts().length, 1, 'one alert SMS');
    assert.match(alerts()[0].submit.userData.text, /\[Dizi\] SMS link cm-dead has been down/);
    assert.match(alerts()[0].submit.destination, /13800000001$/);
    // More check rounds pass: the cool-down holds it at one.
    await sleep(2500);
    assert.equal(alerts().length, 1);
  });
});
