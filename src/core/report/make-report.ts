// `proofline report`: verify an archive, describe it for a court in HTML, print that to PDF with
// Chromium (the host's printer: the core launches no browser itself), and sign the PDF.
import { basename } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { pdflibAddPlaceholder } from '@signpdf/placeholder-pdf-lib';
import { SignPdf } from '@signpdf/signpdf';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import QRCode from 'qrcode';
import { verifyArchive } from '../archive/verify-archive.js';
import type { VerifyProgress } from '../archive/verify-report.js';
import { certificateKey, type DeviceIdentity } from '../attest/device-identity.js';
import { loadOrCreateReportSigningKey } from '../attest/report-signing-key.js';
import { requestTimestamp, tokenFromResponse } from '../attest/tsa-client.js';
import type { CertificateInput } from '../attest/tsa-verify.js';
import { ProoflineError, throwIfCancelled } from '../errors.js';
import { PadesSigner, type SignatureTimestamper } from './cms-signer.js';
import { readReportData } from './report-data.js';
import type { Publication } from '../provenance/publications.js';
import { footerHtml, reportHtml } from './report-html.js';
import type { ReportLanguage } from './report-text.js';

/** Prints an HTML document to PDF (Chromium's print, through the host's one launcher). */
export type PrintPdf = (html: string, options: { readonly footerHtml: string; readonly signal?: AbortSignal }) => Promise<Buffer>;

export interface MakeReportOptions {
  readonly archivePath: string;
  /** The name the cover shows (default: the file's base name). */
  readonly archiveName?: string;
  readonly lang: ReportLanguage;
  /** TSA roots the verifier trusts (Settings' or `--trust`). */
  readonly trustedRoots?: readonly CertificateInput[];
  readonly device: DeviceIdentity;
  readonly print: PrintPdf;
  /** TSAs asked, in order, for the signature timestamp (PAdES B-T); none answering leaves B-B. */
  readonly tsaUrls?: readonly string[];
  readonly onProgress?: (progress: VerifyProgress) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** This device's publications naming an archive: by its file's SHA-256, or its tag manifest's (another export of the same sealed bag). */
  readonly publications?: (archiveSha256: string, tagManifestSha256: string | null) => readonly Publication[];
}

export interface MadeReport {
  readonly pdf: Buffer;
  readonly verdict: string;
  readonly summary: string;
  readonly archiveSha256: string;
  readonly pages: number;
  readonly signature: {
    readonly reportKeyId: string;
    readonly deviceKeyId: string;
    /** Whether the signing device is the one that recorded the archive. */
    readonly sameDevice: boolean;
    readonly subject: string;
    /** The TSA whose token is in the signature (PAdES B-T), or null (B-B). */
    readonly timestampedBy: string | null;
  };
}

/** Room for the CMS: two certificates, a signature and a TSA token with its chain. */
const SIGNATURE_BYTES = 24_000;

export async function makeReport(options: MakeReportOptions): Promise<MadeReport> {
  const now = options.now ?? (() => new Date());
  const stop = (): void => throwIfCancelled(options.signal, `The report on ${options.archivePath} was cancelled: no PDF was written.`, { path: options.archivePath });
  const verify = await verifyArchive(options.archivePath, { trustedRoots: options.trustedRoots, signal: options.signal, onProgress: options.onProgress });
  if (verify.verdict === 'unusable') {
    const reason = verify.checks[0]?.detail ?? verify.summary;
    throw new ProoflineError('report.not-an-archive', `${options.archivePath} is not a readable Proofline archive, so there is no report: ${reason}`, { path: options.archivePath, reason });
  }
  stop();
  const data = await readReportData(options.archivePath, options.archiveName ?? basename(options.archivePath), verify);
  const key = await loadOrCreateReportSigningKey(options.device, now);
  let archiveDeviceKeyId: string | null = null;
  try {
    archiveDeviceKeyId = data.deviceCertificatePem ? certificateKey(data.deviceCertificatePem).keyId : null;
  } catch {
    archiveDeviceKeyId = null; // a damaged certificate: the verifier's device.identity check says so
  }
  const signer = { reportKeyId: key.keyId, deviceKeyId: key.deviceKeyId, sameDevice: archiveDeviceKeyId === key.deviceKeyId, subject: key.subject };
  const qrSvg = await QRCode.toString(data.archiveSha256, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  const html = reportHtml({ data, lang: options.lang, qrSvg, signer, madeAt: now(), publications: options.publications?.(data.archiveSha256, data.tagManifestSha256) ?? [] });
  const printed = await options.print(html, { footerHtml: footerHtml(options.lang, data.archiveSha256), signal: options.signal });
  stop();

  const pdfDoc = await PDFDocument.load(printed);
  pdfDoc.setTitle(`${options.lang === 'zh' ? '电子证据报告' : 'Evidence report'}: ${String(data.session?.['title'] ?? data.archiveName)}`);
  pdfDoc.setSubject(`SHA-256 ${data.archiveSha256}`);
  pdfDoc.setProducer('Proofline');
  pdfDoc.setCreator('Proofline');
  pdflibAddPlaceholder({
    pdfDoc,
    reason: `Evidence report on ${data.archiveName} (SHA-256 ${data.archiveSha256})`,
    contactInfo: '',
    name: key.subject,
    location: '',
    signingTime: now(),
    signatureLength: SIGNATURE_BYTES,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    appName: 'Proofline',
  });
  // No object streams: the placeholder's ByteRange is found and filled in the file's bytes.
  const withPlaceholder = Buffer.from(await pdfDoc.save({ useObjectStreams: false }));
  let timestampedBy: string | null = null;
  const timestamper: SignatureTimestamper = async (digest) => {
    for (const url of options.tsaUrls ?? []) {
      try {
        const reply = await requestTimestamp(url, digest, { timeoutMs: 15_000, signal: options.signal });
        const token = tokenFromResponse(reply.response, url);
        timestampedBy = url;
        return token;
      } catch {
        // this TSA did not answer with a token: try the next; none leaves PAdES B-B
      }
    }
    return null;
  };
  const padesSigner = new PadesSigner(key, timestamper);
  const pdf = await new SignPdf().sign(withPlaceholder, padesSigner);
  return {
    pdf,
    verdict: verify.verdict,
    summary: verify.summary,
    archiveSha256: data.archiveSha256,
    pages: pdfDoc.getPageCount(),
    signature: { ...signer, timestampedBy: padesSigner.facts.timestamped ? timestampedBy : null },
  };
}
