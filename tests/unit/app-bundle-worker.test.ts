import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { GENESIS_PREV, hashEvent } from '../../src/core/store/event-chain.js';

// The app's bundle (electron-vite, out/main/; `npm test` builds it first) must carry the chain's
// worker where the verifier looks for it, or the app verifies a long session on one thread.
const MAIN = resolve('out/main');

describe("the app bundle's chain worker", () => {
  it('is found by the code that starts it, wherever the bundler put that code, and judges a block', async () => {
    const worker = join(MAIN, 'chain-worker.js');
    expect(existsSync(worker), 'out/main/chain-worker.js: run npm run build:ui').toBe(true);
    const starters = readdirSync(MAIN, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js') && f !== 'chain-worker.js')
      .filter((f) => readFileSync(join(MAIN, f), 'utf8').includes('"./chain-worker.js"'));
    expect(starters.length).toBeGreaterThan(0);
    for (const file of starters) {
      const at = pathToFileURL(join(MAIN, file));
      const found = ['./chain-worker.js', '../chain-worker.js'].map((p) => fileURLToPath(new URL(p, at))).some(existsSync);
      expect(found, `${file} would not find the worker`).toBe(true);
    }

    const first = hashEvent({ v: 1, session: 's', seq: 0, time: '2026-01-01T00:00:00.000Z', type: 'session.created', payload: {}, artifacts: [], prev: GENESIS_PREV });
    const second = hashEvent({ v: 1, session: 's', seq: 1, time: '2026-01-01T00:00:01.000Z', type: 'note', payload: {}, artifacts: [], prev: first.hash });
    const bytes = new Uint8Array(Buffer.from(`${first.canonical}\n${second.canonical}\n`));
    const thread = new Worker(worker);
    try {
      const result = await new Promise<{ lines: number; lastHash: string; problem?: unknown }>((done, fail) => {
        thread.on('message', (m: { result: { lines: number; lastHash: string; problem?: unknown } }) => done(m.result));
        thread.on('error', fail);
        thread.postMessage({ id: 0, input: { bytes, firstLine: 1, final: false, sessionId: 's', wanted: [] } });
      });
      expect(result).toMatchObject({ lines: 2, lastHash: second.hash });
      expect(result.problem).toBeUndefined();
    } finally {
      await thread.terminate();
    }
  });
});
