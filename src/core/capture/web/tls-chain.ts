import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, rootCertificates, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';

export interface ChainCertificate {
  readonly subject: string;
  readonly issuer: string;
  readonly serialNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** SHA-256 of the certificate's DER bytes (what `openssl x509 -fingerprint -sha256` shows). */
  readonly sha256: string;
  readonly pem: string;
}

export interface TlsChainFacts {
  readonly host: string;
  readonly port: number;
  /** SNI sent (none for an IP address: RFC 6066 §3 forbids literal addresses there). */
  readonly servername: string | null;
  readonly protocol: string | null;
  readonly cipher: string | null;
  /** Whether the chain verified against the system's roots (Node's bundled Mozilla store). */
  readonly authorized: boolean;
  readonly authorizationError: string | null;
  /** Only when extra roots were given: whether the chain verified with them added. */
  readonly authorizedWithExtraRoots?: boolean;
  readonly extraRootsError?: string | null;
  readonly certificates: readonly ChainCertificate[];
}

/**
 * The certificate chain the server presents, fetched over a separate TLS connection to the final
 * host and port, because the browser reports the protocol and issuer but not the certificates.
 * Verification errors are recorded, never fatal: an untrusted or expired certificate is itself
 * a fact worth fixing as evidence.
 */
export async function fetchTlsChain(
  url: string,
  options: { readonly timeoutMs?: number; readonly extraCaRoots?: readonly string[] } = {},
): Promise<TlsChainFacts> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:') throw new Error(`${url} is not an https URL: there is no TLS chain to fetch.`);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = Number(parsed.port || 443);
  const servername = isIP(host) ? null : host;
  const system = await handshake(host, port, servername, undefined, options.timeoutMs ?? 10_000);
  let extra: { authorized: boolean; authorizationError: string | null } | undefined;
  if (options.extraCaRoots && options.extraCaRoots.length > 0) {
    const withExtra = await handshake(host, port, servername, [...rootCertificates, ...options.extraCaRoots], options.timeoutMs ?? 10_000);
    extra = { authorized: withExtra.authorized, authorizationError: withExtra.authorizationError };
  }
  return {
    host,
    port,
    servername,
    protocol: system.protocol,
    cipher: system.cipher,
    authorized: system.authorized,
    authorizationError: system.authorizationError,
    ...(extra ? { authorizedWithExtraRoots: extra.authorized, extraRootsError: extra.authorizationError } : {}),
    certificates: system.certificates,
  };
}

interface Handshake {
  readonly protocol: string | null;
  readonly cipher: string | null;
  readonly authorized: boolean;
  readonly authorizationError: string | null;
  readonly certificates: ChainCertificate[];
}

function handshake(host: string, port: number, servername: string | null, ca: string[] | undefined, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    let socket: TLSSocket | undefined;
    const timer = setTimeout(() => {
      socket?.destroy();
      reject(new Error(`TLS handshake with ${host}:${port} took longer than ${timeoutMs} ms`));
    }, timeoutMs);
    socket = connect({ host, port, ...(servername ? { servername } : {}), rejectUnauthorized: false, ...(ca ? { ca } : {}) }, () => {
      clearTimeout(timer);
      const tls = socket!;
      const result: Handshake = {
        protocol: tls.getProtocol(),
        cipher: tls.getCipher()?.name ?? null,
        authorized: tls.authorized,
        authorizationError: tls.authorizationError ? String(tls.authorizationError) : null,
        certificates: walkChain(tls.getPeerCertificate(true)),
      };
      tls.end();
      tls.destroy();
      resolve(result);
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`TLS connection to ${host}:${port} failed: ${error.message}`));
    });
  });
}

function walkChain(leaf: DetailedPeerCertificate): ChainCertificate[] {
  const chain: ChainCertificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = leaf;
  while (current && current.raw && current.raw.length > 0) {
    const der = current.raw;
    const sha256 = createHash('sha256').update(der).digest('hex');
    if (seen.has(sha256)) break; // a self-signed root is its own issuer
    seen.add(sha256);
    const x509 = new X509Certificate(der);
    chain.push({
      subject: x509.subject.replace(/\n/g, ', '),
      issuer: x509.issuer.replace(/\n/g, ', '),
      serialNumber: x509.serialNumber,
      validFrom: new Date(x509.validFrom).toISOString(),
      validTo: new Date(x509.validTo).toISOString(),
      sha256,
      pem: toPem(der),
    });
    current = current.issuerCertificate;
  }
  return chain;
}

export function toPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** The chain as one PEM file, leaf first, each certificate preceded by its subject and issuer. */
export function chainPem(facts: TlsChainFacts): string {
  return facts.certificates
    .map((cert) => `# subject: ${cert.subject}\n# issuer: ${cert.issuer}\n# sha256: ${cert.sha256}\n${cert.pem}`)
    .join('');
}
