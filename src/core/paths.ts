import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The folder the CLI shares with the desktop app: Electron's `app.getPath('userData')` for an
 * app named "Proofline" (appData + name), so both see the same sessions.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['PROOFLINE_DATA']) return env['PROOFLINE_DATA'];
  if (platform === 'win32') return join(env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'), 'Proofline');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Proofline');
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'Proofline');
}

export interface DataLayout {
  readonly database: string;
  readonly blobs: string;
  readonly device: string;
}

export function dataLayout(dataDir: string): DataLayout {
  return {
    database: join(dataDir, 'proofline.sqlite'),
    blobs: join(dataDir, 'blobs'),
    device: join(dataDir, 'device'),
  };
}

/** `PROOFLINE_TSA_URLS`: comma-separated, shared by the CLI and the app. */
export function tsaUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env['PROOFLINE_TSA_URLS'] ?? '').split(',').map((u) => u.trim()).filter(Boolean);
}
