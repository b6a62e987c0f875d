// The recording as one film, end to end: a real two-minute screen recording of twelve 10 s
// MPEG-TS segments (Xvfb, ffmpeg, `proofline record`), with notes written while it ran, sealed,
// exported and opened in Chromium through `proofline serve`'s web host. The viewer plays it as
// one HLS stream from start to end, its scrubber spans the whole recording, and an event's
// marker seeks across segment boundaries while the event list follows.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/shared/domain.js';
import { unzipTo, zipFolder } from '../support/bag-files.js';
import { CLI, proofline, run } from '../support/cli.js';
import { startUi, type UiHarness } from '../support/ui.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

const SECONDS = 120;
const SEGMENT_SECONDS = 10;
const SHOTS = '/tmp/shots';
const NOTES = [
  { at: 33, text: 'Chose the second composition' },
  { at: 77, text: 'Rejected the blurred variant' },
];

let root: string;
let screen: RunningDisplay;
let ui: UiHarness;
let archive: string;
/** The segments as the archive's events record them, in order, and the notes' events. */
let segments: { index: number; durationSeconds: number; startedAt: number; endedAt: number }[];
let notes: { seq: number; time: number; text: string }[];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds into the film at a wall-clock time: the durations of the segments before, and the offset into its own. */
function expectedMediaTime(time: number): number {
  let before = 0;
  for (const s of segments) {
    if (time >= s.startedAt && time <= s.endedAt) return before + (time - s.startedAt) / 1000;
    before += s.durationSeconds;
  }
  throw new Error(`no segment covers ${new Date(time).toISOString()}`);
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-film-'));
  mkdirSync(SHOTS, { recursive: true });
  screen = await startXvfb({ animate: true });
  const data = join(root, 'data');
  const id = (await proofline(['--data', data, 'session', 'new', '--title', 'Two minutes of work'])).stdout.trim();
  const recorder = spawn(
    process.execPath,
    [CLI, '--data', data, 'record', id, '--display', screen.display, '--duration', String(SECONDS), '--segment-seconds', String(SEGMENT_SECONDS), '--fps', '10', '--quality', 'low'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PROOFLINE_TSA_URLS: '' } },
  );
  let stderr = '';
  recorder.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  recorder.stdout!.resume();
  const ended = new Promise<number>((resolve) => recorder.once('exit', (code) => resolve(code ?? 1)));
  // Notes written from another process while the recording runs, as a person at the keyboard would.
  while (!stderr.includes('segment 0 appended') && recorder.exitCode === null) await sleep(200);
  const start = Date.now() - SEGMENT_SECONDS * 1000;
  for (const note of NOTES) {
    await sleep(Math.max(0, start + note.at * 1000 - Date.now()));
    const written = await proofline(['--data', data, 'note', id, note.text]);
    expect(written.code, written.stderr).toBe(0);
  }
  expect(await ended, stderr).toBe(0);
  expect((await proofline(['--data', data, 'seal', id])).code).toBe(0);
  archive = join(root, 'film.zip');
  expect((await proofline(['--data', data, 'export', id, '--out', archive])).code).toBe(0);

  const events = (await run('unzip', ['-p', archive, 'data/events.jsonl'])).stdout.trim().split('\n').map((line) => JSON.parse(line) as EventBody);
  segments = events
    .filter((e) => e.type === 'recording.segment')
    .map((e) => ({ index: Number(e.payload['index']), durationSeconds: Number(e.payload['durationSeconds']), startedAt: Date.parse(String(e.payload['startedAt'])), endedAt: Date.parse(String(e.payload['endedAt'])) }));
  notes = events.filter((e) => e.type === 'note').map((e) => ({ seq: e.seq, time: Date.parse(e.time), text: String(e.payload['text']) }));
  ui = await startUi();
}, 300_000);

afterAll(async () => {
  await ui?.close();
  await screen?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function openRecording(page: Page, lang: 'en' | 'zh', path = archive): Promise<void> {
  await page.getByRole('navigation').getByRole('link', { name: lang === 'en' ? 'Open archive' : '打开证据包' }).click();
  await page.locator('#archive-path').fill(path);
  await page.locator('#archive-path').press('Enter');
  await page.locator('.verdict').waitFor({ timeout: 60_000 });
  await page.getByRole('tab', { name: lang === 'en' ? /Timeline and recording/ : /时间线与录屏/ }).click();
  await page.waitForFunction(() => {
    const video = document.querySelector('video');
    return video !== null && video.readyState >= 1 && Number.isFinite(video.duration);
  }, undefined, { timeout: 30_000 });
}

describe('the recording as one film', () => {
  it('was recorded as twelve 10 s segments', () => {
    const long = segments.filter((s) => s.durationSeconds > 1);
    expect(long.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const s of long) expect(s.durationSeconds).toBeCloseTo(SEGMENT_SECONDS, 0);
    expect(notes.map((n) => n.text)).toEqual(NOTES.map((n) => n.text));
  });

  it('plays from start to end without a click, across every segment boundary, and the scrubber spans the whole recording', async () => {
    const { page } = await ui.open('en');
    await openRecording(page, 'en');
    const total = segments.reduce((sum, s) => sum + s.durationSeconds, 0);
    const duration = await page.evaluate(() => document.querySelector('video')!.duration);
    expect(Math.abs(duration - total)).toBeLessThanOrEqual(1);
    expect(Math.abs(Number(await page.locator('.film-bar').getAttribute('data-duration')) - total)).toBeLessThanOrEqual(1);
    expect(await page.locator('.film-bar .film-seg').count()).toBe(segments.length);

    const started = Date.now();
    const played = await page.evaluate(async () => {
      const video = document.querySelector('video')!;
      const times: number[] = [];
      video.muted = true;
      video.playbackRate = 16;
      // Sampled every 20 ms (timeupdate comes every 250 ms: 4 s of film at 16×).
      const sampler = setInterval(() => times.push(video.currentTime), 20);
      const ended = new Promise<void>((resolve) => video.addEventListener('ended', () => resolve(), { once: true }));
      await video.play();
      await ended;
      clearInterval(sampler);
      return { times, end: video.currentTime };
    });
    const boundaries = segments.slice(1).map((_, i) => segments.slice(0, i + 1).reduce((sum, s) => sum + s.durationSeconds, 0));
    for (const boundary of boundaries) {
      expect(played.times.some((t) => t > boundary + 0.05 && t < boundary + 2), `playback passed ${boundary.toFixed(2)} s`).toBe(true);
    }
    // Forward all the way: never back, never a jump over part of the film.
    const steps = played.times.slice(1).map((t, i) => t - played.times[i]!);
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...steps)).toBeLessThan(2);
    expect(Math.abs(played.end - total)).toBeLessThanOrEqual(1);
    // 16×: two minutes of film in well under a minute (a stall would wait forever at a boundary).
    expect(Date.now() - started).toBeLessThan(60_000);
    // The recorded clock beside the scrubber is the last picture's.
    await expect.poll(() => page.locator('.film-wall').getAttribute('datetime')).toBe(new Date(segments.at(-1)!.endedAt).toISOString());
  }, 120_000);

  it.each(['en', 'zh'] as const)('seeks across segment boundaries to an event clicked on the scrubber, and the list follows (%s)', async (lang) => {
    const { page } = await ui.open(lang);
    await openRecording(page, lang);
    for (const note of [...notes].reverse()) {
      const expected = expectedMediaTime(note.time);
      expect(Math.floor(expected / SEGMENT_SECONDS)).toBeGreaterThanOrEqual(3); // not in the first segment
      await page.locator(`.film-marker[data-seq="${note.seq}"]`).click();
      await page.waitForFunction(
        (want) => {
          const video = document.querySelector('video')!;
          return video.readyState >= 2 && !video.seeking && Math.abs(video.currentTime - want) < 1;
        },
        expected,
        { timeout: 15_000 },
      );
      await expect.poll(() => page.locator('.timeline-item.selected .timeline-seq').textContent()).toBe(`#${note.seq}`);
      await expect.poll(() => page.locator('.film-marker.current').getAttribute('data-seq')).toBe(String(note.seq));
      await page.locator('.event-detail').getByText(note.text).first().waitFor();
    }
    // Played on from the note, the list follows the playhead to the next event recorded.
    const first = notes[0]!;
    await page.locator(`.film-marker[data-seq="${first.seq}"]`).click();
    await page.waitForFunction((want) => Math.abs(document.querySelector('video')!.currentTime - want) < 1, expectedMediaTime(first.time), { timeout: 15_000 });
    await page.evaluate(async () => {
      const video = document.querySelector('video')!;
      video.muted = true;
      video.playbackRate = 4;
      await video.play();
    });
    await expect.poll(async () => Number((await page.locator('.timeline-item.selected .timeline-seq').textContent())?.slice(1)), { timeout: 20_000 }).toBeGreaterThan(first.seq);
    await page.evaluate(() => document.querySelector('video')!.pause());
    await page.locator(`.film-marker[data-seq="${first.seq}"]`).click();
    await page.waitForFunction((want) => Math.abs(document.querySelector('video')!.currentTime - want) < 1 && document.querySelector('video')!.readyState >= 2, expectedMediaTime(first.time), { timeout: 15_000 });
    await page.screenshot({ path: join(SHOTS, `film-${lang}.png`), fullPage: true });
    await page.locator('.recording').screenshot({ path: join(SHOTS, `film-${lang}-player.png`) });
  }, 120_000);

  it.each([
    { lang: 'en' as const, item: /^Recording segment 4, .+–\d\d:\d\d:\d\d, event #\d+$/, warning: /^Altered after sealing, marked red on the bar: Recording segment 4, / },
    { lang: 'zh' as const, item: /^录屏片段 4，.+–\d\d:\d\d:\d\d，事件 #\d+$/, warning: /^以下片段在封存后被改动过，已在进度条上标红：录屏片段 4，/ },
  ])('names an altered segment by its number and time, and marks it on the bar ($lang)', async ({ lang, item, warning }) => {
    const tampered = join(root, `film-tampered-${lang}.zip`);
    const dir = join(root, `film-tampered-${lang}`);
    await unzipTo(archive, dir);
    const events = readFileSync(join(dir, 'data', 'events.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as EventBody);
    const fourth = events.find((e) => e.type === 'recording.segment' && e.payload['index'] === 4)!;
    const entry = `data/artifacts/${readdirSync(join(dir, 'data', 'artifacts')).find((name) => name.startsWith(fourth.artifacts[0]!.sha256))!}`;
    const bytes = readFileSync(join(dir, entry));
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(join(dir, entry), bytes);
    await zipFolder(dir, tampered);

    const { page } = await ui.open(lang);
    await openRecording(page, lang, tampered);
    expect(await page.locator('.verdict').getAttribute('data-verdict')).toBe('tampered');
    const named = await page.locator('.verdict .altered-items li').allTextContents();
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(item);
    expect(await page.locator('.film-seg.altered').count()).toBe(1);
    expect(await page.locator('.film-seg.altered').getAttribute('data-segment')).toBe('4');
    expect(await page.locator('.film .altered-warning').textContent()).toMatch(warning);
  });

  it('serves the playlist only with the secret, and its segments as MPEG-TS', async () => {
    const { page } = await ui.open('en');
    await openRecording(page, 'en');
    const playlistUrl = await page.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).find((n) => n.includes('recording.m3u8'))!);
    expect(playlistUrl).toMatch(/\/media\/archive\/[0-9a-f-]{36}\/recording\.m3u8\?as=hls$/);
    const denied = await fetch(playlistUrl);
    expect(denied.status).toBe(401);
    const answered = await page.evaluate(async (url) => {
      const playlist = await fetch(url);
      const text = await playlist.text();
      const first = text.split('\n').find((l) => l.startsWith('data/'))!;
      const segment = await fetch(new URL(first, url), { method: 'HEAD' });
      return { type: playlist.headers.get('content-type'), text, segmentType: segment.headers.get('content-type') };
    }, playlistUrl);
    expect(answered.type).toBe('application/vnd.apple.mpegurl');
    expect(answered.segmentType).toBe('video/mp2t');
    expect(answered.text.match(/#EXTINF:/g)).toHaveLength(segments.length);
    expect(answered.text).toContain('#EXT-X-ENDLIST');
  });
});
