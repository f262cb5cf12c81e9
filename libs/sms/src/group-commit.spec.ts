import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GroupCommit } from './group-commit';

describe('GroupCommit', () => {
  test('items of one tick go into one batch; each caller gets its own result', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      return items.map((i) => i * 10);
    });
    const out = await Promise.all([1, 2, 3].map((i) => gc.submit(i)));
    assert.deepEqual(out, [10, 20, 30]);
    assert.deepEqual(batches, [[1, 2, 3]]);
  });

  test('items arriving while a batch is written wait for the next one', async () => {
    const batches: number[][] = [];
    let started!: () => void;
    const writing = new Promise<void>((resolve) => (started = resolve));
    const gc = new GroupCommit<number, null>(async (items) => {
      batches.push(items);
      started();
      await sleep(20);
      return items.map(() => null);
    });
    const first = gc.submit(1);
    await writing;
    const later = [gc.submit(2), gc.submit(3)];
    await Promise.all([first, ...later]);
    assert.deepEqual(batches, [[1], [2, 3]]);
  });

  test('a failed batch rejects its items only', async () => {
    let calls = 0;
    const gc = new GroupCommit<number, number>(async (items) => {
      calls++;
      if (calls === 1) throw new Error('disk full');
      return items;
    });
    await assert.rejects(gc.submit(1), /disk full/);
    assert.equal(await gc.submit(2), 2);
  });

  test('maxBatch splits a large burst', async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 4 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => gc.submit(i)));
    assert.deepEqual(sizes, [4, 4, 2]);
  });

  test('spacing: under load the next batch waits in proportion to the last one', async () => {
    const starts: number[] = [];
    let started!: () => void;
    const writing = new Promise<void>((resolve) => (started = resolve));
    const gc = new GroupCommit<number, number>(
      async (items) => {
        starts.push(performance.now());
        started();
        await sleep(10);
        return items;
      },
      { spacing: 3 },
    );
    const a = gc.submit(1);
    await writing;
    const b = gc.submit(2); // arrives during the first batch
    await Promise.all([a, b]);
    assert.equal(starts.length, 2);
    assert.ok(starts[1] - starts[0] >= 25, `second batch after ${starts[1] - starts[0]} ms`);
  });
});
