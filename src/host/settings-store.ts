import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { settingsSchema, type Settings, type SettingsPatch } from '../shared/contract.js';
import { fsyncPath } from '../core/store/fsync.js';

/** What the operations read Settings through: the app's file, or the CLI's settings in memory. */
export interface SettingsSource {
  get(): Settings;
  update(patch: SettingsPatch): Settings;
}

/**
 * The app's settings, one JSON file in the data folder shared by the app, `proofline serve`
 * and (for what they have in common, such as TSA URLs) nothing else: the CLI takes flags.
 * A damaged file is not fatal: defaults are used and the problem is reported once.
 */
export class SettingsStore implements SettingsSource {
  readonly path: string;
  private current: Settings;
  readonly problem: string | undefined;

  constructor(dataDir: string, defaults: SettingsPatch = {}) {
    this.path = join(dataDir, 'settings.json');
    let raw: unknown = {};
    let problem: string | undefined;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') problem = `${this.path} could not be read (${(error as Error).message}); defaults are in use`;
    }
    const parsed = settingsSchema.safeParse({ ...defaults, ...(raw as object) });
    if (parsed.success) {
      this.current = parsed.data;
    } else {
      problem = `${this.path} has invalid values (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}); defaults are in use`;
      this.current = settingsSchema.parse(defaults);
    }
    this.problem = problem;
  }

  get(): Settings {
    return this.current;
  }

  /** Validates the merged result, then writes it atomically (temp file, fsync, rename). */
  update(patch: SettingsPatch): Settings {
    const next = settingsSchema.parse({ ...this.current, ...patch, recording: { ...this.current.recording, ...patch.recording } });
    const temp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    fsyncPath(temp);
    renameSync(temp, this.path);
    this.current = next;
    return next;
  }
}
