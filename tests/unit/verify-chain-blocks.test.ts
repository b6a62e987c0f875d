import { randomInt } from 'node:crypto';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BLOCK_LINES } from '../../src/core/archive/chain-blocks.js';
import { ChainPool } from '../../src/core/archive/chain-pool.js';
import { chainObservers } from '../../src/core/archive/verify-archive.js';
import { ChainReader, type ChainReading } from '../../src/core/archive/verify-events.js';
import { GENESIS_PREV, hashEvent, leafHash, merkleRootsAt } from '../../src/core/store/event-chain.js';
import { canonicalJson } from '../../src/core/store/canonical-json.js';
import type { EventBody } from '../../src/shared/domain.js';

// Issue 13: a long events.jsonl is judged in blocks on worker threads and joined in order. The
// result must be the one a line-by-line walk gives, wherever a block starts or a break falls,
// and the events sent back as seq, type and time only must be those no observer reads whole.

const SESSION = '0192a7f0-0000-7000-8000-0000000000b1';
const sha = (n: number): string => n.toString(16).padStart(64, '0');

/** The n-th event's type and payload: every kind the verifier's observers read, and some that look like them. */
function kind(seq: number): Pick<EventBody, 'type' | 'payload' | 'artifacts'> {
  const rec = `rec-${Math.floor(seq / 2000)}`;
  const batch = `batch-${Math.floor(seq / 3000)}`;
  switch (seq % 23) {
    case 1: return { type: 'recording.started', payload: { recording: `${rec}-${seq}` }, artifacts: [] };
    case 2: return { type: 'recording.segment', payload: { recording: `${rec}-${seq - 1}`, index: 0, run: 0, startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:04.000Z', durationSeconds: 4 }, artifacts: [{ sha256: sha(seq), size: 10, name: `s${seq}.ts`, mime: 'video/mp2t' }] };
    case 3: return { type: 'recording.stopped', payload: { recording: `${rec}-${seq - 2}`, reason: 'user' }, artifacts: [] };
    case 4: return { type: 'note', payload: { recording: rec, batch, text: 'a note that names a recording and a batch' }, artifacts: [] };
    case 5: return { type: 'web.capture.batch.started', payload: { batch: `${batch}-${seq}`, urls: ['https://a.example/'] }, artifacts: [] };
    case 6: return { type: 'web.capture', payload: { batch: `${batch}-${seq - 1}`, url: 'https://a.example/', wacz: { signature: { signer: { publicKey: `key-${seq % 3}`, keyId: `id-${seq % 3}` } } } }, artifacts: [{ sha256: sha(seq), size: 5, name: 'page.png', mime: 'image/png' }, { sha256: sha(seq + 1), size: 9, name: 'capture.wacz', mime: 'application/wacz' }] };
    case 7: return { type: 'web.capture.batch.ended', payload: { batch: `${batch}-${seq - 2}`, outcome: 'finished', notCaptured: [] }, artifacts: [] };
    case 8: return { type: 'generation.marked', payload: { sha256: sha(seq - 6), mark: 'final' }, artifacts: [] };
    case 9: return { type: 'anchoring.changed', payload: { anchorSeconds: 30 + (seq % 7) }, artifacts: [] };
    case 10: return { type: 'session.interrupted', payload: { recording: rec }, artifacts: [] };
    case 11: return { type: 'comfyui.prompt', payload: { prompt: 'x'.repeat(seq % 5 === 0 ? 2500 : 40) }, artifacts: [] };
    case 12: return { type: 'recording.segment', payload: { recording: 'never-started' }, artifacts: [] }; // a finding
    case 13: return { type: 'artifact.attached', payload: {}, artifacts: [{ sha256: sha(seq), size: 1, name: `i${seq}.png`, mime: 'image/png' }, { sha256: sha(seq), size: 1, name: 'again.jpg', mime: 'image/jpeg' }] };
    default: return { type: 'note', payload: { text: `note ${seq} ${'猫'.repeat(seq % 7)}`, pad: 'y'.repeat(seq % 97 === 0 ? 3000 : 10) }, artifacts: [] };
  }
}

interface Chain {
  lines: string[];
  hashes: string[];
  leaves: Buffer[];
}

function makeChain(n: number, edit?: (body: EventBody) => EventBody): Chain {
  const lines: string[] = [];
  const hashes: string[] = [];
  const leaves: Buffer[] = [];
  let prev = GENESIS_PREV;
  for (let seq = 0; seq < n; seq++) {
    const base: EventBody = {
      v: 1,
      session: SESSION,
      seq,
      time: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
      ...(seq === 0 ? { type: 'session.created', payload: { anchoring: { anchorSeconds: 60 } }, artifacts: [] } : seq === n - 1 ? { type: 'session.sealed', payload: { sealedAt: 'x' }, artifacts: [] } : kind(seq)),
      prev,
    };
    const stored = hashEvent(edit ? edit(base) : base);
    lines.push(stored.canonical);
    hashes.push(stored.hash);
    leaves.push(leafHash(stored.canonical));
    prev = stored.hash;
  }
  return { lines, hashes, leaves };
}

function pushChunked(reader: ChainReader, bytes: Buffer, maxChunk: number): Promise<void> {
  return (async () => {
    for (let at = 0; at < bytes.length; ) {
      const length = Math.min(bytes.length - at, 1 + randomInt(maxChunk));
      await reader.push(bytes.subarray(at, at + length));
      at += length;
    }
  })();
}

async function walk(bytes: Buffer, sizes: readonly number[], workers: number | ChainPool, forwardAll = false): Promise<{ reading: ChainReading; observed: ReturnType<typeof chainObservers>; workers: number }> {
  const observed = chainObservers();
  const reader = new ChainReader(SESSION, sizes, observed.observer, { ...(typeof workers === 'number' ? { workers } : { pool: workers }), forwardAll });
  const used = reader.workers;
  await pushChunked(reader, bytes, 300_000);
  return { reading: await reader.finish(), observed, workers: used };
}

const N = 3 * BLOCK_LINES + 123;
const honest = makeChain(N);
const honestBytes = Buffer.from(`${honest.lines.join('\n')}\n`);
const boundaries = [1, BLOCK_LINES - 1, BLOCK_LINES, BLOCK_LINES + 1, 2 * BLOCK_LINES, 2 * BLOCK_LINES + 1, N - 1, N];

describe('the chain walked in blocks, in place and on workers', () => {
  it('runs on two worker threads here, and gives the heads and Merkle roots of a walk over every leaf', async () => {
    const sizes = [...boundaries, ...Array.from({ length: 10 }, () => 1 + randomInt(N)), N + 4];
    const expectedRoots = merkleRootsAt(honest.leaves, sizes);
    for (const workers of [0, 2]) {
      const { reading, workers: used } = await walk(honestBytes, sizes, workers);
      expect(used).toBe(workers);
      expect(reading.problem).toBeUndefined();
      expect(reading.count).toBe(N);
      expect(reading.head).toBe(honest.hashes.at(-1));
      for (const size of sizes.filter((s) => s <= N)) {
        expect(reading.heads.get(size), `head at ${size}, ${workers} workers`).toBe(honest.hashes[size - 1]);
        expect(reading.roots.get(size), `root at ${size}, ${workers} workers`).toBe(expectedRoots.get(size));
      }
      expect(reading.roots.has(N + 4)).toBe(false);
      expect(reading.first?.type).toBe('session.created');
      expect(reading.last?.type).toBe('session.sealed');
      expect(reading.sealedAtSeq).toBe(N - 1);
    }
  }, 60_000);

  it('tells the observers what observing every event whole tells them', async () => {
    const whole = await walk(honestBytes, [N], 0, true);
    for (const workers of [0, 2]) {
      const light = await walk(honestBytes, [N], workers);
      expect(light.reading.artifacts).toEqual(whole.reading.artifacts);
      expect(light.observed.times.values()).toEqual(whole.observed.times.values());
      expect(light.observed.declarations).toEqual(whole.observed.declarations);
      expect(light.observed.continuity).toEqual(whole.observed.continuity);
      expect(light.observed.batches).toEqual(whole.observed.batches);
      expect(light.observed.artifactIndex).toEqual(whole.observed.artifactIndex);
      expect(light.observed.wacz).toEqual(whole.observed.wacz); // each WACZ's capture event and signer key
      expect(whole.observed.wacz.recordedKeys()).toEqual(new Set(['key-0', 'key-1', 'key-2']));
    }
  }, 60_000);

  it('keeps the Merkle roots right when long events cut blocks short of a multiple of the block', async () => {
    // Events of ~20 KB: blocks are cut at 4 MiB, about 200 lines, then at the next multiple.
    const big = makeChain(900, (body) => (body.type === 'note' ? { ...body, payload: { ...body.payload, pad: 'z'.repeat(20_000) } } : body));
    const bytes = Buffer.from(`${big.lines.join('\n')}\n`);
    const sizes = [1, 150, 199, 200, 201, 333, 512, 777, 899, 900];
    const expected = merkleRootsAt(big.leaves, sizes);
    for (const workers of [0, 2]) {
      const { reading } = await walk(bytes, sizes, workers);
      expect(reading.problem).toBeUndefined();
      for (const size of sizes) expect(reading.roots.get(size), `root at ${size}`).toBe(expected.get(size));
    }
  }, 60_000);

  it('stops at the first break wherever it falls, as a line-by-line walk would', async () => {
    const pool = ChainPool.open(2)!;
    onTestFinished(() => pool.close());
    for (const at of boundaries) {
      const cases: [string, (lines: string[]) => string[], RegExp][] = [
        ['removed', (lines) => lines.filter((_, i) => i !== at - 1), at === N ? /^$/ : /holds seq \d+, expected/],
        ['prev rewritten', (lines) => lines.map((l, i) => (i === at - 1 ? canonicalJson({ ...(JSON.parse(l) as EventBody), prev: sha(7) }) : l)), at === 1 ? /does not follow event -1/ : /does not follow event/],
        ['not canonical', (lines) => lines.map((l, i) => (i === at - 1 ? l.replace('{', '{ ') : l)), /not in RFC 8785 canonical form/],
        ['not JSON', (lines) => lines.map((l, i) => (i === at - 1 ? l.slice(0, -1) : l)), /is not JSON/],
      ];
      for (const [what, edit, detail] of cases) {
        const lines = edit([...honest.lines]);
        const bytes = Buffer.from(`${lines.join('\n')}\n`);
        const readings = await Promise.all([0, pool].map(async (workers) => (await walk(bytes, [at - 1, at, N], workers)).reading));
        const [inPlace, onWorkers] = readings as [ChainReading, ChainReading];
        if (what === 'removed' && at === N) {
          expect(inPlace.problem, `${what} at ${at}`).toBeUndefined(); // the last event removed: the chain itself is whole
        } else {
          expect(inPlace.problem?.line, `${what} at ${at}`).toBe(at);
          expect(inPlace.problem?.detail).toMatch(detail);
          expect(inPlace.count).toBe(at - 1);
          expect(inPlace.heads.has(at)).toBe(false);
        }
        expect(onWorkers.problem, `${what} at ${at}, on workers`).toEqual(inPlace.problem);
        expect(onWorkers.count).toBe(inPlace.count);
        expect([...onWorkers.heads]).toEqual([...inPlace.heads]);
        expect([...onWorkers.roots]).toEqual([...inPlace.roots]);
        expect(onWorkers.last).toEqual(inPlace.last);
      }
    }
  }, 90_000);
});
