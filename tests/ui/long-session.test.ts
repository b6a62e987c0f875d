// Issue 13: "the live timeline, fetched 2,000 events per call on a 1.5 s poll, needs 753 s to show
// a session" of a million events. A long session opens on its latest events, in one page, and
// says how many it holds; what comes next arrives by seq.
import { afterEach, describe, expect, it } from 'vitest';
import { seeText, startUi, type UiHarness } from '../support/ui.js';

const ctx = { progress: () => undefined, signal: new AbortController().signal };
let ui: UiHarness | undefined;

afterEach(async () => {
  await ui?.close();
  ui = undefined;
});

describe('a long session', () => {
  it('opens on its latest events with a few calls, counts them all, and follows new ones', async () => {
    ui = await startUi();
    const session = await ui.host.handlers['session.create']({ kind: 'web', title: 'Long session' }, ctx);
    await ui.host.handlers['session.note']({ id: session.id, text: 'the very first note' }, ctx);
    for (let from = 0; from < 30_000; from += 10_000) {
      ui.pl.events.appendBatch(session.id, Array.from({ length: 10_000 }, (_, i) => ({ type: 'note', payload: { text: `filler ${from + i}` } })));
    }
    await ui.host.handlers['session.note']({ id: session.id, text: 'the latest note' }, ctx);
    const total = ui.pl.events.count(session.id);

    // Every call the page makes for events, as the host receives it.
    const asked: number[] = [];
    const handlers = ui.host.handlers as unknown as Record<string, (input: { afterSeq: number }, c: unknown) => Promise<unknown>>;
    const events = handlers['session.events']!;
    handlers['session.events'] = (input, c) => {
      asked.push(input.afterSeq);
      return events(input, c);
    };

    const { page } = await ui.open('en', `#/session/${session.id}`);
    const timeline = page.locator('.timeline-list');
    const counted = (n: number) => expect.poll(() => page.locator('.screen').innerText(), { timeout: 20_000 }).toMatch(new RegExp(`\\b(${n}|${n.toLocaleString('en-US')}) events`));
    await seeText(timeline, 'the latest note');
    await counted(total);
    expect(await timeline.innerText()).not.toContain('the very first note');
    // Started near the end, in one page: no call asked for the session's early events.
    expect(asked.length).toBeGreaterThan(0);
    expect(Math.min(...asked)).toBeGreaterThan(total - 10_000);

    await ui.host.handlers['session.note']({ id: session.id, text: 'one more after opening' }, ctx);
    await seeText(timeline, 'one more after opening');
    await counted(total + 1);
  }, 90_000);
});
