// Vitest's global setup: Redis and a one-node Ceph S3 gateway on loopback for the fleet and vault
// tests, started by scripts/services.sh (the script .ci/run uses too). When
// PROOFLINE_TEST_SERVICES names a folder the script already started (as .ci/run does), those are
// used; otherwise they are started here into a temporary folder and stopped after the run.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/services.sh');

function readEnv(dir: string): Record<string, string> {
  const lines = readFileSync(join(dir, 'env'), 'utf8').split('\n').filter((line) => line.includes('='));
  return Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

export default function setup(project: TestProject): () => void {
  const given = process.env.PROOFLINE_TEST_SERVICES;
  let dir: string;
  let owned = false;
  if (given && existsSync(join(given, 'env'))) {
    dir = given;
  } else {
    dir = mkdtempSync(join(tmpdir(), 'proofline-services-'));
    owned = true;
    execFileSync(SCRIPT, ['start', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const env = readEnv(dir);
  Object.assign(process.env, env);
  project.provide('services', env);
  return () => {
    if (!owned) return;
    try {
      execFileSync(SCRIPT, ['stop', dir], { stdio: 'ignore' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: Record<string, string>;
  }
}
