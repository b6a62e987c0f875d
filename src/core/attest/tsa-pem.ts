// PEM <-> DER for certificates (RFC 7468 §5: "CERTIFICATE" label, base64 in 64-column lines).
// The archive stores the TSA certificates as PEM next to the tokens so that
// `openssl ts -verify -untrusted` can use them as they are.

const PEM_CERT = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;

/** One PEM text holding every given DER certificate, in order. */
export function certificatesPem(der: Buffer | readonly Buffer[]): string {
  const list = Buffer.isBuffer(der) ? [der] : der;
  return list
    .map((cert) => {
      const lines = cert.toString('base64').match(/.{1,64}/g) ?? [];
      return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
    })
    .join('');
}

/** Every certificate block in a PEM text, as DER; other blocks (keys, CRLs) are skipped. */
export function certificatesFromPem(pem: string): Buffer[] {
  return [...pem.matchAll(PEM_CERT)].map((m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'));
}
