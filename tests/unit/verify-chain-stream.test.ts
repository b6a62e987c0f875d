import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lazyList } from '../../src/core/archive/lazy-list.js';
import { ChainReader, LineSplitter } from '../../src/core/archive/verify-events.js';
import type { EventBody } from '../../src/shared/domain.js';
import { GENESIS_PREV, hashEvent, leafHash, merkleRootsAt } from '../../src/core/store/event-chain.js';

const SESSION = '0192a7f0-0000-7000-8000-000000000001';

/** `n` chained events as data/events.jsonl holds them, with each event's hash and leaf. */
function chain(n: number): { jsonl: Buffer; hashes: string[]; leaves: Buffer[] } {
  const lines: string[] = [];
  const hashes: string[] = [];
  const leaves: Buffer[] = [];
  let prev = GENESIS_PREV;
  for (let seq = 0; seq < n; seq++) {
    const body: EventBody = {
      v: 1,
      session: SESSION,
      seq,
      time: new Date(Date.UTC(2026, 0, 1) + seq * 1000).toISOString(),
      type: seq === 0 ? 'session.created' : 'note',
      payload: { text: `note ${seq} ${'猫'.repeat(seq % 7)}` },
      artifacts: [],
      prev,
    };
    const stored = hashEvent(body);
    lines.push(stored.canonical);
    hashes.push(stored.hash);
    leaves.push(leafHash(stored.canonical));
    prev = stored.hash;
  }
  return { jsonl: Buffer.from(`${lines.join('\n')}\n`), hashes, leaves };
}

/** Pushes `bytes` in chunks of random length (1 byte to 300), as inflated ZIP data arrives. */
function pushChunked(reader: { push(chunk: Buffer): void }, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) {
    const length = Math.min(bytes.length - at, 1 + randomInt(300));
    reader.push(bytes.subarray(at, at + length));
    at += length;
  }
}

describe('the one-pass walk of events.jsonl', () => {
  it('takes at each checkpoint size the head and Merkle root that a walk over all leaves gives', async () => {
    const n = 1_500;
    const { jsonl, hashes, leaves } = chain(n);
    for (let round = 0; round < 20; round++) {
      const sizes = Array.from({ length: 1 + randomInt(12) }, () => 1 + randomInt(n));
      // Sizes the chain never reaches, or that no checkpoint could have, are simply absent.
      const asked = [...sizes, n, 1, n + 5, 0, -3, 2.5, sizes[0]!];
      const reader = new ChainReader(SESSION, asked);
      pushChunked(reader, jsonl);
      const reading = await reader.finish();
      expect(reading.problem).toBeUndefined();
      expect(reading.count).toBe(n);
      expect(reading.head).toBe(hashes.at(-1));
      const expected = merkleRootsAt(leaves, asked);
      for (const size of new Set([...sizes, n, 1])) {
        expect(reading.heads.get(size)).toBe(hashes[size - 1]);
        expect(reading.roots.get(size)).toBe(expected.get(size));
      }
      expect([...reading.roots.keys()].sort((a, b) => a - b)).toEqual([...new Set([...sizes, n, 1])].sort((a, b) => a - b));
      expect(reading.heads.has(n + 5)).toBe(false);
    }
  });

  it('gives the same result whether the last line ends with a newline or not', async () => {
    const { jsonl, hashes } = chain(40);
    const reader = new ChainReader(SESSION, [40]);
    reader.push(jsonl.subarray(0, jsonl.length - 1));
    const reading = await reader.finish();
    expect(reading.count).toBe(40);
    expect(reading.heads.get(40)).toBe(hashes[39]);
  });

  it('stops taking heads at the first break, naming its line', async () => {
    const { jsonl } = chain(30);
    const lines = jsonl.toString('utf8').split('\n');
    lines.splice(10, 1); // event 10 removed
    const reader = new ChainReader(SESSION, [5, 20]);
    pushChunked(reader, Buffer.from(lines.join('\n')));
    const reading = await reader.finish();
    expect(reading.problem).toMatchObject({ line: 11 });
    expect(reading.count).toBe(10);
    expect(reading.heads.has(5)).toBe(true);
    expect(reading.heads.has(20)).toBe(false);
  });
});

describe('the line splitter', () => {
  it('hands on every line across any chunking, multi-byte characters whole', () => {
    const text = '{"a":1}\n{"b":"猫猫"}\n\n{"c":3}';
    for (let round = 0; round < 20; round++) {
      const lines: string[] = [];
      const splitter = new LineSplitter(100, (bytes) => void lines.push(bytes.toString('utf8')));
      pushChunked(splitter, Buffer.from(text));
      splitter.end();
      expect(lines).toEqual(['{"a":1}', '{"b":"猫猫"}', '', '{"c":3}']);
    }
  });
});

describe('a list made when read', () => {
  it('reads as an array to every reader and holds nothing per item', () => {
    let made = 0;
    const list = lazyList(5, (i) => {
      made += 1;
      return { seq: i };
    });
    expect(made).toBe(0);
    expect(Array.isArray(list)).toBe(true);
    expect(list.length).toBe(5);
    expect(list[4]).toEqual({ seq: 4 });
    expect(list[5]).toBeUndefined();
    expect(list.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(list.filter((e) => e.seq % 2 === 0).map((e) => e.seq)).toEqual([0, 2, 4]);
    expect(list.slice(0, -1)).toHaveLength(4);
    expect([...list].map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
    expect(JSON.parse(JSON.stringify({ list }))).toEqual({ list: [0, 1, 2, 3, 4].map((seq) => ({ seq })) });
    expect(list.every((e) => e.seq < 5)).toBe(true);
  });
});
