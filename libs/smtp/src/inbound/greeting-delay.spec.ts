import assert from 'node:assert/strict';
import { AddressInfo, connect, Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { GREETING_DELAY_OPTION, installGreetingDelay } from './greeting-delay';

const servers: SMTPServer[] = [];
after(() => Promise.all(servers.map((s) => new Promise((r) => s.close(() => r(undefined))))));

async function serve(delayMs: number): Promise<number> {
  installGreetingDelay();
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    ...{ [GREETING_DELAY_OPTION]: delayMs },
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.server.address() as AddressInfo).port;
}

/** Everything the server sends until it closes or `untilText` appears. */
function converse(port: number, first: string | null, untilText: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = '';
    const s: Socket = connect(port, '127.0.0.1', () => {
      if (first !== null) s.write(first);
    });
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      if (untilText.test(got)) {
        s.end('QUIT\r\n');
        resolve(got);
      }
    });
    s.on('close', () => resolve(got));
    s.on('error', reject);
  });
}

describe('greeting delay (smtp.greetingDelayMs)', () => {
  it('greets after the configured pause, and at once with 0', async () => {
    const slow = await serve(3000);
    const fast = await serve(0);
    const t0 = performance.now();
    assert.match(await converse(slow, null, /^220 /m), /^220 /);
    const delayed = performance.now() - t0;
    assert.ok(delayed >= 2900, `greeted after ${delayed.toFixed(0)} ms, not 3000`);
    // Ten connections one after the other, as a client with one message each: where
    // smtp-server's own fixed pause alone would add up to a second.
    const t1 = performance.now();
    for (let i = 0; i < 10; i++) assert.match(await converse(fast, null, /^220 /m), /^220 /);
    const ten = performance.now() - t1;
    assert.ok(ten < 1000, `ten greetings took ${ten.toFixed(0)} ms`);
  });

  it('a client that talks before a delayed greeting is refused', async () => {
    const port = await serve(3000);
    const reply = await converse(port, 'EHLO early.test\r\n', /421/);
    assert.match(reply, /^421 .*talk too soon/m);
  });
});
