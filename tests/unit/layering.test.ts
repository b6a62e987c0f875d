import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layers of DESIGN.md ("Architecture"): store, attest and archive know nothing of capture
// or of the session service above them; src/core never imports electron; no file of the core
// reaches itself again through its imports. Type-only imports count: they bind the files too.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const core = join(root, 'src/core');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file names: `… from '…'`, `import '…'` and `import('…')`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const pattern = /\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const match of source.matchAll(pattern)) found.push((match[1] ?? match[2] ?? match[3])!);
  return found;
}

/** The .ts file a relative specifier names (NodeNext: './x.js' is ./x.ts), if it exists. */
function resolveLocal(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

const name = (path: string): string => relative(core, path).split(sep).join('/');

const files = tsFiles(core);
const graph = new Map<string, { readonly local: string[]; readonly packages: string[] }>();
for (const file of files) {
  const specs = specifiers(readFileSync(file, 'utf8'));
  const local = specs.map((spec) => resolveLocal(file, spec)).filter((path): path is string => path !== undefined);
  graph.set(name(file), { local: [...new Set(local.map(name))], packages: specs.filter((spec) => !spec.startsWith('.')) });
}

/** Each import cycle once, as the chain of files that closes it. */
function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file)?.local ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return found;
}

describe('the layers of src/core', () => {
  it('finds the files and their imports', () => {
    expect(graph.size).toBeGreaterThan(50);
    expect(graph.get('proofline.ts')?.local).toContain('session-service.ts');
  });

  it('has no import cycle among its files', () => {
    expect(cycles().map((cycle) => cycle.join(' -> '))).toEqual([]);
  });

  it('keeps store/, attest/ and archive/ below capture/ and the session service', () => {
    const upward: string[] = [];
    for (const [file, { local }] of graph) {
      if (!/^(store|attest|archive)\//.test(file)) continue;
      for (const target of local) {
        if (target.startsWith('capture/') || target === 'session-service.ts' || target === 'proofline.ts') upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('keeps the session service off capture/', () => {
    expect((graph.get('session-service.ts')?.local ?? []).filter((target) => target.startsWith('capture/'))).toEqual([]);
  });

  it('never imports electron', () => {
    const electron: string[] = [];
    for (const [file, { packages }] of graph) {
      for (const spec of packages) if (spec === 'electron' || spec.startsWith('electron/') || spec.startsWith('@electron/')) electron.push(`${file} -> ${spec}`);
    }
    expect(electron).toEqual([]);
  });
});
