import { arch, cpus, hostname, platform, release, totalmem, type as osType, version as osVersion } from 'node:os';
import type { JsonValue } from '../shared/domain.js';
import { APP_NAME, APP_VERSION } from '../shared/version.js';

/**
 * The environment facts every session records at its start (SPC Provisions on Evidence, Art. 93:
 * was the hardware and software environment complete and normal). Capture sources add more.
 */
export function basicEnvironment(): { [key: string]: JsonValue } {
  const cpuList = cpus();
  return {
    app: { name: APP_NAME, version: APP_VERSION },
    runtime: { node: process.versions.node, electron: process.versions['electron'] ?? null },
    os: { type: osType(), platform: platform(), release: release(), version: osVersion(), arch: arch() },
    host: hostname(),
    cpu: { model: cpuList[0]?.model ?? 'unknown', cores: cpuList.length },
    memoryBytes: totalmem(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}
