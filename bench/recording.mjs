// Screen recording through Proofline (its recorder in a Node process: ffmpeg plus segments hashed
// and appended as they close) against the same ffmpeg command run bare, on a 1280x720 Xvfb display
// with a moving pattern, at 30 fps. Reports CPU seconds, peak memory of the process tree and
// dropped frames, and the CPU ratio (aim: at most 1.1x).
//
//   node bench/recording.mjs [--seconds 20] [--repeats 1] [--fps 30] [--keep]
//
// bench/run.mjs can call it: `import { benchRecording } from './recording.mjs'`.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const build = join(here, '../build/core');
const GNU_TIME = '/usr/bin/time';
const log = (...a) => console.error(`[bench recording ${new Date().toISOString().slice(11, 19)}]`, ...a);

export async function benchRecording({ seconds = 20, repeats = 1, fps = 30, keep = false } = {}) {
  for (const tool of ['Xvfb', 'ffmpeg']) {
    if (spawnSync(tool, ['-version'], { stdio: 'ignore' }).error) throw new Error(`bench recording: '${tool}' is not installed (apt-get install -y xvfb ffmpeg)`);
  }
  if (!existsSync(GNU_TIME)) throw new Error('bench recording: /usr/bin/time (GNU time) is needed for CPU figures (apt-get install -y time)');
  if (!existsSync(join(build, 'capture/recording/screen-args.js'))) throw new Error("bench recording: the core is not built; run 'npm run build:cli' first");
  const { buildScreenArgs, findClockFont, QUALITY, segmentListName } = await import(pathToFileURL(join(build, 'capture/recording/screen-args.js')).href);
  const { openProofline } = await import(pathToFileURL(join(build, 'proofline.js')).href);

  const work = mkdtempSync(join(tmpdir(), 'proofline-bench-rec-'));
  const display = await startDisplay(work);
  const runs = { ours: [], bare: [] };
  try {
    for (let i = 0; i < repeats; i++) {
      // Alternate the order so that drift (other load, thermal) lands on both.
      const order = i % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
      for (const name of order) {
        const dir = join(work, `${name}-${i}`);
        mkdirSync(dir, { recursive: true });
        const result = name === 'bare' ? await bare(dir) : await ours(dir);
        runs[name].push(result);
        log(`${name} ${i + 1}/${repeats}: ${result.cpuSeconds.toFixed(2)} CPU s, peak ${Math.round(result.peakRssKb / 1024)} MiB, ${result.droppedFrames} dropped of ${result.frames}`);
      }
    }
  } finally {
    await display.stop();
    if (!keep) rmSync(work, { recursive: true, force: true });
    else log(`kept ${work}`);
  }
  const med = (list, key) => {
    const sorted = list.map((r) => r[key]).sort((a, b) => a - b);
    return sorted[(sorted.length - 1) >> 1];
  };
  const summary = {
    date: new Date().toISOString(),
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, ffmpeg: firstLine('ffmpeg', ['-version']) },
    settings: { size: '1280x720', fps, seconds, repeats, quality: 'standard (libx264 ultrafast, CRF 28)', segmentSeconds: 10, clock: true },
    ours: { cpuSeconds: med(runs.ours, 'cpuSeconds'), startCpuSeconds: med(runs.ours, 'startCpuSeconds'), peakRssKb: med(runs.ours, 'peakRssKb'), droppedFrames: med(runs.ours, 'droppedFrames'), frames: med(runs.ours, 'frames'), segments: med(runs.ours, 'segments') },
    bare: { cpuSeconds: med(runs.bare, 'cpuSeconds'), peakRssKb: med(runs.bare, 'peakRssKb'), droppedFrames: med(runs.bare, 'droppedFrames'), frames: med(runs.bare, 'frames'), segments: med(runs.bare, 'segments') },
    runs,
  };
  summary.cliStart = await cliStart();
  summary.cpuRatio = summary.ours.cpuSeconds / summary.bare.cpuSeconds;
  summary.steadyCpuRatio = (summary.ours.cpuSeconds - summary.ours.startCpuSeconds) / summary.bare.cpuSeconds;
  summary.cpuPerFrameRatio = summary.ours.cpuSeconds / summary.ours.frames / (summary.bare.cpuSeconds / summary.bare.frames);
  summary.memoryRatio = summary.ours.peakRssKb / summary.bare.peakRssKb;
  return summary;

  function settings(dir, run = 1) {
    return {
      platform: 'linux',
      display: display.name,
      fps,
      quality: QUALITY.standard,
      segmentSeconds: 10,
      clockFont: findClockFont(),
      outputDir: dir,
      segmentList: join(dir, segmentListName(run)),
      startNumber: 0,
    };
  }

  /** The exact command Proofline runs, bare: stopped with 'q' after `seconds`, as Proofline stops it. */
  async function bare(dir) {
    const { args } = buildScreenArgs(settings(dir));
    let stdout = '';
    const timed = timedTree(['ffmpeg', ...args], (child) => {
      child.stdout.on('data', (d) => (stdout += d));
      setTimeout(() => child.stdin.end('q\n'), seconds * 1000);
    });
    const result = await timed;
    const blocks = stdout.split('progress=').slice(0, -1);
    const last = blocks.at(-1) ?? '';
    const value = (key) => Number(new RegExp(`${key}=(\\d+)`).exec(last)?.[1] ?? 0);
    const segments = readFileSync(join(dir, segmentListName(1)), 'utf8').trim().split('\n').length;
    return { ...result, droppedFrames: value('drop_frames'), frames: value('frame'), segments };
  }

  /**
   * Proofline's recorder as the app runs it: the core in a Node process (store open, recovery scan,
   * startScreenRecording, stop after `seconds` counted from the call, as bare ffmpeg's are counted
   * from its spawn). The CLI's own start-up is measured apart (cliStart): it loads every command.
   */
  async function ours(dir) {
    const dataDir = join(dir, 'data');
    const pl = openProofline({ dataDir });
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'bench: screen recording' });
    pl.close();
    const script = `
      const [dataDir, id, display, fps, seconds] = process.argv.slice(-5);
      const { openProofline } = await import(${JSON.stringify(pathToFileURL(join(build, 'proofline.js')).href)});
      const { startScreenRecording } = await import(${JSON.stringify(pathToFileURL(join(build, 'capture/recording/screen-recorder.js')).href)});
      const { recoverInterruptedRecordings } = await import(${JSON.stringify(pathToFileURL(join(build, 'capture/recording/recording-recovery.js')).href)});
      const pl = openProofline({ dataDir });
      await recoverInterruptedRecordings(pl);
      if (seconds === '0') { pl.close(); process.exit(0); }
      const t0 = Date.now();
      const rec = await startScreenRecording(pl, id, { display, fps: Number(fps) });
      await new Promise((r) => setTimeout(r, Math.max(0, Number(seconds) * 1000 - (Date.now() - t0))));
      await rec.stop('bench');
      pl.close();`;
    // The one-off start (load the core, open the store, recovery scan), measured alone first.
    const start = await timedTree([process.execPath, '--input-type=module', '-e', script, '--', dataDir, id, display.name, String(fps), '0']);
    const result = await timedTree([process.execPath, '--input-type=module', '-e', script, '--', dataDir, id, display.name, String(fps), String(seconds)]);
    result.startCpuSeconds = start.cpuSeconds;
    if (result.code !== 0) throw new Error(`the recorder exited with ${result.code}: ${result.stderr.slice(-1000)}`);
    const check = openProofline({ dataDir });
    try {
      const events = [...check.events.iterate(id)].map((e) => e.body);
      const stopped = events.find((e) => e.type === 'recording.stopped');
      if (!stopped) throw new Error('the recorder left no recording.stopped event');
      return { ...result, droppedFrames: stopped.payload.droppedFrames, frames: stopped.payload.frames, segments: events.filter((e) => e.type === 'recording.segment').length };
    } finally {
      check.close();
    }
  }
}

/** CPU and memory of starting the CLI at all (`proofline --help`): paid once per `proofline record`. */
async function cliStart() {
  const r = await timedTree([process.execPath, join(here, '../bin/proofline'), '--help']);
  return { cpuSeconds: r.cpuSeconds, peakRssKb: r.peakRssKb };
}

/**
 * Runs a command under GNU time (CPU of the whole waited-for tree: node and its ffmpeg) and
 * samples the summed RSS of the tree every 250 ms from /proc.
 */
function timedTree(command, attach) {
  return new Promise((resolve, reject) => {
    const timeFile = join(tmpdir(), `bench-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const child = spawn(GNU_TIME, ['-f', '%U %S %e', '-o', timeFile, ...command], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    if (!attach) child.stdout.resume();
    attach?.(child);
    let peakRssKb = 0;
    const sampler = setInterval(() => (peakRssKb = Math.max(peakRssKb, treeRssKb(child.pid))), 250);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(sampler);
      const [user, system, wall] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
      rmSync(timeFile, { force: true });
      resolve({ code, cpuSeconds: user + system, wallSeconds: wall, peakRssKb, stderr });
    });
  });
}

function treeRssKb(pid) {
  let total = 0;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) total += treeRssKb(Number(task));
  } catch {
    // exited meanwhile
  }
  return total;
}

async function startDisplay(work) {
  const fdFile = join(work, 'display');
  const fd = openSync(fdFile, 'w');
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
  closeSync(fd);
  const started = Date.now();
  while (!/^\d+\n/.test(readFileSync(fdFile, 'utf8'))) {
    if (Date.now() - started > 15_000) throw new Error('Xvfb did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  const name = `:${readFileSync(fdFile, 'utf8').trim()}`;
  // Something that moves, so the encoder has real work: ffmpeg's test pattern in an SDL window.
  const painter = spawn('ffmpeg', ['-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-pix_fmt', 'yuv420p', '-f', 'sdl2', 'bench'], {
    stdio: 'ignore',
    env: { ...process.env, DISPLAY: name, SDL_VIDEODRIVER: 'x11', SDL_AUDIODRIVER: 'dummy' },
  });
  return {
    name,
    async stop() {
      painter.kill('SIGKILL');
      xvfb.kill('SIGTERM');
      await Promise.all([painter, xvfb].map((p) => (p.exitCode !== null || p.signalCode !== null ? undefined : new Promise((r) => p.once('exit', r)))));
    },
  };
}

function firstLine(cmd, args) {
  return (spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '').split('\n')[0]?.trim() ?? 'unknown';
}

export function recordingMarkdown(s) {
  const mib = (kb) => `${(kb / 1024).toFixed(0)} MiB`;
  const cpu = (r) => `${r.cpuSeconds.toFixed(2)} s (${((100 * r.cpuSeconds) / s.settings.seconds).toFixed(0)}% of a core)`;
  return [
    `### Screen recording: ${s.settings.size} at ${s.settings.fps} fps for ${s.settings.seconds} s (${s.settings.quality}, clock on)`,
    '',
    '| | CPU | peak memory (process tree) | frames | dropped | segments |',
    '|---|---|---|---|---|---|',
    `| Proofline recorder (core, as the app runs it) | ${cpu(s.ours)} | ${mib(s.ours.peakRssKb)} | ${s.ours.frames} | ${s.ours.droppedFrames} | ${s.ours.segments} |`,
    `| bare ffmpeg, same command | ${cpu(s.bare)} | ${mib(s.bare.peakRssKb)} | ${s.bare.frames} | ${s.bare.droppedFrames} | ${s.bare.segments} |`,
    '',
    `CPU ratio ${s.cpuRatio.toFixed(3)}x (per frame encoded ${s.cpuPerFrameRatio.toFixed(3)}x; aim <= 1.1x); without the one-off start of the core (${s.ours.startCpuSeconds.toFixed(2)} CPU s: load modules, open the store, recovery scan) ${s.steadyCpuRatio.toFixed(3)}x. Memory ratio ${s.memoryRatio.toFixed(2)}x.`,
    `\`proofline record\` adds the CLI's start-up once: ${s.cliStart.cpuSeconds.toFixed(2)} CPU s, ${mib(s.cliStart.peakRssKb)} (\`proofline --help\` alone).`,
    `${s.machine.cores} cores, ${s.machine.cpu}; ${s.machine.ffmpeg}.`,
    '',
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '20' }, repeats: { type: 'string', default: '1' }, fps: { type: 'string', default: '30' }, keep: { type: 'boolean', default: false } },
  });
  const summary = await benchRecording({ seconds: Number(values.seconds), repeats: Number(values.repeats), fps: Number(values.fps), keep: values.keep });
  const md = recordingMarkdown(summary);
  const results = join(here, 'results');
  mkdirSync(results, { recursive: true });
  writeFileSync(join(results, 'recording.json'), `${JSON.stringify(summary, null, 2)}\n`);
  writeFileSync(join(results, 'recording.md'), md);
  process.stdout.write(md);
}
