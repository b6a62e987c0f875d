import { describe, expect, it } from 'vitest';
import { lazyList } from '../../src/core/archive/lazy-list.js';
import { writeJson } from '../../src/host/json-stream.js';

function streamed(value: unknown): string {
  let text = '';
  writeJson(value, (piece) => void (text += piece));
  return text;
}

describe('JSON written in pieces', () => {
  it('is JSON.stringify(value, null, 2) byte for byte, whatever the value holds', async () => {
    const values: unknown[] = [
      null, 0, -1.5e-7, 'a "quoted" 猫\n', true, [], {}, [[]], { a: {} },
      { a: undefined, b: () => 1, c: [undefined, () => 2, Symbol('s')], d: new Date(0), e: new Number(3), f: new String('s') },
      { nested: { list: [1, { x: [null, 'y'] }, []], empty: '' }, n: NaN, inf: Infinity },
      { toJSON: () => ({ replaced: true }) },
    ];
    for (const value of values) expect(streamed(value)).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it('writes a long lazy list of a report without making it whole, and gives the same text', async () => {
    const report = { verdict: 'x', anchoring: { events: lazyList(50_000, (seq) => ({ seq, time: new Date(seq * 1000).toISOString(), provenBy: seq % 3 === 0 ? null : `checkpoint ${seq}`, lagSeconds: null })) } };
    const text = streamed(report);
    expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`);
    expect(text.length).toBeGreaterThan(1 << 16); // several pieces
  });
});
