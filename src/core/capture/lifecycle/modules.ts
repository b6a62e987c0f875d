// The capture modules, each loaded on first use: a host that only adds a note or seals never
// loads the recorder, the folder watcher, the image decoders or Playwright, so the command line
// starts as fast as it did before it became a host (README "Command line").

export const screenRecorder = () => import('../recording/screen-recorder.js');
export const screenArgs = () => import('../recording/screen-args.js');
export const ffmpegLocate = () => import('../recording/ffmpeg-locate.js');
export const recovery = () => import('../recording/recording-recovery.js');
export const displayCheck = () => import('../recording/display-check.js');

export const folderWatch = () => import('../creation/folder-watch.js');
export const folderCheck = () => import('../creation/watch-folders-check.js');
export const comfyui = () => import('../creation/comfyui.js');
export const marks = () => import('../creation/marks.js');
export const lineage = () => import('../creation/lineage.js');
export const compare = () => import('../creation/compare.js');

export const environment = () => import('../environment/environment.js');

export const browserLocate = () => import('../web/browser-locate.js');
export const cleanEnv = () => import('../web/clean-env/index.js');
export const batchCapture = () => import('../web/capture-urls.js');
export const batchRecovery = () => import('../web/batch-recovery.js');
export const interactive = () => import('../web/interactive.js');
