// Errors in the reader's language, in the real UI (Debian Chromium through the web host): a note
// sent to a session sealed meanwhile (conflict), recording with an ffmpeg path that no longer
// exists (unavailable), and a seal whose TSA refuses connections, each said in Chinese from the
// error's code; an error code this renderer does not know is shown as the host's English message.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

let ui: UiHarness;
let tsaUrl: string;

/** A loopback port nothing listens on: a TSA there refuses every connection at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  tsaUrl = `http://127.0.0.1:${await closedPort()}/tsa`;
  // A display is named so the recorder offers the screen; nothing is recorded from it here.
  ui = await startUi({ tsaUrls: [tsaUrl], settings: { recording: { display: ':97', fps: 5, quality: 'low', clock: true, segmentSeconds: 2 } } });
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 60_000);

afterAll(async () => {
  await ui?.close();
});

/** A creation session made outside the window (as the CLI would), opened in it. */
async function openSession(lang: 'en' | 'zh', title: string): Promise<{ page: Page; id: string }> {
  const session = await ui.pl.sessions.create({ kind: 'creation', title });
  const { page } = await ui.open(lang, `#/session/${session.id}`);
  page.on('dialog', (dialog) => void dialog.accept());
  await seeText(page.locator('h1, h2').first(), title);
  return { page, id: session.id };
}

/** The window has not heard of what happened meanwhile: its live-event poll sees nothing new. */
async function holdLiveEvents(page: Page): Promise<void> {
  await page.route('**/api/session.events', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ ok: true, result: [] }) }));
}

const notice = (page: Page) => page.locator('[role=alert].notice-error');

describe('errors in the reader’s language', () => {
  it('says in Chinese that a note cannot go into a session sealed meanwhile', async () => {
    const { page, id } = await openSession('zh', '封存后添加备注');
    await holdLiveEvents(page);
    await page.locator('.note-box textarea').fill('封存之后才写的备注');
    await ui.pl.sessions.seal(id);
    await page.locator('.note-box').getByRole('button', { name: '添加备注' }).click();
    await seeText(notice(page).locator('.notice-title'), '当前无法执行');
    await seeText(notice(page).locator('.notice-detail'), '会话已封存，不能再添加任何内容。请新建一个会话继续记录。');
    // The host's own words stay one click away, for the path or time a translation leaves out.
    await seeText(notice(page).locator('details.technical'), `Session ${id} was sealed at`);
    await shot(page, 'errors-zh-note-on-sealed-session');
  });

  it('says the same in English in the host’s own words', async () => {
    const { page, id } = await openSession('en', 'Note after the seal');
    await holdLiveEvents(page);
    await page.locator('.note-box textarea').fill('written after the seal');
    await ui.pl.sessions.seal(id);
    await page.locator('.note-box').getByRole('button', { name: 'Add note' }).click();
    await seeText(notice(page).locator('.notice-title'), 'Not possible now');
    await seeText(notice(page).locator('.notice-detail'), `Session ${id} was sealed at`);
    expect(await notice(page).locator('details').count()).toBe(0);
  });

  it('says in Chinese that recording cannot start because the ffmpeg in Settings is gone', async () => {
    const { page } = await openSession('zh', '找不到 ffmpeg');
    const record = page.getByRole('button', { name: '开始录制' });
    await expect.poll(() => record.isEnabled(), { timeout: 20_000 }).toBe(true);
    // ffmpeg was found when the window opened; Settings now name one that does not exist.
    const missing = join(ui.dataDir, 'no-such-ffmpeg');
    await ui.host.handlers['settings.update']({ ffmpegPath: missing } as never, { progress: () => undefined, signal: new AbortController().signal });
    await record.click();
    await seeText(notice(page).locator('.notice-title'), '此处不可用');
    await seeText(notice(page).locator('.notice-detail'), `找不到 ffmpeg：${missing} 不存在或无法运行。请在“设置”中更正 ffmpeg 路径`);
    await shot(page, 'errors-zh-ffmpeg-missing');
    await ui.host.handlers['settings.update']({ ffmpegPath: '' } as never, { progress: () => undefined, signal: new AbortController().signal });
  });

  it('says in Chinese why the seal has no timestamp when the TSA cannot be reached', async () => {
    const { page } = await openSession('zh', '时间戳机构不可达');
    await page.getByRole('button', { name: '封存会话' }).click();
    await seeText(page.locator('.seal-warning'), `无法连接时间戳机构 ${tsaUrl}：请求已保留在队列中，稍后会自动重试。`);
    await seeText(page.locator('.seal-warning'), '封存尚未取得时间戳');
    await shot(page, 'errors-zh-seal-tsa-unreachable');
  });

  it('shows the host’s English message for an error code this window does not know', async () => {
    const { page } = await openSession('zh', '未知错误代码');
    await page.route('**/api/session.note', (route) =>
      route.fulfill({ status: 409, contentType: 'application/json', body: JSON.stringify({ ok: false, error: { kind: 'conflict', code: 'session.from-the-future', message: 'A newer Proofline refused this note: update this window.' } }) }),
    );
    await page.locator('.note-box textarea').fill('备注');
    await page.locator('.note-box').getByRole('button', { name: '添加备注' }).click();
    await seeText(notice(page).locator('.notice-title'), '当前无法执行');
    await seeText(notice(page).locator('.notice-detail'), 'A newer Proofline refused this note: update this window.');
  });
});
