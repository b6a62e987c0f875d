// Real archives for the court report's tests: a creation session (AI images found by the folder
// watcher while the screen is recorded, marks with reasons, a note, an attachment, a comparison)
// and a web capture of the test site, each sealed and exported by the real command line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { a1111Parameters, pngWithText } from './ai-images.js';
import { proofline, type CliResult } from './cli.js';
import type { RunningTsa } from './tsa-server.js';
import { startTestSite } from './test-site.js';
import { startXvfb } from './xvfb.js';

function must(result: CliResult, what: string): CliResult {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${result.code}): ${result.stderr}${result.stdout}`);
  return result;
}

export interface CreationArchive {
  readonly zip: string;
  readonly data: string;
  readonly title: string;
  readonly images: readonly string[];
}

/** A creation session with two generations, marks, a note, an attachment, a comparison and a short screen recording. */
export async function makeCreationArchive(root: string, tsa: RunningTsa, title = 'Lighthouse poster 灯塔海报'): Promise<CreationArchive> {
  const data = join(root, 'creation-data');
  const outputs = join(root, 'outputs');
  mkdirSync(outputs, { recursive: true });
  const cli = (args: string[]) => proofline(['--data', data, '--tsa', tsa.url, '--anchor-seconds', '10', ...args]);
  const id = (JSON.parse(must(await cli(['session', 'new', '--title', title, '--creator', 'Li Wei', '--json']), 'session new').stdout) as { id: string }).id;
  must(await cli(['note', id, 'Brief: a lighthouse at dusk for the harbour festival.']), 'note');

  const display = await startXvfb({ animate: true, width: 640, height: 360 }).catch(() => undefined);
  const images = ['00001-a1111.png', '00002-a1111.png'];
  const recording = cli(['record', id, '--watch', outputs, '--duration', '14', ...(display ? ['--screen', '--display', display.display, '--fps', '5', '--segment-seconds', '4'] : [])]);
  // The generations arrive while the folder is watched, as a generator writes them.
  // Written well after the watcher has started (the screen starts first, on a loaded machine slowly).
  await new Promise((r) => setTimeout(r, 6_000));
  writeFileSync(join(outputs, images[0]!), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1234) }], { width: 256, height: 256, seed: 1 }));
  await new Promise((r) => setTimeout(r, 2_000));
  writeFileSync(join(outputs, images[1]!), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1235, 'a lighthouse at dusk, watercolor') }], { width: 256, height: 256, seed: 2 }));
  must(await recording, 'record');
  await display?.stop();

  const gallery = JSON.parse(must(await cli(['gallery', id, '--json']), 'gallery').stdout) as { images: { sha256: string; name?: string; artifact?: { name: string } }[] };
  if (gallery.images.length !== 2) throw new Error(`the folder watcher recorded ${gallery.images.length} of the 2 generations`);
  const [a, b] = gallery.images.map((i) => i.sha256) as [string, string];
  must(await cli(['mark', id, b, 'rejected', '--reason', 'the watercolor look is too soft']), 'mark');
  must(await cli(['mark', id, a, 'final', '--reason', 'client approved the oil painting']), 'mark');
  must(await cli(['compare', id, a, b]), 'compare');
  const sketch = join(root, 'sketch.txt');
  writeFileSync(sketch, 'composition sketch: lighthouse left third, horizon low\n');
  must(await cli(['attach', id, sketch]), 'attach');
  must(await cli(['seal', id]), 'seal');
  const zip = join(root, 'creation.zip');
  must(await cli(['export', id, '--out', zip]), 'export');
  return { zip, data, title, images };
}

export interface WebArchive {
  readonly zip: string;
  readonly data: string;
  readonly title: string;
  readonly url: string;
}

/** A web session: one page of the test site captured by `proofline capture`. */
export async function makeWebArchive(root: string, tsa: RunningTsa, title = 'Infringing copy on the test site'): Promise<WebArchive> {
  const data = join(root, 'web-data');
  const site = await startTestSite(root);
  try {
    const cli = (args: string[]) => proofline(['--data', data, '--tsa', tsa.url, '--anchor-seconds', '10', ...args]);
    const id = (JSON.parse(must(await cli(['session', 'new', '--kind', 'web', '--title', title, '--creator', 'Zhang Min', '--json']), 'session new').stdout) as { id: string }).id;
    const url = `${site.httpOrigin}/plain`;
    // /tall is a 9000 px page: its full-page screenshot runs over several printed pages.
    must(await cli(['capture', id, url, `${site.httpOrigin}/tall`, '--no-env-check']), 'capture');
    must(await cli(['seal', id]), 'seal');
    const zip = join(root, 'web.zip');
    must(await cli(['export', id, '--out', zip]), 'export');
    return { zip, data, title, url };
  } finally {
    await site.stop();
  }
}
