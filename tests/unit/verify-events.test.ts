import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ArchiveError } from '../../src/core/archive/archive-error.js';
import { boundedLines } from '../../src/core/archive/verify-events.js';

const collect = async (chunks: string[], max: number): Promise<string[]> => {
  const out: string[] = [];
  for await (const line of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(line);
  return out;
};

describe('reading events.jsonl line by line', () => {
  it('splits lines across any chunking, keeping multi-byte characters whole', async () => {
    expect(await collect(['{"a":1}\n{"b":"猫', '"}\n', '{"c":3}\n'], 100)).toEqual(['{"a":1}', '{"b":"猫"}', '{"c":3}']);
    expect(await collect(['x\n\ny'], 100)).toEqual(['x', '', 'y']);
  });

  it('refuses a line longer than the bound as hostile, before holding it whole', async () => {
    const flood = Array.from({ length: 50 }, () => 'a'.repeat(1000));
    await expect(collect(flood, 10_000)).rejects.toThrow(ArchiveError);
    await expect(collect(flood, 10_000)).rejects.toThrow(/line 1 longer than 10000 bytes/);
  });
});
