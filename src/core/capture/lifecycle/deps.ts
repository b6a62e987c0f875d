import type { Settings } from '../../../shared/contract.js';
import type { Proofline } from '../../proofline.js';
import type { CaptureNotice } from '../capture-source.js';

/** What the lifecycle needs from its host: nothing of electron, the window or the terminal. */
export interface CaptureLifecycleDeps {
  readonly pl: Proofline;
  /** The settings in force now: the app's Settings; for the CLI, the defaults and its TSAs. */
  readonly settings: () => Settings;
  /** Every notice of every capture source of every session (a segment stored, a folder error…). */
  readonly onNotice?: (sessionId: string, notice: CaptureNotice) => void;
  /** Background work that failed with no caller to tell (default: one line on stderr). */
  readonly onBackgroundError?: (message: string, cause: unknown) => void;
}

/** The same, with the defaults filled in: what each part of the lifecycle is given. */
export interface LifecycleContext {
  readonly pl: Proofline;
  readonly settings: () => Settings;
  readonly notify: (sessionId: string, notice: CaptureNotice) => void;
  readonly reportBackground: (message: string, cause: unknown) => void;
}

export function lifecycleContext(deps: CaptureLifecycleDeps): LifecycleContext {
  return {
    pl: deps.pl,
    settings: deps.settings,
    notify: deps.onNotice ?? (() => {}),
    reportBackground: deps.onBackgroundError ?? ((message) => process.stderr.write(`proofline: ${message}\n`)),
  };
}

/** A Settings path or browser field: '' means "not set", which the capture modules call undefined. */
export const orUndefined = (value: string): string | undefined => value || undefined;
