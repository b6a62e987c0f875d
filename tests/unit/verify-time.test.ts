import { describe, expect, it } from 'vitest';
import type { TokenSummary } from '../../src/core/archive/verify-report.js';
import { judgeAnchoring, type AnchorDeclaration } from '../../src/core/archive/verify-time.js';

const T0 = Date.parse('2026-11-30T04:48:00Z');
const at = (seconds: number): number => T0 + seconds * 1000;
const iso = (seconds: number): string => new Date(at(seconds)).toISOString();

function token(path: string, covers: number, seconds: number, trusted = true): TokenSummary {
  return { path, covers, genTime: iso(seconds), tsa: 'CN=Test TSA', serial: '0x01', policy: '1.2.3', trusted, ...(!trusted && { reason: 'not a time-stamping certificate' }) };
}

const declared = (anchorSeconds: number, fromSeq = 0): AnchorDeclaration => ({ fromSeq, anchorSeconds });

describe('when each event was proven to exist', () => {
  it('proves each event by the earliest trusted token over a checkpoint that covers it', () => {
    const report = judgeAnchoring({
      times: [at(0), at(10), at(20), at(70)],
      declarations: [declared(60)],
      tokens: [token('t/0', 1, 1), token('t/1', 3, 50), token('seal', 4, 80)],
    });
    expect(report.events.map((e) => e.provenBy)).toEqual([iso(1), iso(50), iso(50), iso(80)]);
    expect(report.events.map((e) => e.lagSeconds)).toEqual([1, 40, 30, 10]);
    expect(report.late).toEqual([]);
    expect(report.lastProven).toBe(iso(80));
    expect(report.ranges.map((r) => [r.from, r.to, r.token])).toEqual([[0, 0, 't/0'], [1, 2, 't/1'], [3, 3, 'seal']]);
  });

  it('a later checkpoint token obtained earlier proves the prefix too (a token that came late is not the proof)', () => {
    const report = judgeAnchoring({
      times: [at(0), at(5), at(10)],
      declarations: [declared(60)],
      // Checkpoint over #0 was answered only after 600 s (TSA down); the one over #0–#2 at 15 s.
      tokens: [token('t/0', 1, 600), token('t/1', 3, 15)],
    });
    expect(report.events.map((e) => e.provenBy)).toEqual([iso(15), iso(15), iso(15)]);
    expect(report.late).toEqual([]);
  });

  it('names the range proven later than the interval plus the tolerance, with its lag', () => {
    const report = judgeAnchoring({
      times: [at(0), at(10), at(20), at(30)],
      declarations: [declared(60)],
      tokens: [token('t/0', 2, 5), token('seal', 4, 3600)],
    });
    expect(report.late).toHaveLength(1);
    expect(report.late[0]).toMatchObject({ from: 2, to: 3, provenBy: iso(3600), token: 'seal', late: true, lagSeconds: 3580 });
  });

  it('counts only trusted tokens: a range covered by none is unproven', () => {
    const report = judgeAnchoring({
      times: [at(0), at(1)],
      declarations: [declared(60)],
      tokens: [token('t/0', 2, 2, false)],
    });
    expect(report.late).toEqual([expect.objectContaining({ from: 0, to: 1, provenBy: null, late: true })]);
    expect(report.lastProven).toBeNull();
  });

  it('holds events to the interval the session declared, and to a change that was itself proven in time', () => {
    const times = [at(0), at(10), at(700)];
    const tokens = [token('t/0', 1, 2), token('t/1', 2, 15), token('seal', 3, 1200)];
    // #2 is proven 500 s after it was recorded: late under 60 s, in time under 600 s.
    expect(judgeAnchoring({ times, declarations: [declared(60)], tokens }).late.map((r) => r.from)).toEqual([2]);
    expect(judgeAnchoring({ times, declarations: [declared(60), declared(600, 1)], tokens }).late).toEqual([]);
  });

  it('ignores a longer interval declared by an event that was not itself proven in time (a rewrite cannot excuse itself)', () => {
    // The device key holder rewrote #1 onwards, declaring 3600 s in #1, and fetched a seal token 30 min later.
    const report = judgeAnchoring({
      times: [at(0), at(10), at(20)],
      declarations: [declared(60), declared(3600, 1)],
      tokens: [token('t/0', 1, 2), token('seal', 3, 1800)],
    });
    expect(report.late.map((r) => [r.from, r.to])).toEqual([[1, 2]]);
    expect(report.late[0]!.allowedSeconds).toBe(60);
  });

  it('a shorter declared interval always applies', () => {
    const report = judgeAnchoring({
      times: [at(0), at(10), at(20)],
      declarations: [declared(60), declared(5, 1)],
      tokens: [token('t/0', 1, 1), token('seal', 3, 100)],
    });
    expect(report.late.map((r) => [r.from, r.to])).toEqual([[1, 2]]);
  });

  it('names events recorded well after the token that proves them: the device clock ran ahead, so their times are not attested', () => {
    const report = judgeAnchoring({
      times: [at(0), at(2 * 86_400)],
      declarations: [declared(60)],
      tokens: [token('t/0', 1, 1), token('seal', 2, 5)],
    });
    expect(report.late).toEqual([expect.objectContaining({ from: 1, to: 1, ahead: true, late: true })]);
  });

  it('a longer interval covers only events recorded at or after the declaration, not later events dated before it', () => {
    // #1 declares 3600 s at 1795 s and is proven at 1800 s; #2 and #3 claim 10 s and 20 s (the clock "ran backwards").
    const report = judgeAnchoring({
      times: [at(0), at(1795), at(10), at(20)],
      declarations: [declared(60), declared(3600, 1)],
      tokens: [token('t/0', 1, 2), token('seal', 4, 1800)],
    });
    expect(report.late.map((r) => [r.from, r.to])).toEqual([[2, 3]]);
  });

  it('counts a token as proving existence by genTime plus the accuracy its TSA states', () => {
    const sloppy = { ...token('seal', 2, 30), accuracySeconds: 3600 };
    const report = judgeAnchoring({ times: [at(0), at(20)], declarations: [declared(60)], tokens: [token('t/0', 1, 1), sloppy] });
    expect(report.events[1]!.provenBy).toBe(iso(3630));
    expect(report.late.map((r) => r.from)).toEqual([1]);
  });
});
