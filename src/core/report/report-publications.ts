// The report's section on published copies: the images this device published from the archive's
// session with Content Credentials and the TC260 label (image.publish), read from this device's
// publications (store table `publications`) by the archive's SHA-256. They are not in the archive
// — a sealed session takes no event — so the section says where they come from and whether each
// record's device signature checks. Shown only when a report is made on a machine that published.
import type { Publication } from '../provenance/publications.js';
import type { ReportLanguage } from './report-text.js';

const TEXT = {
  en: {
    heading: 'Published copies (Content Credentials and TC260 label)',
    intro:
      'Recorded on this device when the session’s final images were published with image.publish, after the seal; these records are not part of the archive. Each published file carries a C2PA manifest naming this archive’s SHA-256 and, when labelled, the TC260 implicit label (GB 45438-2025) with ProduceID = the session id and ReservedCode1 = the archive’s SHA-256.',
    cols: ['Publication', 'Published', 'File and its SHA-256', 'From image', 'C2PA manifest', 'TC260 label', 'Ingredients', 'Device signature'],
    none: 'none',
    valid: 'valid',
    invalid: 'does not check',
    archive: 'Evidence archive named',
    thisFile: 'this archive file',
    timeStamp: 'Time-stamp (RFC 3161, in the C2PA signature)',
    stamped: (time: string, tsa: string) => `${time}, by ${tsa}`,
    unstamped: 'none: the publication time above is this device’s word',
    sameBag: (name: string, sha: string) => `${name} (SHA-256 ${sha}): another file of this same sealed bag (same tag manifest), e.g. exported before a later seal timestamp or renewal`,
  },
  zh: {
    heading: '已发布的副本（内容凭证与 TC260 标识）',
    intro:
      '以下记录由本设备在会话封存后、用 image.publish 发布最终图像时写下，不属于证据包本身。每个发布的文件都带有 C2PA 清单，其中写明本证据包的 SHA-256；选择添加标识时，还带有 TC260 隐式标识（GB 45438-2025），其 ProduceID 为会话编号，ReservedCode1 为证据包的 SHA-256。',
    cols: ['发布记录', '发布时间', '文件及其 SHA-256', '来源图像', 'C2PA 清单', 'TC260 标识', '成分', '设备签名'],
    none: '无',
    valid: '有效',
    invalid: '无法验证',
    archive: '所指证据包',
    thisFile: '即本证据包文件',
    timeStamp: '时间戳（RFC 3161，在 C2PA 签名中）',
    stamped: (time: string, tsa: string) => `${time}，由 ${tsa} 签发`,
    unstamped: '无：上面的发布时间仅是本设备的说法',
    sameBag: (name: string, sha: string) => `${name}（SHA-256 ${sha}）：同一封存证据包的另一个文件（标签清单相同），例如在补取封存时间戳或续期之前导出的文件`,
  },
} as const;

const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function publicationsSection(publications: readonly Publication[], lang: ReportLanguage, archiveSha256: string): string {
  if (publications.length === 0) return '';
  const t = TEXT[lang];
  // One two-column table per publication: a hash stays whole in its cell, in reading order.
  const blocks = publications.map((p) => {
    const b = p.body;
    const ingredients = b.ingredients.map((i) => `${i.relationship} ${i.name} ${i.sha256}`).join('\n') || t.none;
    const rows: [string, string, string?][] = [
      [t.cols[1]!, b.time],
      [t.timeStamp, b.timeStamp ? t.stamped(b.timeStamp.genTime, b.timeStamp.tsa) : t.unstamped],
      [t.cols[2]!, `${b.outputName}\n${b.outputSha256}`],
      [t.cols[3]!, `${b.imageName}\n${b.imageSha256}`],
      [t.cols[4]!, b.c2paManifest],
      [t.archive, b.archiveSha256 === archiveSha256 ? t.thisFile : t.sameBag(b.archiveName, b.archiveSha256)],
      [t.cols[5]!, b.tc260Label ?? t.none],
      [t.cols[6]!, ingredients],
      [t.cols[7]!, p.signatureValid ? t.valid : t.invalid, p.signatureValid ? 'ok' : 'bad'],
    ];
    return `<h3>${esc(t.cols[0])} ${p.seq}</h3><table class="pubs"><tbody>${rows.map(([k, v, cls]) => `<tr><th>${esc(k)}</th><td${cls ? ` class="${cls}"` : ''}>${esc(v).replace(/\n/g, '<br>')}</td></tr>`).join('')}</tbody></table>`;
  });
  return `<section class="appendix publications"><style>table.pubs { width: 100%; } table.pubs th { width: 22%; text-align: left; vertical-align: top; } table.pubs td { font-size: 8pt; word-break: break-all; } table.pubs td.ok { color: #17803d; } table.pubs td.bad { color: #c53030; font-weight: bold; }</style><h2>${esc(t.heading)}</h2><p class="small">${esc(t.intro)}</p>${blocks.join('')}</section>`;
}
