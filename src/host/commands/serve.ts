import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { ProoflineError } from '../../core/errors.js';
import { UsageError, type CliContext } from '../cli-context.js';

/** The project root, from build/host/commands/ (compiled) or src/host/commands/ (tsx). */
const APP_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `proofline serve`: the desktop UI in a browser, on 127.0.0.1 with a per-launch secret. */
export function registerServeCommands(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('serve the Proofline UI on 127.0.0.1 (for machines without the desktop app); prints the address with its secret')
    .option('--port <n>', 'port to listen on (default: any free port)')
    .option('--no-open', 'do not open a browser')
    .option('--renderer <dir>', 'built UI to serve (default: out/renderer of this installation)')
    .action(async (opts: { port?: string; open: boolean; renderer?: string }) => {
      const port = opts.port === undefined ? 0 : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not '${opts.port}'`);
      // Loaded here, not at start-up: they pull in every capture module (Playwright among them),
      // which other commands do not need.
      const [{ createHost }, { SettingsStore }, { startWebHost }] = await Promise.all([import('../operations.js'), import('../settings-store.js'), import('../web-host.js')]);
      const settings = new SettingsStore(context.dataDir(), { tsaUrls: await context.tsaUrls() });
      const pl = await context.open({ anchorSeconds: settings.get().anchorSeconds });
      if (settings.problem) process.stderr.write(`warning: ${settings.problem}\n`);
      if (settings.get().tsaUrls.length > 0) pl.setTsaUrls(settings.get().tsaUrls);
      pl.startTimers();
      const host = createHost({ pl, settings, host: 'web', exportDir: join(pl.dataDir, 'exports') });
      await host.capture.recoverInterrupted();
      let web;
      try {
        web = await startWebHost({ host, pl, rendererDir: opts.renderer ?? join(APP_ROOT, 'out', 'renderer'), port, archivePath: host.archivePath, ffmpegPath: () => settings.get().ffmpegPath || undefined });
      } catch (error) {
        pl.close();
        const code = (error as NodeJS.ErrnoException).code;
        throw code === 'EADDRINUSE' ? new ProoflineError('port.in-use', `port ${port} is in use: choose another with --port, or leave it out`, { port }, { cause: error }) : error;
      }
      context.out(`Proofline is serving ${pl.dataDir}\nOpen ${web.url}\n(only this machine can reach it; the address carries this launch's secret; Ctrl+C stops)\n`);
      if (opts.open) openBrowser(web.url);
      await new Promise<void>((resolveStop) => {
        const stop = (): void => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      process.stderr.write('stopping: closing every capture source…\n');
      await host.shutdown();
      await web.close();
      pl.close();
    });
}

/**
 * The one child not started through the launcher (src/core/process/launch.ts): the user's own
 * browser must outlive this server, not die with it, and nothing is cancelled by closing it.
 */
function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : process.platform === 'darwin' ? ['open', [url]] : ['xdg-open', [url]];
  const child = spawn(command, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`(could not open a browser: open the address above yourself)\n`));
  child.unref();
}
