// Runs one Proofline operation in its own process, so its peak RSS is its own, and prints one
// JSON line. `export DATA SESSION OUT` or `verify ZIP`.
import { performance } from 'node:perf_hooks';

const [mode, ...args] = process.argv.slice(2);
const build = new URL('../../build/core/', import.meta.url);

let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 10);

async function runExport(dataDir, sessionId, out) {
  const { openProofline } = await import(new URL('proofline.js', build).href);
  const pl = openProofline({ dataDir });
  const baselineRss = process.memoryUsage.rss();
  let streamedAt;
  const started = performance.now();
  const result = await pl.exportSession(sessionId, {
    out,
    onProgress: (p) => {
      if (p.done === p.total && streamedAt === undefined) streamedAt = performance.now();
    },
  });
  const ended = performance.now();
  pl.close();
  return {
    seconds: (ended - started) / 1000,
    // Until the last byte passed the hash check, then finalize + fsync + rename.
    streamSeconds: ((streamedAt ?? ended) - started) / 1000,
    tailSeconds: (ended - (streamedAt ?? ended)) / 1000,
    baselineRssKb: Math.round(baselineRss / 1024),
    files: result.files,
    payloadBytes: result.payloadBytes,
  };
}

async function runVerify(zip) {
  const { verifyArchive } = await import(new URL('archive/verify-archive.js', build).href);
  const baselineRss = process.memoryUsage.rss();
  const started = performance.now();
  const report = await verifyArchive(zip);
  const ended = performance.now();
  return {
    seconds: (ended - started) / 1000,
    baselineRssKb: Math.round(baselineRss / 1024),
    exitCode: report.exitCode,
    verdict: report.verdict,
    failed: report.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.detail}`),
  };
}

const result = mode === 'export' ? await runExport(...args) : mode === 'verify' ? await runVerify(...args) : undefined;
clearInterval(sampler);
if (!result) {
  process.stderr.write(`bench child: unknown mode '${mode}'\n`);
  process.exit(2);
}
const maxRssKb = process.resourceUsage().maxRSS;
process.stdout.write(`${JSON.stringify({ ...result, maxRssKb, sampledPeakRssKb: Math.round(peakRss / 1024) })}\n`);
