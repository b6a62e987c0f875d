import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline } from '../../src/core/proofline.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'proofline-timers-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
// anchorSeconds 1 gives a tick of 1000 / 6 ms.
const TICK_MS = 170;

describe('the background timers', () => {
  it('stop with close(): no tick runs on the closed store', async () => {
    const errors: Error[] = [];
    const pl = openProofline({ dataDir: join(root, 'idle'), anchorSeconds: 1, onBackgroundError: (error) => errors.push(error) });
    await pl.sessions.create({ kind: 'creation', title: 'timers' });
    pl.startTimers();
    await sleep(TICK_MS * 3);
    pl.close();
    await sleep(TICK_MS * 4);
    pl.startTimers(); // a late start after close stays a no-op
    pl.setAnchorSeconds(2);
    await sleep(TICK_MS * 3);
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('let a tick under way when the store closes end quietly', async () => {
    // A TSA that holds every request until released: the tick is mid-drain when close() comes.
    let arrived!: () => void;
    const requested = new Promise<void>((resolve) => (arrived = resolve));
    const held: (() => void)[] = [];
    const tsa: Server = createServer((req, res) => {
      arrived();
      held.push(() => res.writeHead(503).end());
      req.resume();
    });
    await new Promise<void>((resolve) => tsa.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(tsa.address() as AddressInfo).port}/`;
    const errors: Error[] = [];
    const pl = openProofline({ dataDir: join(root, 'busy'), anchorSeconds: 1, tsaTimeoutMs: 5000, onBackgroundError: (error) => errors.push(error) });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'timers' });
      pl.setTsaUrls([url]);
      pl.events.append(session.id, { type: 'note', payload: { text: 'to anchor' } });
      pl.startTimers();
      await requested; // a tick is now waiting on the TSA
      pl.close();
      for (const release of held.splice(0)) release();
      await sleep(TICK_MS * 4);
      expect(errors.map((e) => e.message)).toEqual([]);
    } finally {
      pl.close();
      tsa.closeAllConnections();
      await new Promise<void>((resolve) => tsa.close(() => resolve()));
    }
  });
});
