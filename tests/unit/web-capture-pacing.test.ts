import { EventEmitter } from 'node:events';
import type { Page, Request } from 'playwright';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchAnchoring } from '../../src/core/capture/web/batch-anchoring.js';
import { NetworkQuiet } from '../../src/core/capture/web/scroll.js';

/** A page that only emits the request events NetworkQuiet listens to. */
function fakePage(): { page: Page; start: () => Request; finish: (r: Request) => void } {
  const emitter = new EventEmitter();
  return {
    page: emitter as unknown as Page,
    start: () => {
      const request = {} as Request;
      emitter.emit('request', request);
      return request;
    },
    finish: (request) => emitter.emit('requestfinished', request),
  };
}

/** Whether a promise has settled, once the pending microtasks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true), () => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

describe('waiting for a quiet network', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('goes on at once when nothing runs and nothing was heard since the load event', async () => {
    const { page, start, finish } = fakePage();
    const quiet = new NetworkQuiet(page);
    finish(start()); // the last image, before the load event
    vi.advanceTimersByTime(5);
    const loadedAt = Date.now();
    expect(await settled(quiet.settle(0, 50, 2000, { heardSince: loadedAt }))).toBe(true);
  });

  it('waits for a request still running at the load event, then for the quiet window after it', async () => {
    const { page, start, finish } = fakePage();
    const quiet = new NetworkQuiet(page);
    const fetch = start();
    vi.advanceTimersByTime(5);
    const waiting = quiet.settle(0, 50, 2000, { heardSince: Date.now() });
    await vi.advanceTimersByTimeAsync(1000);
    expect(await settled(waiting)).toBe(false);
    finish(fetch);
    await vi.advanceTimersByTimeAsync(49);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(waiting)).toBe(true);
  });

  it('hears a request a script starts just after the load event, and waits for it', async () => {
    const { page, start, finish } = fakePage();
    const quiet = new NetworkQuiet(page);
    const loadedAt = Date.now();
    const waiting = quiet.settle(loadedAt, 100, 2000, { heardSince: loadedAt, notBefore: loadedAt + 50 });
    await vi.advanceTimersByTimeAsync(30);
    const late = start();
    await vi.advanceTimersByTimeAsync(500);
    expect(await settled(waiting)).toBe(false);
    finish(late);
    await vi.advanceTimersByTimeAsync(100);
    expect(await settled(waiting)).toBe(true);
  });

  it('gives up on a request that never ends when the budget runs out', async () => {
    const { page, start } = fakePage();
    const quiet = new NetworkQuiet(page);
    start();
    const waiting = quiet.settle(0, 50, 500);
    await vi.advanceTimersByTimeAsync(499);
    expect(await settled(waiting)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await settled(waiting)).toBe(true);
  });
});

describe('the checkpoints of a batch', () => {
  it('takes one at once, and one more after it for every page that finished meanwhile', async () => {
    const taken: number[] = [];
    let release!: () => void;
    let captured = 0;
    const anchoring = new BatchAnchoring(async () => {
      taken.push(captured);
      if (taken.length === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    captured = 1;
    anchoring.request();
    // Three more pages finish while the first checkpoint waits for its TSA.
    captured = 4;
    anchoring.request();
    anchoring.request();
    anchoring.request();
    const done = anchoring.settled();
    release();
    await done;
    expect(taken).toEqual([1, 4]);
  });

  it('is settled only once the last requested checkpoint is taken, and reports the first failure', async () => {
    const anchoring = new BatchAnchoring(() => Promise.reject(new Error('the device key cannot be read')));
    anchoring.request();
    await expect(anchoring.settled()).rejects.toThrow('the device key cannot be read');
    const calm = new BatchAnchoring(() => Promise.resolve());
    await expect(calm.settled()).resolves.toBeUndefined();
  });
});
