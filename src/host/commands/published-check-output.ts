// `proofline inspect IMAGE --archive ZIP` in plain words: one line per question a reader of the
// evidence asks about a published image, each answered yes or no with the values compared.
import type { PublishedCheck } from '../../core/provenance/published-check.js';

const EXIT_MEANING = {
  0: 'everything matches, with a trusted time',
  1: 'does NOT belong to this archive as published',
  3: 'matches, but without a trusted time (no time-stamp, or its TSA is not among the roots given with --trust)',
} as const;

export function formatPublishedCheck(r: PublishedCheck): string {
  const yes = (ok: boolean): string => (ok ? 'yes' : 'NO ');
  const lines = [`${r.file} against ${r.archive.path}`];
  lines.push(
    `${yes(r.c2pa.ok)} the Content Credentials validate (c2pa-rs: signature and hard binding; the signer is untrusted, as a device certificate is on no C2PA trust list)${r.c2pa.ok ? '' : `: ${r.c2pa.failures.join(', ')}`}`,
  );
  lines.push(`${yes(r.device.ok)} they were signed by the device that made this archive (its C2PA certificate was issued by the key in proofline/device-cert.pem)${r.device.signer ? `; signer: ${r.device.signer}` : ''}`);
  const archiveOk = !r.mismatches.includes('archive');
  lines.push(`${yes(archiveOk)} the tag manifest SHA-256 they name is this archive's: ${r.named.tagManifestSha256 ?? 'none named'}${archiveOk ? '' : ` (this archive: ${r.archive.tagManifestSha256})`}`);
  const sameFile = r.named.archiveSha256 === r.archive.sha256;
  lines.push(`    archive SHA-256 named ${r.named.archiveSha256 ?? 'none'}: ${sameFile ? 'this very file' : `not this file (${r.archive.sha256})${archiveOk ? ', but the same sealed bag: something was added outside the tag manifest since (a late seal token or an evidence record)' : ''}`}`);
  lines.push(`${yes(!r.mismatches.includes('session'))} the session they name is this archive's: ${r.named.sessionId ?? 'none named'}${r.mismatches.includes('session') ? ` (this archive: ${r.archive.sessionId})` : ''}`);
  if (r.label.present) {
    lines.push(`${yes(r.label.ok)} the TC260 label names this session and archive: ProduceID ${r.label.produceId ?? 'missing'}, ReservedCode1 ${r.label.reservedCode1 ?? 'missing'}`);
  } else {
    lines.push('--  no TC260 label (the creator published it unlabelled)');
  }
  const t = r.timeStamp;
  if (!t.present) lines.push(`--  ${t.detail}`);
  else lines.push(`${t.status === 'verified' ? 'yes' : t.status === 'untrusted' ? '-- ' : 'NO '} time-stamp ${t.genTime ?? '?'} by ${t.tsa ?? 'unknown TSA'} (RFC 3161, over the C2PA signature): ${t.status === 'verified' ? 'valid, from a trusted TSA' : t.status === 'untrusted' ? `valid, but its TSA is not trusted here (${t.detail}); pass --trust ROOT` : t.detail}`);
  lines.push(`result: ${EXIT_MEANING[r.exitCode]}${r.mismatches.length > 0 ? ` — mismatch: ${r.mismatches.join(', ')}` : ''}`);
  return `${lines.join('\n')}\n`;
}
