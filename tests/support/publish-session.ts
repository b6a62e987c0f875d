// A sealed creation session made through the core, as the folder watcher would record it: three
// generations with A1111 parameters read by the real metadata reader (a draft, an edit of it, and
// the final image, an edit of the edit), one JPEG generation, lineage links and marks; sealed
// without a TSA (publishing needs no TSA) and exported.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { readImageMetadata } from '../../src/core/capture/creation/metadata/index.js';
import { metadataJson } from '../../src/core/capture/creation/metadata/payload.js';
import { linkGenerations } from '../../src/core/capture/creation/lineage.js';
import { markGeneration } from '../../src/core/capture/creation/marks.js';
import { a1111Parameters, pngWithText } from './ai-images.js';

export interface PublishSession {
  readonly pl: Proofline;
  readonly id: string;
  readonly draft: string;
  readonly edit: string;
  readonly final: string;
  readonly jpeg: string;
  readonly archive: string;
}

async function addGeneration(pl: Proofline, id: string, path: string, name: string, mime: string): Promise<string> {
  const blob = await pl.blobs.putFile(path);
  const metadata = metadataJson(await readImageMetadata(pl.blobs.pathOf(blob.sha256)));
  pl.events.append(id, { type: 'generation.image', payload: { path, metadata }, artifacts: [{ sha256: blob.sha256, size: blob.size, name, mime }] });
  return blob.sha256;
}

/** `pl`: an open store to record into (the UI harness's); else one in `root`/data. */
export async function makePublishSession(root: string, options: { seal?: boolean; pl?: Proofline } = {}): Promise<PublishSession> {
  mkdirSync(root, { recursive: true });
  const pl = options.pl ?? openProofline({ dataDir: join(root, 'data') });
  const session = await pl.sessions.create({ kind: 'creation', title: 'Harbour poster 海港海报', creator: 'Li Wei' });
  const id = session.id;
  const files = ['00001-draft.png', '00002-edit.png', '00003-final.png'].map((name) => join(root, name));
  writeFileSync(files[0]!, pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1111, 'a harbour at dawn, sketch') }], { width: 64, height: 48, seed: 1 }));
  writeFileSync(files[1]!, pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(2222, 'a harbour at dawn, ink') }], { width: 64, height: 48, seed: 2 }));
  writeFileSync(files[2]!, pngWithText([{ type: 'tEXt', keyword: 'parameters', text: `${a1111Parameters(3333, 'a harbour at dawn, oil painting')}, Version: v1.10.1` }], { width: 64, height: 48, seed: 3 }));
  const jpegPath = join(root, '00004-final.jpg');
  const raw = { width: 32, height: 24, data: Buffer.alloc(32 * 24 * 4) };
  for (let i = 0; i < raw.data.length; i++) raw.data[i] = (i * 37) % 251;
  writeFileSync(jpegPath, jpeg.encode(raw, 90).data);
  const draft = await addGeneration(pl, id, files[0]!, '00001-draft.png', 'image/png');
  const edit = await addGeneration(pl, id, files[1]!, '00002-edit.png', 'image/png');
  const final = await addGeneration(pl, id, files[2]!, '00003-final.png', 'image/png');
  const jpegSha = await addGeneration(pl, id, jpegPath, '00004-final.jpg', 'image/jpeg');
  await linkGenerations(pl, id, draft, edit, 'edit-of', 'inked over the sketch');
  await linkGenerations(pl, id, edit, final, 'edit-of', 'painted over the ink');
  await markGeneration(pl, id, final, 'final', 'client approved');
  await markGeneration(pl, id, jpegSha, 'final', 'the web version');
  await markGeneration(pl, id, draft, 'rejected', 'too rough');
  const archive = join(root, 'evidence.zip');
  if (options.seal !== false) {
    await pl.sessions.seal(id);
    await pl.exportSession(id, { out: archive });
  }
  return { pl, id, draft, edit, final, jpeg: jpegSha, archive };
}
