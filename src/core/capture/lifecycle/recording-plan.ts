// What a recording needs, checked before anything of it is recorded (issue 11, point 7): a start
// that failed used to enter "Recording started", a segment and "stopped by the user" in the
// evidence after 10–17 s. Here every source asked for is checked first, cheapest first, and the
// first problem is the caller's error, with nothing written and no ffmpeg started:
// - the watched and draft folders exist, are folders and can be read;
// - a ComfyUI address is an http(s) URL, and ComfyUI answers there;
// - only when the screen is recorded: ffmpeg is found and runs (an ffmpeg path that is wrong does
//   not matter to a recording of folders alone, which never starts ffmpeg), and the X display
//   answers.
import type { Settings } from '../../../shared/contract.js';
import { ProoflineError } from '../../errors.js';
import type { LocatedFfmpeg } from '../recording/ffmpeg-locate.js';
import type { ParsedInputOf } from '../../../shared/contract.js';
import { orUndefined } from './deps.js';
import * as load from './modules.js';

export type RecordingRequest = Omit<ParsedInputOf<'recording.start'>, 'id'>;

export interface ScreenPlan {
  readonly ffmpeg: LocatedFfmpeg;
  /** The display to record: the request's, Settings', $DISPLAY or ":0" (X11); the system's elsewhere. */
  readonly display: string | undefined;
  /** The display as claims compare it (`:99.0` and `:99` are one). */
  readonly displayKey: string;
}

export interface RecordingPlan {
  readonly screen?: ScreenPlan;
  readonly folders: readonly string[];
  readonly drafts: readonly string[];
  readonly comfyuiUrl?: string;
}

/** Checks every source the request (or Settings) asks for; throws the first problem found. */
export async function planRecording(request: RecordingRequest, s: Settings): Promise<RecordingPlan> {
  const askedFolders = request.watch ?? s.watchFolders;
  const askedDrafts = request.drafts ?? s.draftFolders;
  const comfy = request.comfyuiUrl ?? orUndefined(s.comfyuiUrl);
  if (!request.screen && askedFolders.length + askedDrafts.length === 0 && !comfy) {
    throw new ProoflineError('recording.nothing', 'Nothing to record: turn on screen recording, or add a watched folder or a ComfyUI address in Settings.');
  }
  let folders: string[] = [];
  let drafts: string[] = [];
  if (askedFolders.length + askedDrafts.length > 0) {
    const { checkFolders } = await load.folderCheck();
    folders = await checkFolders(askedFolders, 'output');
    drafts = await checkFolders(askedDrafts, 'draft');
  }
  const comfyui = comfy ? await load.comfyui() : undefined;
  const comfyuiUrl = comfy && comfyui ? comfyui.normaliseUrl(comfy) : undefined;
  let screen: ScreenPlan | undefined;
  if (request.screen) {
    const [{ locateFfmpeg }, { assertDisplayReachable, displayKey }] = await Promise.all([load.ffmpegLocate(), load.displayCheck()]);
    const ffmpeg = await locateFfmpeg(request.ffmpegPath ?? orUndefined(s.ffmpegPath));
    const asked = request.display ?? orUndefined(s.recording.display);
    const display = process.platform === 'linux' ? asked ?? process.env['DISPLAY'] ?? ':0' : asked;
    if (display !== undefined) await assertDisplayReachable(display);
    screen = { ffmpeg, display, displayKey: displayKey(display ?? `${process.platform}:screen`) };
  }
  // Last: the one check that may wait on the network.
  if (comfyuiUrl && comfyui) await comfyui.probeComfyUI(comfyuiUrl, 5_000);
  return { screen, folders, drafts, comfyuiUrl };
}
