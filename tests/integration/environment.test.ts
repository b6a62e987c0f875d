import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureEnvironment,
  collectEnvironment,
  parseNvidiaSmi,
  parseWmicGpus,
  parseXdpyinfo,
  parseXrandr,
  POWERSHELL_GPU_ARGS,
  SYSTEM_PROFILER_ARGS,
  WMIC_GPU_ARGS,
  type CommandResult,
  type EnvironmentSnapshot,
} from '../../src/core/capture/environment/environment.js';
import type { ModelHashProgress } from '../../src/core/capture/environment/model-hashes.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let root: string;
let tsa: RunningTsa;
let xvfb: ChildProcess;
let display: string;
let comfy: Server;
let comfyUrl: string;
let models: string;
let big: string;
let small: string;
let nested: string;

// ComfyUI's GET /system_stats, shaped as server.py answers it (ComfyUI 0.3.x).
const SYSTEM_STATS = {
  system: {
    os: 'posix',
    ram_total: 67228049408,
    ram_free: 51230105600,
    comfyui_version: '0.3.43',
    python_version: '3.12.3 (main, Feb  4 2025, 14:48:35) [GCC 13.3.0]',
    pytorch_version: '2.7.1+cu128',
    embedded_python: false,
    argv: ['main.py', '--listen'],
  },
  devices: [{ name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25386352640, vram_free: 24000000000, torch_vram_total: 0, torch_vram_free: 0 }],
};

function sha256sum(path: string): string {
  return execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]!;
}

/** Xvfb picks a free display itself and writes its number to fd 3. */
function startXvfb(): Promise<{ child: ChildProcess; display: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x720x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    let text = '';
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve({ child, display: `:${text.trim()}` });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}`)));
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-env-'));
  tsa = await startTsa({ dir: root, name: 'Env' });
  ({ child: xvfb, display } = await startXvfb());
  comfy = createServer((req, res) => {
    // One loopback server speaks for both tools: ComfyUI's /system_stats and the A1111 web UI's
    // /sdapi/v1/options (a few of its many keys, as the web UI names them).
    if (req.url === '/system_stats') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(SYSTEM_STATS));
    } else if (req.url === '/sdapi/v1/options') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
        samples_save: true,
        sd_model_checkpoint: 'sd_xl_base_1.0.safetensors [31e35c80fc]',
        sd_checkpoint_hash: '31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b',
        sd_vae: 'Automatic',
        CLIP_stop_at_last_layers: 2,
      }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => comfy.listen(0, '127.0.0.1', r));
  comfyUrl = `http://127.0.0.1:${(comfy.address() as AddressInfo).port}/`;

  models = join(root, 'models');
  mkdirSync(join(models, 'vae'), { recursive: true });
  // 50 MB, sparse, with a random stretch in the middle so its hash is its own.
  big = join(models, 'checkpoint.safetensors');
  writeFileSync(big, '');
  truncateSync(big, 50 << 20);
  const fd = openSync(big, 'r+');
  writeSync(fd, randomBytes(4096), 0, 4096, 20 << 20);
  closeSync(fd);
  small = join(models, 'lora.pt');
  writeFileSync(small, randomBytes(70_000));
  nested = join(models, 'vae', 'vae.gguf');
  writeFileSync(nested, randomBytes(5_000));
  writeFileSync(join(models, 'README.txt'), 'not a model');
});

afterAll(async () => {
  xvfb?.kill();
  await new Promise<void>((r) => comfy?.close(() => r()));
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

function openStore(name: string): Proofline {
  return openProofline({ dataDir: join(root, name), tsaUrls: [tsa.url] });
}

describe('the environment snapshot', () => {
  it('records every fact this machine gives, stored as environment.json and summarised in the chain', async () => {
    const pl = openStore('full');
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'environment' });
      const progress: ModelHashProgress[] = [];
      const { event, snapshot } = await captureEnvironment(
        pl,
        session.id,
        { modelFolders: [models], comfyuiUrl: comfyUrl, a1111Url: comfyUrl, tsaUrls: [tsa.url], onProgress: (p) => progress.push(p) },
        { env: { ...process.env, DISPLAY: display } },
      );

      // The artifact is the snapshot, byte for byte what the event names.
      expect(event.body.type).toBe('environment.snapshot');
      const artifact = event.body.artifacts[0]!;
      expect(artifact).toMatchObject({ name: 'environment.json', mime: 'application/json' });
      const stored = JSON.parse(readFileSync(pl.blobs.pathOf(artifact.sha256), 'utf8')) as EnvironmentSnapshot;
      expect(stored).toEqual(JSON.parse(JSON.stringify(snapshot)));

      const osRelease = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))![1];
      expect(snapshot.os).toMatchObject({ available: true, platform: 'linux', distribution: osRelease });
      expect(snapshot.cpu).toMatchObject({ available: true });
      expect(snapshot.memory.available && snapshot.memory.totalBytes).toBeGreaterThan(0);
      expect(snapshot.ffmpeg).toMatchObject({ available: true, version: execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0]!.trim() });
      expect(snapshot.displays.available).toBe(true);
      if (snapshot.displays.available) {
        expect(['xrandr', 'xdpyinfo']).toContain(snapshot.displays.source);
        expect(snapshot.displays.displays[0]).toMatchObject({ width: 1280, height: 720 });
      }
      expect(snapshot.tools.comfyui).toMatchObject({ available: true, comfyuiVersion: '0.3.43', pytorchVersion: '2.7.1+cu128', pythonVersion: SYSTEM_STATS.system.python_version });
      expect(snapshot.tools.a1111).toEqual({
        available: true,
        url: comfyUrl,
        checkpoint: 'sd_xl_base_1.0.safetensors [31e35c80fc]',
        checkpointHash: '31e35c80fc4829d14f90153f4c74cd59c90b779f6afe05a74cd6120b893f7e5b',
        vae: 'Automatic',
        clipSkip: 2,
      });
      expect(snapshot.clock.available).toBe(true);
      if (snapshot.clock.available) {
        expect(snapshot.clock.url).toBe(tsa.url);
        expect(Math.abs(snapshot.clock.offsetMs)).toBeLessThanOrEqual(snapshot.clock.resolutionMs + 1000);
      }
      // No GPU on these machines is normal; either way the snapshot says which.
      if (snapshot.gpus.available) expect(snapshot.gpus.devices.length).toBeGreaterThan(0);
      else expect(snapshot.gpus.reason).toMatch(/no GPU found: .+/);

      // Model hashes: every model file, recursively, equal to sha256sum's; README.txt ignored.
      expect(snapshot.models.available).toBe(true);
      if (!snapshot.models.available) return;
      const files = snapshot.models.folders.flatMap((f) => (f.available ? f.files : []));
      expect(files.map((f) => [f.path, f.sha256, f.cached]).sort()).toEqual([
        [big, sha256sum(big), false],
        [small, sha256sum(small), false],
        [nested, sha256sum(nested), false],
      ].sort());
      const bigProgress = progress.filter((p) => p.file === big);
      expect(bigProgress.length).toBeGreaterThan(5);
      expect(bigProgress[bigProgress.length - 1]).toEqual({ kind: 'model-hash', file: big, done: 50 << 20, total: 50 << 20 });
      for (let i = 1; i < bigProgress.length; i++) expect(bigProgress[i]!.done).toBeGreaterThan(bigProgress[i - 1]!.done);

      // The event summary a person scans in the timeline.
      const payload = event.body.payload as Record<string, unknown>;
      expect(payload['ffmpeg']).toMatch(/^ffmpeg version /);
      expect(payload['comfyui']).toBe('ComfyUI 0.3.43, Python 3.12.3 (main, Feb  4 2025, 14:48:35) [GCC 13.3.0], PyTorch 2.7.1+cu128');
      expect(payload['modelHashes']).toContainEqual({ path: big, sha256: sha256sum(big), size: 50 << 20 });
      expect(payload['notAvailable']).not.toHaveProperty('ffmpeg');
    } finally {
      pl.close();
    }
  });

  it('does not read unchanged model files again, and re-hashes one that changed', async () => {
    const pl = openStore('cache');
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'cache' });
      await captureEnvironment(pl, session.id, { modelFolders: [models] });
      const second: ModelHashProgress[] = [];
      const again = await captureEnvironment(pl, session.id, { modelFolders: [models], onProgress: (p) => second.push(p) });
      expect(second).toEqual([]);
      expect(again.snapshot.models).toMatchObject({ available: true, files: 3, hashedNow: 0, fromCache: 3 });

      appendFileSync(small, 'more weights');
      const third: ModelHashProgress[] = [];
      const changed = await captureEnvironment(pl, session.id, { modelFolders: [models], onProgress: (p) => third.push(p) });
      expect(new Set(third.map((p) => p.file))).toEqual(new Set([small]));
      const files = changed.snapshot.models.available ? changed.snapshot.models.folders.flatMap((f) => (f.available ? f.files : [])) : [];
      expect(files.find((f) => f.path === small)).toMatchObject({ sha256: sha256sum(small), cached: false });
      expect(files.find((f) => f.path === big)).toMatchObject({ sha256: sha256sum(big), cached: true });
      // The cache survives reopening the store: it is a table, not memory.
      pl.close();
      const reopened = openStore('cache');
      try {
        const fourth: ModelHashProgress[] = [];
        await captureEnvironment(reopened, session.id, { modelFolders: [models], onProgress: (p) => fourth.push(p) });
        expect(fourth).toEqual([]);
      } finally {
        reopened.close();
      }
    } finally {
      try {
        pl.close();
      } catch {
        // already closed above
      }
    }
  });

  it('records a cancelled hashing as not available, and still records the rest', async () => {
    const pl = openStore('cancel');
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'cancel' });
      const abort = new AbortController();
      const { snapshot, event } = await captureEnvironment(pl, session.id, {
        modelFolders: [models],
        signal: abort.signal,
        onProgress: (p) => {
          if (p.file === big && p.done > 0) abort.abort();
        },
      });
      expect(snapshot.models).toMatchObject({ available: false });
      expect(!snapshot.models.available && snapshot.models.reason).toMatch(/cancelled by the user/);
      expect(snapshot.os.available).toBe(true);
      expect((event.body.payload['notAvailable'] as Record<string, string>)['models']).toMatch(/cancelled/);
      // The half-read file was not cached as if it were whole.
      const row = pl.db.prepare('SELECT sha256 FROM model_hash_cache WHERE path = ?').get(big);
      expect(row).toBeUndefined();
    } finally {
      pl.close();
    }
  });

  it('says why each fact is missing instead of failing', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const pl = openStore('bare');
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'bare' });
      const env = { ...process.env };
      delete env['DISPLAY'];
      delete env['WAYLAND_DISPLAY'];
      const { snapshot, event } = await captureEnvironment(
        pl,
        session.id,
        { modelFolders: [join(root, 'no-such-folder')], comfyuiUrl: `http://127.0.0.1:${deadPort}`, ffmpegPath: join(root, 'no-ffmpeg'), tsaUrls: [] },
        { env },
      );
      expect(snapshot.displays).toEqual({ available: false, reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set (a headless machine or a service)' });
      expect(snapshot.tools.comfyui).toMatchObject({ available: false, reason: expect.stringMatching(new RegExp(`127\\.0\\.0\\.1:${deadPort}/system_stats could not be read: ECONNREFUSED`)) });
      expect(snapshot.ffmpeg).toMatchObject({ available: false, reason: expect.stringMatching(/configured ffmpeg .*no-ffmpeg.* does not exist/) });
      expect(snapshot.clock).toEqual({ available: false, reason: 'no time-stamping authority is configured' });
      expect(snapshot.tools.a1111).toEqual({ available: false, reason: 'no AUTOMATIC1111 URL is configured' });
      expect(snapshot.models.available).toBe(true);
      if (snapshot.models.available) expect(snapshot.models.folders[0]).toMatchObject({ available: false, reason: expect.stringMatching(/cannot read .*no-such-folder: ENOENT/) });
      const notAvailable = event.body.payload['notAvailable'] as Record<string, string>;
      expect(Object.keys(notAvailable)).toEqual(expect.arrayContaining(['displays', 'comfyui', 'ffmpeg', 'clock']));
      expect(event.body.payload['displays']).toMatch(/^not available: no display/);
    } finally {
      pl.close();
    }
  });

  it('refuses to record into a sealed session', async () => {
    const pl = openStore('sealed');
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'sealed' });
      await pl.sessions.seal(session.id);
      await expect(captureEnvironment(pl, session.id, {})).rejects.toThrow(/was sealed at .*: nothing more can be added/);
    } finally {
      pl.close();
    }
  });
});

describe('probes for other platforms (run here with their recorded outputs)', () => {
  type Call = { command: string; args: readonly string[] };
  const fake = (answers: Record<string, CommandResult>, calls: Call[]) => async (command: string, args: readonly string[]): Promise<CommandResult> => {
    calls.push({ command, args });
    return answers[command] ?? { ok: false, stdout: '', reason: `${command} is not installed (not found on PATH)` };
  };

  it('Windows: GPUs through PowerShell CIM, falling back to wmic; screens through System.Windows.Forms', async () => {
    const calls: Call[] = [];
    const snapshot = await collectEnvironment({ ffmpegPath: join(root, 'none') }, {
      platform: 'win32',
      run: fake({
        'powershell.exe': {
          ok: true,
          reason: '',
          stdout: '',
        },
      }, calls),
    }).catch((error: Error) => error);
    // An empty PowerShell answer is not JSON: wmic is tried next, and the snapshot says why neither gave anything.
    expect(snapshot).not.toBeInstanceOf(Error);
    const s = snapshot as EnvironmentSnapshot;
    expect(calls.map((c) => c.command)).toContain('wmic');
    expect(s.gpus).toMatchObject({ available: false, reason: expect.stringMatching(/no GPU found: PowerShell's Win32_VideoController answer was not JSON .*; wmic is not installed/) });
    expect(s.displays).toMatchObject({ available: false, reason: expect.stringMatching(/the displays probe failed/) });

    const gpuJson = JSON.stringify([
      { Name: 'NVIDIA GeForce RTX 3060', DriverVersion: '31.0.15.3623', AdapterRAM: 4293918720, PNPDeviceID: 'PCI\\VEN_10DE&DEV_2504&SUBSYS_397D1462&REV_A1\\4&2283F625&0&0019' },
      { Name: 'Intel(R) UHD Graphics 770', DriverVersion: '31.0.101.4255', AdapterRAM: 1073741824, PNPDeviceID: 'PCI\\VEN_8086&DEV_4680&SUBSYS_7D251462&REV_0C\\3&11583659&0&10' },
    ]);
    const screensJson = JSON.stringify([{ DeviceName: '\\\\.\\DISPLAY1', Primary: true, Width: 2560, Height: 1440 }, { DeviceName: '\\\\.\\DISPLAY2', Primary: false, Width: 1920, Height: 1080 }]);
    const calls2: Call[] = [];
    const win = await collectEnvironment({}, {
      platform: 'win32',
      run: async (command, args) => {
        calls2.push({ command, args });
        if (command === 'powershell.exe') return { ok: true, reason: '', stdout: args.join(' ').includes('Win32_VideoController') ? gpuJson : screensJson };
        return { ok: false, stdout: '', reason: `${command} is not installed (not found on PATH)` };
      },
    });
    expect(calls2).toContainEqual({ command: 'powershell.exe', args: POWERSHELL_GPU_ARGS });
    expect(win.gpus).toMatchObject({ available: true, devices: [
      { name: 'NVIDIA GeForce RTX 3060', vendor: 'NVIDIA', driverVersion: '31.0.15.3623', memoryBytes: 4293918720, source: 'powershell' },
      { name: 'Intel(R) UHD Graphics 770', vendor: 'Intel', driverVersion: '31.0.101.4255', source: 'powershell' },
    ] });
    expect(win.displays).toEqual({ available: true, source: 'powershell', detail: null, displays: [
      { name: 'DISPLAY1', width: 2560, height: 1440, primary: true, connected: true },
      { name: 'DISPLAY2', width: 1920, height: 1080, primary: false, connected: true },
    ] });

    // No PowerShell (Windows 7 without WMF, a locked-down machine): wmic's CSV.
    const wmicCsv = '\r\r\nNode,AdapterRAM,DriverVersion,Name,PNPDeviceID\r\r\nDESKTOP-AB12,4293918720,31.0.15.3623,NVIDIA GeForce RTX 3060,PCI\\VEN_10DE&DEV_2504&SUBSYS_397D1462&REV_A1\\4&2283F625&0&0019\r\r\n';
    const calls3: Call[] = [];
    const old = await collectEnvironment({}, { platform: 'win32', run: fake({ wmic: { ok: true, reason: '', stdout: wmicCsv } }, calls3) });
    expect(calls3.map((c) => c.command)).toEqual(expect.arrayContaining(['powershell.exe', 'wmic', 'nvidia-smi']));
    expect(calls3).toContainEqual({ command: 'wmic', args: WMIC_GPU_ARGS });
    expect(old.gpus).toMatchObject({ available: true, devices: [{ name: 'NVIDIA GeForce RTX 3060', driverVersion: '31.0.15.3623', source: 'wmic', vendor: 'NVIDIA' }] });
    expect(old.displays).toEqual({ available: false, reason: 'powershell.exe is not installed (not found on PATH)' });
  });

  it('macOS: GPUs and displays from system_profiler SPDisplaysDataType -json, the version from sw_vers', async () => {
    const profiler = JSON.stringify({
      SPDisplaysDataType: [{
        _name: 'Apple M2 Pro',
        spdisplays_mtlgpufamilysupport: 'spdisplays_metal3',
        spdisplays_ndrvs: [{ _name: 'Color LCD', _spdisplays_pixels: '3024 x 1964', _spdisplays_resolution: '1512 x 982 @ 120.00Hz', spdisplays_main: 'spdisplays_yes', spdisplays_online: 'spdisplays_yes' }],
        spdisplays_vendor: 'sppci_vendor_Apple',
        sppci_cores: '19',
        sppci_device_type: 'spdisplays_gpu',
        sppci_model: 'Apple M2 Pro',
      }],
    });
    const calls: Call[] = [];
    const mac = await collectEnvironment({}, {
      platform: 'darwin',
      run: fake({
        system_profiler: { ok: true, reason: '', stdout: profiler },
        sw_vers: { ok: true, reason: '', stdout: 'ProductName:\t\tmacOS\nProductVersion:\t\t14.5\nBuildVersion:\t\t23F79\n' },
      }, calls),
    });
    expect(calls).toContainEqual({ command: 'system_profiler', args: SYSTEM_PROFILER_ARGS });
    expect(calls.some((c) => c.command === 'nvidia-smi')).toBe(false);
    expect(mac.os).toMatchObject({ available: true, distribution: 'macOS 14.5 (23F79)' });
    expect(mac.gpus).toMatchObject({ available: true, devices: [{ name: 'Apple M2 Pro', vendor: 'Apple', driver: 'spdisplays_metal3', source: 'system_profiler' }] });
    expect(mac.displays).toMatchObject({ available: true, displays: [{ name: 'Color LCD', width: 3024, height: 1964, primary: true }] });
  });

  it('Linux: nvidia-smi, xrandr and xdpyinfo outputs', async () => {
    expect(parseNvidiaSmi('NVIDIA GeForce RTX 4090, 550.54.14, 24564 MiB\nNVIDIA RTX A6000, 550.54.14, 49140 MiB\n')).toEqual([
      { name: 'NVIDIA GeForce RTX 4090', vendor: 'NVIDIA', driverVersion: '550.54.14', memoryBytes: 24564 * 1024 * 1024, source: 'nvidia-smi' },
      { name: 'NVIDIA RTX A6000', vendor: 'NVIDIA', driverVersion: '550.54.14', memoryBytes: 49140 * 1024 * 1024, source: 'nvidia-smi' },
    ]);
    const calls: Call[] = [];
    const linux = await collectEnvironment({}, {
      platform: 'linux',
      env: { DISPLAY: ':0' },
      run: fake({ 'nvidia-smi': { ok: true, reason: '', stdout: 'NVIDIA GeForce RTX 4090, 550.54.14, 24564 MiB\n' } }, calls),
      readText: async (path) => {
        if (path === '/proc/driver/nvidia/version') return 'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n';
        return readFileSync(path, 'utf8');
      },
    });
    expect(linux.gpus).toMatchObject({ available: true, nvidiaKernelModule: '550.54.14' });
    // Real /sys/class/drm cards may sit beside it on a machine that has them; the NVIDIA one is nvidia-smi's.
    expect(linux.gpus.available && linux.gpus.devices).toContainEqual(expect.objectContaining({ name: 'NVIDIA GeForce RTX 4090', driverVersion: '550.54.14', source: 'nvidia-smi' }));
    // Neither xrandr nor xdpyinfo answered: the DISPLAY name is all there is, and the snapshot says why.
    expect(linux.displays).toMatchObject({ available: true, source: 'DISPLAY', displays: [{ name: ':0' }], detail: expect.stringMatching(/xrandr is not installed.*xdpyinfo is not installed/) });

    expect(parseXrandr('Screen 0: minimum 320 x 200, current 3840 x 1080, maximum 16384 x 16384\nDP-1 connected primary 1920x1080+0+0 (normal left inverted right x axis y axis) 527mm x 296mm\n   1920x1080     60.00*+\nHDMI-1 connected 1920x1080+1920+0 (normal) 527mm x 296mm\nDP-2 disconnected (normal left inverted right x axis y axis)\n')).toEqual([
      { name: 'DP-1', connected: true, primary: true, width: 1920, height: 1080 },
      { name: 'HDMI-1', connected: true, primary: false, width: 1920, height: 1080 },
    ]);
    expect(parseXdpyinfo('name of display:    :0\nscreen #0:\n  dimensions:    2560x1440 pixels (677x381 millimeters)\n')).toEqual([{ name: 'screen 0', width: 2560, height: 1440 }]);
    expect(parseWmicGpus('Node,AdapterRAM,DriverVersion,Name,PNPDeviceID\nPC,0,1.0,Vendor, Inc. GPU,PCI\\VEN_1002&DEV_73BF\n')[0]).toMatchObject({ name: 'Vendor, Inc. GPU', vendor: 'AMD' });
  });
});
