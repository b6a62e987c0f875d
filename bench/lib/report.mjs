// Turns the collected figures into the markdown table and the JSON written to bench/results/.
const MB = 1e6;

const s = (x) => (x === undefined ? 'n/a' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const mbps = (bytes, seconds) => (seconds ? (bytes / MB / seconds).toFixed(0) : 'n/a');
const ratio = (ours, ref) => (ours / ref).toFixed(2) + '×';
const mb = (kb) => (kb === undefined ? 'n/a' : (kb / 1024).toFixed(0));
const rate = (count, seconds) => Math.round(count / seconds).toLocaleString('en-US');

export function markdown(r) {
  const bytes = r.session.payloadBytes;
  const lines = [];
  lines.push(`# Proofline bench — ${r.date}`);
  lines.push('');
  lines.push(`Session: ${(bytes / MB).toFixed(0)} MB in ${r.session.files} files (${r.session.segments} incompressible .mp4 segments, ${r.session.images} images, ${r.session.texts} text/JSON files, ${r.session.events.toLocaleString('en-US')} events). ` +
    `Median of ${r.repeats} runs after one warm-up run of each contender (page cache warm; \`sync\` before every timed run). MB = 10⁶ bytes, throughput over the payload bytes. Ratio = Proofline time / reference time (below 1 = faster).`);
  lines.push('');
  lines.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; ${r.machine.zip}; ${r.machine.sha256sum}.`);
  lines.push('');
  lines.push('## Export and verify');
  lines.push('');
  lines.push('| task | Proofline | s | MB/s | reference | s | MB/s | ratio |');
  lines.push('|---|---|--:|--:|---|--:|--:|--:|');
  const ex = r.export;
  const ve = r.verify;
  const row = (task, oursName, ours, refName, ref) =>
    lines.push(`| ${task} | ${oursName} | ${s(ours)} | ${mbps(bytes, ours)} | ${refName} | ${s(ref)} | ${mbps(bytes, ref)} | ${ratio(ours, ref)} |`);
  row('export', '`exportSession`', ex.ours.seconds, '`zip -0 -r`', ex.zip0.seconds);
  row('export', '`exportSession`', ex.ours.seconds, '`zip -0 -r` + `sync` of the zip', ex.zip0.seconds + ex.zip0Sync.seconds);
  if (ex.zip6) row('export', '`exportSession`', ex.ours.seconds, '`zip -r` (deflate -6)', ex.zip6.seconds);
  row('verify', '`verifyArchive` (from the zip)', ve.ours.seconds, '`sha256sum -c` (already extracted)', ve.sha256sum.seconds);
  row('verify', '`verifyArchive` (from the zip)', ve.ours.seconds, '`unzip -q` + `sha256sum -c`', ve.unzipSha.seconds);
  lines.push('');
  lines.push(`Export split (median run): ${s(ex.ours.streamSeconds)} s streaming every entry through SHA-256 into the zip, ${s(ex.ours.tailSeconds)} s finalize + fsync + rename; ` +
    `the Proofline CLI process adds ~${s(ex.ours.processSeconds - ex.ours.seconds)} s of Node start-up. Reference \`sync\` of the zip -0 output: ${s(ex.zip0Sync.seconds)} s.`);
  lines.push('');
  lines.push('## Peak memory (max RSS of the whole process)');
  lines.push('');
  lines.push('| process | peak RSS MB | data MB |');
  lines.push('|---|--:|--:|');
  lines.push(`| Proofline export | ${mb(ex.ours.maxRssKb)} (${mb(ex.ours.baselineRssKb)} before export) | ${(bytes / MB).toFixed(0)} |`);
  lines.push(`| zip -0 -r | ${mb(ex.zip0.maxRssKb)} | ${(bytes / MB).toFixed(0)} |`);
  lines.push(`| Proofline verify | ${mb(ve.ours.maxRssKb)} (${mb(ve.ours.baselineRssKb)} before verify) | ${(bytes / MB).toFixed(0)} |`);
  lines.push(`| sha256sum -c | ${mb(ve.sha256sum.maxRssKb)} | ${(bytes / MB).toFixed(0)} |`);
  lines.push('');
  lines.push('## Event appends (fresh on-disk database, WAL, synchronous=FULL)');
  lines.push('');
  lines.push('| mode | events | Proofline events/s | bare better-sqlite3 events/s | ratio (time) | ≥ 20,000/s |');
  lines.push('|---|--:|--:|--:|--:|:-:|');
  for (const e of r.events) {
    const pass = e.batch > 1 ? (e.count / e.ours >= 20_000 ? 'yes' : '**no**') : '—';
    lines.push(`| ${e.batch === 1 ? 'single appends (1 transaction each)' : `appendBatch, batches of ${e.batch.toLocaleString('en-US')}`} | ${e.count.toLocaleString('en-US')} | ${rate(e.count, e.ours)} | ${rate(e.count, e.bare)} | ${ratio(e.ours, e.bare)} | ${pass} |`);
  }
  lines.push('');
  lines.push('Bare better-sqlite3: the same rows (JSON body, SHA-256 hex) and table, same pragmas, without canonical JSON, chaining and session checks: the floor an append can reach.');
  lines.push('');
  lines.push(`Setup (not compared): generating the files ${s(r.session.generateSeconds)} s; attaching them (copy into the store, SHA-256 + SM3, fsync) ${s(r.session.attachSeconds)} s = ${mbps(bytes, r.session.attachSeconds)} MB/s; seal ${s(r.session.sealSeconds)} s.`);
  if (r.profiles) {
    for (const [name, top] of Object.entries(r.profiles)) {
      lines.push('');
      lines.push(`### CPU profile: ${name} (self time, top functions)`);
      lines.push('');
      lines.push('| function | ms | share |');
      lines.push('|---|--:|--:|');
      for (const t of top) lines.push(`| \`${t.name.replace(/\|/g, '\\|')}\` | ${t.ms} | ${(t.share * 100).toFixed(1)}% |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}
