import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ConnectionLostError,
  LinkDownError,
  RequestTimeoutError,
  SubmitRefusedError,
} from '../errors';
import { RateMeter } from './rate-meter';
import { SegmentSender, type SubmitVerdict } from './segment-sender';
import { SubmitWindow } from './submit-window';
import { TokenBucket } from './token-bucket';
import { UpGate } from './up-gate';

/** A fake carrier: answers each written sequence id with the next scripted reply. */
function harness(
  script: ('lost' | 'silent' | 'stopped' | number)[],
  options: { maxAttempts?: number } = {},
) {
  const window = new SubmitWindow<number>(4, 30);
  const gate = new UpGate();
  gate.open();
  const errors: string[] = [];
  let stopped = false;
  const sender = new SegmentSender<number>({
    linkId: 'l1',
    window,
    bucket: new TokenBucket(10_000),
    meter: new RateMeter(),
    upGate: gate,
    maxAttempts: options.maxAttempts ?? 3,
    resumeTimeoutMs: 200,
    retryDelayMs: 1,
    isStopped: () => stopped,
    noteError: (m) => errors.push(m),
  });
  let seq = 0;
  const written: number[] = [];
  const send = () =>
    sender.send(
      () => ++seq,
      (sequenceId) => {
        written.push(sequenceId);
        const step = script.shift();
        if (step === 'lost') throw new ConnectionLostError(sequenceId);
        if (step === 'stopped') {
          // stop() ran while this segment waited for its slot: no connection to write to.
          stopped = true;
          throw new ConnectionLostError(sequenceId);
        }
        if (typeof step === 'number') setImmediate(() => window.resolve(sequenceId, step));
      },
      (result, sequenceId): SubmitVerdict =>
        result === 0
          ? { accepted: true, messageId: `id-${sequenceId}` }
          : { accepted: false, code: result, reason: `code ${result}`, retryable: result === 8 },
    );
  return { send, written, errors, gate, window, stop: () => (stopped = true) };
}

describe('SegmentSender', () => {
  // The kit unrefs its timers so a link never holds the process open; in a real link
  // the socket keeps the event loop alive, here this interval does.
  let keepAlive: ReturnType<typeof setInterval>;
  before(() => (keepAlive = setInterval(() => undefined, 1_000)));
  after(() => clearInterval(keepAlive));

  it('returns the id of the accepted attempt', async () => {
    const h = harness([0]);
    assert.equal(await h.send(), 'id-1');
    assert.deepEqual(h.errors, []);
  });

  it('sends again after a lost connection and a time-out, then gives up after maxAttempts', async () => {
    const ok = harness(['lost', 'silent', 0]);
    assert.equal(await ok.send(), 'id-3');
    assert.equal(ok.errors.length, 2);
    const failing = harness(['silent', 'silent'], { maxAttempts: 2 });
    await assert.rejects(failing.send(), RequestTimeoutError);
    assert.deepEqual(failing.written, [1, 2]);
  });

  it('retries a retryable refusal and throws a typed error for a final one', async () => {
    const h = harness([8, 0]);
    assert.equal(await h.send(), 'id-2');
    const refused = harness([13, 0]);
    await assert.rejects(
      refused.send(),
      (e: unknown) => e instanceof SubmitRefusedError && e.carrierCode === 13 && !e.retryable,
    );
    assert.deepEqual(refused.written, [1]);
  });

  it('waits for the link to come back, but not forever, and not once stopped', async () => {
    const h = harness([0]);
    h.gate.close();
    const pending = h.send();
    setTimeout(() => h.gate.open(), 20);
    assert.equal(await pending, 'id-1');
    const late = harness([0]);
    late.gate.close();
    await assert.rejects(late.send(), /not reconnected within 200 ms/);
    const stopped = harness([0]);
    stopped.stop();
    await assert.rejects(stopped.send(), LinkDownError);
  });

  it('after a stop, a segment never written fails over; one written and unanswered does not', async () => {
    const notWritten = harness(['stopped']);
    await assert.rejects(notWritten.send(), LinkDownError);
    const written = harness(['silent']);
    const pending = written.send();
    await new Promise((r) => setImmediate(r));
    written.stop();
    written.window.failAll();
    // The carrier may have it: not LinkDownError, so the router does not send it elsewhere.
    await assert.rejects(pending, ConnectionLostError);
  });
});
