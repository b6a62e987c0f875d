// Sealed archives for the vault tests, made as a user's would be: a session with a note and an
// attached file, sealed (no TSA: the vault needs none) and exported by the real core.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import type { Settings } from '../../src/shared/contract.js';

export interface SealedArchive {
  readonly id: string;
  readonly archive: string;
}

/** A sealed, exported session of `pl`, its archive at `dir`/`name`. */
export async function sealedArchive(pl: Proofline, dir: string, options: { title?: string; name?: string; bytes?: number } = {}): Promise<SealedArchive> {
  mkdirSync(dir, { recursive: true });
  const session = await pl.sessions.create({ kind: 'creation', title: options.title ?? 'Harbour poster 海港海报' });
  await pl.sessions.note(session.id, 'the draft the client approved');
  const file = join(dir, `${session.id.slice(0, 8)}-payload.bin`);
  const payload = Buffer.alloc(options.bytes ?? 4096);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 131 + 7) % 251;
  writeFileSync(file, payload);
  await pl.sessions.attach(session.id, [file]);
  await pl.sessions.seal(session.id);
  const archive = join(dir, options.name ?? `proofline-${session.id.slice(0, 8)}.zip`);
  await pl.exportSession(session.id, { out: archive });
  return { id: session.id, archive };
}

export function openData(dir: string): Proofline {
  return openProofline({ dataDir: dir });
}

/** Settings' vault block as a test gives it (endpoint and credentials from the services' environment). */
export function vaultSettings(url: string, patch: Partial<Settings['vault']> = {}): Settings['vault'] {
  return { url, endpoint: '', region: '', profile: '', retentionDays: 1, mode: 'COMPLIANCE', matter: '', ...patch };
}
