// Turns the collected figures into the markdown written to bench/results/ (and printed).
const MB = 1e6;

const s = (x) => (x === undefined ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const sec = (sp) => (sp ? `${s(sp.seconds.median)} s (${s(sp.seconds.min)}–${s(sp.seconds.max)})` : 'n/a');
const mbps = (bytes, seconds) => (seconds ? (bytes / MB / seconds).toFixed(0) : 'n/a');
const x = (r) => `${r.toFixed(2)}×`;
const ratio = (sp) => (sp ? `**${x(sp.median)}** (${x(sp.min)}–${x(sp.max)})` : 'n/a');
const mb = (kb) => (kb === undefined ? 'n/a' : (kb / 1024).toFixed(0));
const rate = (count, seconds) => Math.round(count / seconds).toLocaleString('en-US');
const load = (sp) => (sp ? `${sp.min.toFixed(1)}–${sp.max.toFixed(1)}` : 'n/a');

function describeSession(session) {
  const bytes = session.payloadBytes;
  if (session.shape === 'small') {
    return `${session.files.toLocaleString('en-US')} files of ${(session.smallFileBytes / 1024).toFixed(0)} KiB (random bytes, stored by both sides), ${(bytes / MB).toFixed(0)} MB, ${session.events.toLocaleString('en-US')} events`;
  }
  return `${(bytes / MB).toFixed(0)} MB in ${session.files} files (${session.segments} incompressible .mp4 segments, ${session.images} images, ${session.texts} text/JSON files), ${session.events.toLocaleString('en-US')} events`;
}

export function markdown(r) {
  const lines = [];
  const push = (...l) => lines.push(...l);
  push(`# Proofline bench — ${r.date}`, '');
  push(
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; ${r.machine.zip}; ${r.machine.sha256sum}. ` +
      `Load average (1, 5, 15 min) at start ${r.machine.loadAtStart.join(', ')}, at end ${r.machine.loadAtEnd?.join(', ') ?? 'n/a'}.`,
    '',
  );
  push(
    `Every figure is a whole process timed from outside: \`proofline export\` and \`proofline verify\` (Node's start-up, opening the store, planning and ` +
      `anchoring included) against the reference tools. One untimed warm-up of each, then ${r.repeats} rounds in rotating order, \`sync\` before every run. ` +
      `The ratio (Proofline / reference, below 1 = faster) is taken in each round, between runs made back to back; shown as median (min–max over the rounds). ` +
      `Times: median (min–max). "load" is the 1-minute load average when each run started.`,
    '',
  );
  for (const [shape, f] of Object.entries(r.shapes)) {
    const bytes = f.session.payloadBytes;
    push(`## ${shape === 'small' ? 'Many small files' : 'Large media'}: ${describeSession(f.session)}`, '');
    push('| task | Proofline | reference | ratio per round | load |');
    push('|---|--:|--:|--:|--:|');
    const ex = f.export;
    const ve = f.verify;
    push(`| export | ${sec(ex.ours)}, ${mbps(bytes, ex.ours.seconds.median)} MB/s | \`zip -0 -r\` + \`sync --data\` of the zip: ${sec(ex.zip0Sync)} | ${ratio(ex.ratio.zip0Sync)} | ${load(ex.ours.load)} |`);
    if (ex.zip6) push(`| | | \`zip -r\` (deflate -6), for context: ${sec(ex.zip6)} | ${ratio(ex.ratio.zip6)} | |`);
    push(`| verify (from the zip) | ${sec(ve.ours)}, ${mbps(bytes, ve.ours.seconds.median)} MB/s | \`unzip -q\` + \`sha256sum -c\`: ${sec(ve.unzipSha)} | ${ratio(ve.ratio.unzipSha)} | ${load(ve.ours.load)} |`);
    push(`| | | \`sha256sum -c\` on the bag already extracted: ${sec(ve.sha256sum)} | ${ratio(ve.ratio.sha256sum)} | |`);
    push('');
    push(
      `Peak RSS: export ${mb(ex.ours.maxRssKb?.median)} MB (zip -0 ${mb(ex.zip0Sync.maxRssKb?.median)} MB), verify ${mb(ve.ours.maxRssKb?.median)} MB ` +
        `(sha256sum ${mb(ve.sha256sum.maxRssKb?.median)} MB). Archive ${(ex.zipBytes.ours / MB).toFixed(1)} MB (zip -0: ${(ex.zipBytes.zip0 / MB).toFixed(1)} MB). ` +
        `Setup, not compared: generating ${s(f.session.generateSeconds)} s, attaching (copy, SHA-256 + SM3, fsync per file) ${s(f.session.attachSeconds)} s, seal ${s(f.session.sealSeconds)} s.`,
      '',
    );
    if (f.profiles) {
      for (const [name, top] of Object.entries(f.profiles)) {
        push(`### CPU profile: ${shape} ${name} (self time, top functions)`, '');
        push('| function | ms | share |', '|---|--:|--:|');
        for (const t of top) push(`| \`${t.name.replace(/\|/g, '\\|')}\` | ${t.ms} | ${(t.share * 100).toFixed(1)}% |`);
        push('');
      }
    }
  }
  if (r.startup) {
    const st = r.startup;
    push('## Start-up', '');
    push('| process | wall time | load |', '|---|--:|--:|');
    const msOf = (sp) => `${(sp.median * 1000).toFixed(0)} ms (${(sp.min * 1000).toFixed(0)}–${(sp.max * 1000).toFixed(0)})`;
    push(`| \`proofline --help\` | ${msOf(st.help.seconds)} | ${load(st.help.load)} |`);
    push(`| \`node -e 0\` (Node alone) | ${msOf(st.node.seconds)} | |`);
    push('', `Runs alternate; ${st.help.seconds.values.length} of each. The bar: \`--help\` under 150 ms.`, '');
  }
  push('## Event appends (fresh on-disk database, WAL, synchronous=FULL)', '');
  push('| mode | events | Proofline events/s | bare better-sqlite3 chain events/s | ratio per round (time) | load | ≥ 20,000/s |');
  push('|---|--:|--:|--:|--:|--:|:-:|');
  for (const e of r.events) {
    const pass = e.batch > 1 ? (e.count / e.ours.median >= 20_000 ? 'yes' : '**no**') : '—';
    const mode = e.batch === 1 ? 'single appends (1 transaction each)' : `appendBatch, batches of ${e.batch.toLocaleString('en-US')}`;
    push(`| ${mode} | ${e.count.toLocaleString('en-US')} | ${rate(e.count, e.ours.median)} | ${rate(e.count, e.bare.median)} | ${ratio(e.ratio)} | ${load(e.load)} | ${pass} |`);
  }
  push('');
  push(
    'Bare better-sqlite3 chain: in its timed region, each body (carrying the previous hash) as RFC 8785 canonical JSON with the same `canonicalize` package, ' +
      'its SHA-256, one insert; same table and pragmas, no session checks or Merkle frontier. Both sides start from the same plain input objects.',
  );
  push('');
  return lines.join('\n');
}
