// The court report as one HTML document, printed to PDF by Chromium (render-report.ts). Pure:
// data in, HTML out. The verdict comes first; recorded data is shown as recorded.
import type { ArtifactRef, JsonValue } from '../../shared/domain.js';
import type { GalleryImage } from '../../shared/views.js';
import type { ReportData } from './report-data.js';
import { REPORT_TEXT, type ReportLanguage, type ReportText } from './report-text.js';
import type { Publication } from '../provenance/publications.js';
import { publicationsSection } from './report-publications.js';

export interface SignerFacts {
  readonly reportKeyId: string;
  readonly deviceKeyId: string;
  readonly sameDevice: boolean;
  readonly subject: string;
}

export interface ReportHtmlInput {
  readonly data: ReportData;
  readonly lang: ReportLanguage;
  /** The QR code of the archive's SHA-256, as SVG markup. */
  readonly qrSvg: string;
  readonly signer: SignerFacts;
  readonly madeAt: Date;
  /** This device's publications of the archive's images (report-publications.ts). */
  readonly publications?: readonly Publication[];
}

/** Thumbnails are drawn at most this wide (CSS px) and downscaled in the page before printing. */
export const THUMB_PX = 220;

const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function fmtTime(iso: unknown): string {
  if (typeof iso !== 'string' || iso === '') return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return esc(iso);
  // One unbroken line: a time split across lines reads badly and comes out of pdftotext in pieces.
  return `<span class="stamp">${date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace('Z', '')} UTC</span>`;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);
const obj = (value: unknown): Record<string, JsonValue> => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, JsonValue>) : {});

function formatBytes(n: number | null): string {
  if (n === null) return '—';
  return n.toLocaleString('en-US');
}

/** The verdict in one sentence, agreeing with the verifier's verdict and its first failing check. */
export function verdictSentence(data: ReportData, t: ReportText, lang: ReportLanguage): string {
  const report = data.verify;
  if (lang === 'en') return report.summary;
  const failed = report.checks.filter((c) => c.status === 'fail');
  const warned = report.checks.filter((c) => c.status === 'warn');
  switch (report.verdict) {
    case 'verified':
      return `${t.verdictWord.verified}：证据包中的每个文件、事件哈希链、签名和时间戳均核验无误，且每个事件都在其锚定间隔内被证明已经存在。`;
    case 'tampered': {
      const first = failed[0]!;
      return `${t.verdictWord.tampered}：${failed.length} 项检查未通过。第一项：${t.checkTitle[first.id]}：${first.detail}`;
    }
    case 'unattested': {
      const time = warned.find((c) => c.id === 'time.anchoring');
      if (time) {
        const others = warned.filter((c) => c !== time).map((c) => t.checkTitle[c.id]);
        return `${t.verdictWord.unattested}：所有文件和事件链均核验无误，但并非每个事件的时间都得到了及时证明（${time.detail}）${others.length > 0 ? `另有未得到证明的项目：${others.join('；')}。` : ''}`;
      }
      return `完整，未完全证明（INTACT, NOT FULLY ATTESTED）：所有文件和事件链均核验无误，但以下项目未得到证明：${warned.map((c) => t.checkTitle[c.id]).join('；')}。`;
    }
    default:
      return `${t.verdictWord.unusable}：${failed[0]?.detail ?? report.summary}`;
  }
}

/** Failing files and events named as what they were: image name, mark, time, event number. */
function alteredItems(data: ReportData, t: ReportText): string[] {
  const byPath = new Map<string, { name: string; seq: number; time: string; type: string }>();
  for (const event of data.events) {
    for (const artifact of event.artifacts) {
      const path = data.artifactPaths.get(artifact.sha256) ?? `data/artifacts/${artifact.sha256}`;
      if (!byPath.has(path)) byPath.set(path, { name: artifact.name, seq: event.seq, time: event.time, type: event.type });
    }
  }
  const marks = new Map(data.gallery.images.map((i) => [i.sha256, i.mark?.mark]));
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const check of data.verify.checks) {
    if (check.status !== 'fail') continue;
    for (const where of check.where) {
      const path = where.replace(/^.*?(data\/artifacts\/[0-9a-f]{64}[^\s:]*).*$/, '$1');
      const match = byPath.get(path) ?? [...byPath.entries()].find(([p]) => where.includes(p))?.[1];
      const key = match ? `${match.seq}:${match.name}` : where;
      if (seen.has(key)) continue;
      seen.add(key);
      if (match) {
        const sha = /([0-9a-f]{64})/.exec(path)?.[1];
        const mark = sha ? marks.get(sha) : undefined;
        lines.push(`${esc(match.name)} — ${esc(t.eventType(match.type))}${mark ? `, ${esc(t.mark[mark])}` : ''}, ${fmtTime(match.time)} (#${match.seq}) — <span class="mono">${esc(where)}</span>`);
      } else {
        lines.push(`<span class="mono">${esc(where)}</span>`);
      }
    }
  }
  return lines;
}

function table(headers: readonly string[], rows: readonly (readonly string[])[], cls = ''): string {
  return `<table class="${cls}"><thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

function kv(rows: readonly (readonly [string, string])[]): string {
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>`;
}

function cover(input: ReportHtmlInput, t: ReportText): string {
  const { data } = input;
  const s = obj(data.session);
  const v = data.verify;
  const device = obj(s['device']);
  const verdictClass = v.verdict === 'verified' ? 'ok' : v.verdict === 'unattested' ? 'warn' : 'bad';
  const altered = v.verdict === 'tampered' ? alteredItems(data, t) : [];
  const a = v.anchoring;
  const anchoring = a
    ? `<p>${esc(t.anchoringIntro(a.anchorSeconds))}</p>${table(
        t.anchoringCols,
        a.ranges.slice(0, 60).map((r) => [
          `#${r.from}–#${r.to}`,
          `${fmtTime(r.firstTime)} – ${fmtTime(r.lastTime)}`,
          r.provenBy ? `${fmtTime(r.provenBy)}${r.late ? ` <b class="bad">(${esc(t.late)})</b>` : ''}` : `<b class="bad">${esc(t.notProven)}</b>`,
          esc(r.tsa ?? '—'),
          `<span class="mono">${esc(r.token ?? '—')}</span>`,
        ]),
      )}${a.ranges.length > 60 ? `<p>… ${a.ranges.length - 60}</p>` : ''}
      <h3>${esc(t.tokensHeading)}</h3>${table(
        t.tokenCols,
        a.tokens.slice(0, 60).map((k) => [`<span class="mono">${esc(k.path)}</span>`, `${esc(k.tsa ?? '—')}${k.algorithm ? `<br><small>${esc(t.algorithm(k.algorithm))}</small>` : ''}`, `<span class="mono">${esc(k.serial ?? '—')}</span>`, fmtTime(k.genTime), esc(t.trusted(k.trusted))]),
      )}`
    : `<p>${esc(t.noAnchoring)}</p>`;
  return `<section class="cover">
  <div class="verdict ${verdictClass}"><div class="vh">${esc(t.verdictHeading)}</div><div class="vw">${esc(t.verdictWord[v.verdict])}</div><p class="vs">${esc(verdictSentence(data, t, input.lang))}</p>
  ${altered.length > 0 ? `<ul class="altered">${altered.map((l) => `<li>${l}</li>`).join('')}</ul>` : ''}</div>
  <h1>${esc(t.docTitle)}</h1>
  <p class="sub">${esc(t.subtitle)}</p>
  <div class="coverbody"><div class="facts">${kv([
    [t.field.title, `<b>${esc(str(s['title']) ?? v.session?.title ?? '—')}</b>`],
    [t.field.kind, esc(t.kind[str(s['kind']) ?? v.session?.kind ?? ''] ?? str(s['kind']) ?? '—')],
    [t.field.creator, esc(str(s['creator']) ?? '—')],
    [t.field.device, `<span class="mono">${esc((typeof s['device'] === 'string' ? s['device'] : str(device['keyId'])) ?? '—')}</span>`],
    [t.field.sessionId, `<span class="mono">${esc(str(s['id']) ?? v.session?.id ?? '—')}</span>`],
    [t.field.created, fmtTime(s['createdAt'] ?? v.session?.createdAt)],
    [t.field.sealed, fmtTime(s['sealedAt'] ?? v.session?.sealedAt)],
    [t.field.events, esc(v.session?.events ?? data.events.length)],
    [t.field.archive, `<span class="mono">${esc(data.archiveName)}</span>`],
    [t.field.size, `${formatBytes(data.archiveSize)} B`],
    [t.field.sha256, `<span class="mono hash">${esc(data.archiveSha256)}</span>`],
    [t.field.sm3, `<span class="mono hash">${esc(data.archiveSm3)}</span>`],
    [t.field.madeAt, fmtTime(input.madeAt.toISOString())],
  ])}</div><figure class="qr">${input.qrSvg}<figcaption>${esc(t.field.qr)}</figcaption></figure></div>
  <h2>${esc(t.anchoringHeading)}</h2>${anchoring}
  <h3>${esc(t.signatureHeading)}</h3><p class="small">${esc(t.signature(input.signer))}</p>
</section>`;
}

function picture(data: ReportData, sha256: string | null | undefined, t: ReportText, cls = 'thumb'): string {
  const url = sha256 ? data.pictures.get(sha256) : undefined;
  return url ? `<img class="${cls}" data-thumb="${cls === 'thumb' ? THUMB_PX : 0}" src="${url}" alt="">` : `<div class="nopic">${esc(t.pictureMissing)}</div>`;
}

function parameters(image: GalleryImage, t: ReportText): string {
  const m = obj(image.metadata);
  const model = obj(m['model']);
  const rows: [string, string][] = [];
  const add = (key: string, value: string | undefined, cls = ''): void => {
    if (value !== undefined) rows.push([t.params[key] ?? key, cls ? `<span class="${cls}">${esc(value)}</span>` : esc(value)]);
  };
  add('file', image.name);
  add('tool', str(m['tool']));
  add('prompt', str(m['prompt']), 'rec');
  add('negativePrompt', str(m['negativePrompt']), 'rec');
  add('seed', str(m['seed']));
  add('steps', str(m['steps']));
  add('sampler', str(m['sampler']));
  add('cfgScale', str(m['cfgScale']));
  const w = str(m['width']);
  const h = str(m['height']);
  add('size', w && h ? `${w}×${h}` : undefined);
  add('model', [str(model['name']), str(model['hash']) ? `(${str(model['hash'])})` : undefined].filter(Boolean).join(' ') || undefined);
  add('inputImage', str(m['inputImage']));
  add('sha256', image.sha256, 'mono');
  return kv(rows);
}

function nameOf(data: ReportData, sha256: unknown): string {
  const image = data.gallery.images.find((i) => i.sha256 === sha256);
  return image ? image.name : typeof sha256 === 'string' ? `${sha256.slice(0, 12)}…` : '—';
}

function item(kind: string, time: string, seq: number, body: string, cls = ''): string {
  return `<div class="item ${cls}"><div class="when"><b>${esc(kind)}</b><br>${fmtTime(time)}<br>#${seq}</div><div class="what">${body}</div></div>`;
}

function creationBody(data: ReportData, t: ReportText): string {
  const images = new Map(data.gallery.images.map((i) => [i.seq, i]));
  const parts: string[] = [];
  for (const e of data.events) {
    const p = obj(e.payload);
    const image = images.get(e.seq);
    if (image) {
      parts.push(item(t.item.generation, e.time, e.seq, `<div class="gen">${picture(data, image.sha256, t)}<div>${esc(t.source[image.source] ?? image.source)}${parameters(image, t)}</div></div>`));
    } else if (e.type === 'note') {
      parts.push(item(t.item.note, e.time, e.seq, `<p class="rec">${esc(p['text'])}</p>`));
    } else if (e.type === 'generation.marked') {
      const mark = str(p['mark']) ?? '';
      parts.push(item(t.item.decision, e.time, e.seq, `<p><b class="mark ${esc(mark)}">${esc(t.mark[mark] ?? mark)}</b> — ${esc(t.ofImage)} <b>${esc(nameOf(data, p['sha256']))}</b> <span class="mono small">${esc(p['sha256'])}</span></p><p class="rec">${esc(str(p['reason']) ?? t.noReason)}</p>`, 'decision'));
    } else if (e.type === 'artifact.attached') {
      parts.push(item(t.item.attachment, e.time, e.seq, e.artifacts.map((a: ArtifactRef) => `<p><b>${esc(a.name)}</b> (${formatBytes(a.size)} B) <span class="mono small">${esc(a.sha256)}</span></p>`).join('')));
    } else if (e.type === 'comparison.made') {
      const ratio = typeof p['differingPixelRatio'] === 'number' ? `${(p['differingPixelRatio'] * 100).toFixed(1)}%` : '—';
      const heatmap = e.artifacts[0]?.sha256;
      parts.push(item(t.item.comparison, e.time, e.seq, `<div class="gen">${picture(data, heatmap, t)}<div><p><b>${esc(nameOf(data, p['a']))}</b> ↔ <b>${esc(nameOf(data, p['b']))}</b></p><p>${esc(t.comparisonLine(Number(p['hammingDistance'] ?? 0), ratio))}</p></div></div>`));
    } else if (e.type === 'lineage.linked') {
      parts.push(item(t.item.lineage, e.time, e.seq, `<p><b>${esc(nameOf(data, p['from']))}</b> → <b>${esc(nameOf(data, p['to']))}</b> (${esc(p['relation'])})${str(p['note']) ? ` — <span class="rec">${esc(p['note'])}</span>` : ''}</p>`));
    } else if (e.type !== 'recording.segment' && e.type !== 'session.created') {
      parts.push(`<div class="minor">${fmtTime(e.time)} #${e.seq} — ${esc(t.eventType(e.type))}${str(p['reason']) ? ` — <span class="rec">${esc(p['reason'])}</span>` : ''}</div>`);
    }
  }
  const segments = data.events.filter((e) => e.type === 'recording.segment');
  const recording = segments.length
    ? `<p>${esc(t.recordingIntro)}</p>${table(
        t.segmentCols,
        segments.map((e) => {
          const p = obj(e.payload);
          return [esc(`${str(p['run']) ?? '1'}.${str(p['index']) ?? ''}`), fmtTime(p['startedAt']), fmtTime(p['endedAt'] ?? e.time), esc(str(p['durationSeconds']) ?? '—'), `${esc(e.artifacts[0]?.name ?? '')}<br><span class="mono small">${esc(e.artifacts[0]?.sha256 ?? '')}</span>`];
        }),
      )}`
    : `<p>${esc(t.noRecording)}</p>`;
  return `<section class="body"><h2>${esc(t.processHeading)}</h2><p class="small">${esc(t.processIntro)}</p>${parts.join('\n')}<h2>${esc(t.recordingHeading)}</h2>${recording}</section>`;
}

function webBody(data: ReportData, t: ReportText): string {
  const captures = data.events.filter((e) => e.type === 'web.capture');
  const pages = captures.map((e) => {
    const p = obj(e.payload);
    const redirects = Array.isArray(p['redirects']) ? (p['redirects'] as JsonValue[]) : [];
    const tls = p['tls'] && typeof p['tls'] === 'object' ? obj(p['tls']) : null;
    const certs = tls && Array.isArray(tls['certificates']) ? (tls['certificates'] as JsonValue[]).map(obj) : [];
    const browser = obj(p['browser']);
    const screenshot = e.artifacts.find((a) => a.name === 'screenshot.png' || a.mime.startsWith('image/'));
    const tlsText = !tls
      ? esc(t.web.tlsNone)
      : typeof tls['error'] === 'string'
        ? esc(tls['error'])
        : `${esc([str(tls['protocol']), str(tls['cipher'])].filter(Boolean).join(', '))} — ${esc(t.web.tlsVerified(tls['authorized'] === true))}${tls['authorizationError'] ? ` (${esc(tls['authorizationError'])})` : ''}<ol class="small">${certs.map((c) => `<li>${esc(c['subject'])}<br>← ${esc(c['issuer'])}<br>${fmtTime(c['validFrom'])} – ${fmtTime(c['validTo'])}<br><span class="mono">${esc(c['sha256'])}</span></li>`).join('')}</ol>`;
    return `<div class="page-card"><h3>#${e.seq} ${esc(str(p['title']) ?? '')}</h3>${kv([
      [t.web.url, `<span class="mono">${esc(p['url'])}</span>`],
      [t.web.finalUrl, `<span class="mono">${esc(p['finalUrl'])}</span>`],
      [t.web.status, esc(str(p['status']) ?? '—')],
      [t.web.pageTitle, `<span class="rec">${esc(str(p['title']) ?? '—')}</span>`],
      [t.web.redirects, redirects.length ? `<ol class="mono small">${redirects.map((r) => { const o = obj(r); return `<li>${esc(str(o['status']) ?? '')} ${esc(str(o['url']) ?? JSON.stringify(r))}${str(o['location']) ? ` → ${esc(o['location'])}` : ''}</li>`; }).join('')}</ol>` : esc(t.web.none)],
      [t.web.serverIp, `<span class="mono">${esc([str(p['serverIp']), str(p['serverPort'])].filter(Boolean).join(' : ') || '—')}</span>`],
      [t.web.tls, tlsText],
      [t.web.browser, esc([str(browser['path']), str(browser['version'])].filter(Boolean).join(' ') || '—')],
      [t.web.capturedAt, fmtTime(e.time)],
    ])}<h4>${esc(t.web.screenshot)}</h4>${screenshot ? picture(data, screenshot.sha256, t, 'shot') : `<div class="nopic">${esc(t.pictureMissing)}</div>`}</div>`;
  });
  const checks = data.events.filter((e) => e.type === 'web.environment-check');
  const env = checks.length
    ? checks
        .map((e) => {
          const p = obj(e.payload);
          const findings = Array.isArray(p['findings']) ? (p['findings'] as JsonValue[]).map(obj) : [];
          return `<p>${fmtTime(e.time)} #${e.seq} — ${esc(t.web.envVerdict)}: <b>${esc(p['verdict'])}</b></p>${table(t.web.findingCols, findings.map((f) => [`<span class="mono">${esc(f['id'])}</span>`, esc(f['status']), `<span class="rec">${esc(f['title'])}</span>`]))}`;
        })
        .join('')
    : `<p>${esc(t.web.envCheckNone)}</p>`;
  const log = data.events.filter((e) => e.type.startsWith('web.'));
  const logRows = log.map((e) => {
    const p = obj(e.payload);
    const detail = [str(p['url']) ?? str(p['finalUrl']) ?? str(p['typedUrl']), str(p['name']), str(p['status']), str(p['outcome']), str(p['error']) ?? str(p['reason'])].filter(Boolean).join(' · ');
    return [String(e.seq), fmtTime(e.time), esc(t.eventType(e.type)), `<span class="rec small">${esc(detail)}</span>`];
  });
  return `<section class="body"><h2>${esc(t.webHeading)}</h2>${pages.length ? pages.join('\n') : `<p>${esc(t.web.noPages)}</p>`}
  <h2>${esc(t.web.envCheck)}</h2>${env}
  <h2>${esc(t.web.captureLog)}</h2>${table(t.web.logCols, logRows)}</section>`;
}

function appendices(data: ReportData, t: ReportText): string {
  // Each digest on one unbroken line, so a reader (or pdftotext) can copy it whole.
  const files = table(
    [`${t.fileCols[0]} (${t.fileCols[1]})`, `${t.fileCols[2]} / ${t.fileCols[3]}`],
    data.files.map((f) => [`<span class="mono">${esc(f.path)}</span><br>${formatBytes(f.size)}`, `<div class="digest">SHA-256 ${esc(f.sha256 ?? '—')}</div><div class="digest">SM3&nbsp;&nbsp;&nbsp;&nbsp;${esc(f.sm3 ?? '—')}</div>`]),
    'files',
  );
  const checks = table(
    t.checkCols,
    data.verify.checks.map((c) => [esc(t.checkTitle[c.id]), `<b class="st ${c.status}">${esc(t.status[c.status])}</b>`, `<span class="small">${esc(c.detail)}</span>${c.where.length ? `<br><span class="mono small">${esc(c.where.slice(0, 20).join(', '))}</span>` : ''}`]),
    'checks',
  );
  return `<section class="appendix"><h2>${esc(t.appendixFiles)}</h2><p class="small">${esc(t.appendixFilesIntro)}</p>${files}</section>
<section class="appendix"><h2>${esc(t.appendixChecks)}</h2>${t.detailNote ? `<p class="small">${esc(t.detailNote)}</p>` : ''}${checks}</section>
<section class="appendix"><h2>${esc(t.appendixVerify)}</h2><p>${esc(t.appendixVerifyIntro)}</p>${data.verifyGuide ? `<pre>${esc(data.verifyGuide)}</pre>` : `<p>${esc(t.noGuide)}</p>`}</section>`;
}

const STYLE = `
@page { size: A4; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "WenQuanYi Micro Hei", sans-serif; font-size: 9.5pt; color: #111; line-height: 1.45; margin: 0; }
body.zh { font-family: "WenQuanYi Micro Hei", "DejaVu Sans", sans-serif; }
h1 { font-size: 20pt; margin: 10px 0 2px; }
h2 { font-size: 13pt; border-bottom: 1.5px solid #333; padding-bottom: 2px; margin: 18px 0 8px; break-after: avoid; }
h3 { font-size: 11pt; margin: 12px 0 6px; break-after: avoid; }
h4 { font-size: 10pt; margin: 10px 0 4px; break-after: avoid; }
.sub { color: #555; margin: 0 0 10px; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
.hash { font-size: 8pt; }
.small { font-size: 8pt; }
.rec { white-space: pre-wrap; word-break: break-word; }
.verdict { border: 3px solid; border-radius: 6px; padding: 10px 14px; break-inside: avoid; }
.verdict.ok { border-color: #17803d; background: #eefaf1; }
.verdict.warn { border-color: #b7791f; background: #fff8e6; }
.verdict.bad { border-color: #c53030; background: #fff0f0; }
.vh { font-size: 9pt; color: #444; text-transform: uppercase; letter-spacing: .05em; }
.vw { font-size: 18pt; font-weight: bold; }
.ok .vw { color: #17803d; } .warn .vw { color: #975a16; } .bad .vw { color: #c53030; }
.vs { margin: 4px 0 0; word-break: break-word; }
.altered { margin: 6px 0 0; padding-left: 18px; }
b.bad { color: #c53030; }
.coverbody { display: flex; gap: 12px; align-items: flex-start; }
.facts { flex: 1; min-width: 0; }
.qr { width: 130px; margin: 0; text-align: center; font-size: 7pt; color: #444; }
.qr svg { width: 130px; height: 130px; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
th, td { border: 0.5px solid #bbb; padding: 3px 5px; vertical-align: top; text-align: left; }
thead th { background: #f0f0f0; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
table.kv th { width: 34%; background: #fafafa; font-weight: normal; color: #333; }
table.files td:first-child { width: 34%; }
table.checks td:first-child { width: 28%; }
table.checks td:nth-child(2) { width: 9%; white-space: nowrap; }
.digest { font-family: "DejaVu Sans Mono", monospace; font-size: 6.8pt; white-space: nowrap; }
.stamp { white-space: nowrap; }
.item { display: flex; gap: 10px; border-top: 0.5px solid #ccc; padding: 6px 0; break-inside: avoid; }
.when { width: 120px; flex: none; font-size: 8pt; color: #333; }
.what { flex: 1; min-width: 0; }
.what p { margin: 0 0 3px; }
.gen { display: flex; gap: 10px; align-items: flex-start; }
.gen > div { flex: 1; min-width: 0; }
img.thumb { width: ${THUMB_PX / 1.6}px; max-height: ${THUMB_PX}px; object-fit: contain; border: 0.5px solid #999; flex: none; }
img.shot { width: 100%; border: 0.5px solid #999; display: block; }
.page-card { break-inside: auto; }
.nopic { width: 120px; height: 60px; border: 1px dashed #c53030; color: #c53030; font-size: 8pt; padding: 4px; flex: none; }
.mark { padding: 0 4px; border-radius: 3px; }
.mark.final { background: #17803d; color: #fff; } .mark.selected { background: #2b6cb0; color: #fff; } .mark.rejected { background: #718096; color: #fff; }
.minor { font-size: 8pt; color: #555; padding: 2px 0 2px 130px; }
.st.pass { color: #17803d; } .st.fail { color: #c53030; } .st.warn { color: #975a16; } .st.skip { color: #666; }
section.body, section.appendix { break-before: page; }
pre { white-space: pre-wrap; word-break: break-all; font-family: "DejaVu Sans Mono", monospace; font-size: 7pt; background: #f6f6f6; padding: 6px; border: 0.5px solid #ccc; }
`;

/**
 * Downscales every thumbnail to twice its printed width (JPEG) and the screenshots to 1400 px,
 * so the PDF holds pictures fit to read, not the originals; then tells the printer it is ready.
 */
const PREPARE = `
(async () => {
  const shrink = async (img, maxWidth, type) => {
    await img.decode().catch(() => {});
    if (!img.naturalWidth || img.naturalWidth <= maxWidth) return;
    const scale = maxWidth / img.naturalWidth;
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(img.naturalWidth * scale);
    canvas.height = Math.round(img.naturalHeight * scale);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    img.src = canvas.toDataURL(type, 0.85);
    await img.decode().catch(() => {});
  };
  for (const img of document.querySelectorAll('img.thumb')) await shrink(img, ${THUMB_PX * 2}, 'image/jpeg');
  for (const img of document.querySelectorAll('img.shot')) await shrink(img, 1400, 'image/jpeg');
  document.body.dataset.ready = '1';
})();
`;

export function reportHtml(input: ReportHtmlInput): string {
  const t = REPORT_TEXT[input.lang];
  const kind = str(obj(input.data.session)['kind']) ?? input.data.verify.session?.kind;
  const body = kind === 'web' ? webBody(input.data, t) : creationBody(input.data, t);
  return `<!doctype html><html lang="${input.lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8"><title>${esc(t.docTitle)} — ${esc(str(obj(input.data.session)['title']) ?? '')}</title><style>${STYLE}</style></head>
<body class="${input.lang}">${cover(input, t)}${body}${publicationsSection(input.publications ?? [], input.lang, input.data.archiveSha256)}${appendices(input.data, t)}<script>${PREPARE}</script></body></html>`;
}

/** Playwright's footerTemplate: the archive's SHA-256 and the page number on every page. */
export function footerHtml(lang: ReportLanguage, sha256: string): string {
  const t = REPORT_TEXT[lang];
  // Single quotes: the names sit inside a double-quoted style attribute.
  const font = lang === 'zh' ? "'WenQuanYi Micro Hei', 'DejaVu Sans'" : "'DejaVu Sans', 'WenQuanYi Micro Hei'";
  return `<div style="font-family: ${font}; font-size: 7pt; color: #444; width: 100%; padding: 0 14mm; display: flex; justify-content: space-between;"><span>${esc(t.footer(sha256))}</span><span>${esc(t.pageOf[0])}<span class="pageNumber"></span>${esc(t.pageOf[1])}<span class="totalPages"></span>${esc(t.pageOf[2])}</span></div>`;
}
