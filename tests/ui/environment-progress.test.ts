// A new creation session records the environment in the background; hashing a large model file
// shows its progress, and the snapshot (with the model's SHA-256) lands in the chain.
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENS_DIR, seeText, shot, startUi, type UiHarness } from '../support/ui.js';

let ui: UiHarness;
let models: string;
beforeAll(async () => {
  models = mkdtempSync(join(tmpdir(), 'proofline-models-'));
  // A sparse 3 GB "checkpoint": no disk used, but hashing it takes seconds, as a real one does.
  const model = join(models, 'sd_xl_base_1.0.safetensors');
  writeFileSync(model, '');
  truncateSync(model, 3 * 1024 ** 3);
  ui = await startUi({ settings: { modelFolders: [models] } });
  mkdirSync(SCREENS_DIR, { recursive: true });
}, 60_000);
afterAll(async () => {
  await ui?.close();
  rmSync(models, { recursive: true, force: true });
});

describe('the environment of a new creation session', () => {
  it('shows the model being hashed, then records the snapshot with its SHA-256', async () => {
    const { page } = await ui.open('en');
    await page.getByRole('button', { name: 'New creation session' }).click();
    await page.locator('form input').first().fill('Model hashing');
    await page.getByRole('button', { name: 'Start session' }).click();
    await page.waitForURL(/#\/session\//);
    await seeText(page.locator('.environment-progress'), 'hashing the model sd_xl_base_1.0.safetensors (3.0 GB)', 30_000);
    expect(Number(await page.locator('.environment-progress [role=progressbar]').getAttribute('aria-valuemax'))).toBe(100);
    await shot(page, 'creation-environment-en');
    const id = page.url().split('/').pop()!;
    await expect.poll(() => page.locator('.environment-progress').count(), { timeout: 120_000 }).toBe(0);
    const snapshot = [...ui.pl.events.iterate(id)].find((e) => e.body.type === 'environment.snapshot');
    expect(snapshot).toBeDefined();
    expect(JSON.stringify(snapshot!.body.payload)).toContain('sd_xl_base_1.0.safetensors');
    expect(snapshot!.body.artifacts.map((a) => a.name)).toContain('environment.json');
  }, 180_000);
});
