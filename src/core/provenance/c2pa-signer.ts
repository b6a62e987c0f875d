// Which certificates signed an image's active C2PA manifest, read from the file itself: the
// JUMBF manifest store (ISO/IEC 19566-5; PNG chunk caBX, JPEG APP11 segments, C2PA 2.1 §11.3),
// the active manifest's c2pa.signature box, its COSE_Sign1 protected header's x5chain (label 33).
// c2pa-rs checks that this chain's first certificate made the signature; what it cannot say is
// whose certificate that is ("signingCredential.untrusted"). `issuedByDevice` says it: the
// signer's certificate verifies under the device key of an evidence archive
// (proofline/device-cert.pem), which no one without that key can make.
import { X509Certificate } from 'node:crypto';
import { decodeCbor, type CborItem } from './cbor-read.js';
import { timeStampedBytes } from './cose-sign1.js';

interface Box {
  readonly type: string;
  readonly payload: Uint8Array;
}

function boxes(bytes: Uint8Array): Box[] {
  const out: Box[] = [];
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 8 <= view.length; ) {
    const size = view.readUInt32BE(at);
    if (size < 8 || at + size > view.length) throw new RangeError('JUMBF: a box runs past its container');
    out.push({ type: view.toString('latin1', at + 4, at + 8), payload: view.subarray(at + 8, at + size) });
    at += size;
  }
  return out;
}

/** A jumb superbox's label (its jumd box: 16-byte type, toggles, then the label if toggles bit 1). */
function labelOf(superbox: Box): string | null {
  const jumd = boxes(superbox.payload)[0];
  if (jumd?.type !== 'jumd' || jumd.payload.length < 17 || (jumd.payload[16]! & 0x02) === 0) return null;
  const end = jumd.payload.indexOf(0, 17);
  return Buffer.from(jumd.payload.subarray(17, end < 0 ? undefined : end)).toString('utf8');
}

/** The manifest store's bytes: PNG's caBX chunk, or JPEG's APP11 JUMBF segments joined. */
export function manifestStoreBytes(file: Uint8Array): Uint8Array | null {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  if (b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    // One store only (C2PA 2.1 §11.3): with two, this reader and c2pa-rs might read different ones.
    let found: Buffer | null = null;
    for (let at = 8; at + 12 <= b.length; ) {
      const length = b.readUInt32BE(at);
      if (b.toString('latin1', at + 4, at + 8) === 'caBX') {
        if (found) throw new RangeError('the PNG holds more than one C2PA manifest store (caBX)');
        found = b.subarray(at + 8, at + 8 + length);
      }
      at += 12 + length;
    }
    return found;
  }
  if (b[0] === 0xff && b[1] === 0xd8) {
    // ISO/IEC 18477-3 (JPEG XT) boxes in APP11: "JP", box instance, sequence number, then the box;
    // continuation segments repeat the box's LBox and TBox, which are dropped when joining.
    const parts: Buffer[] = [];
    let firstInstance = -1;
    for (let at = 2; at + 4 <= b.length && b[at] === 0xff && b[at + 1] !== 0xda; ) {
      const length = b.readUInt16BE(at + 2);
      const data = b.subarray(at + 4, at + 2 + length);
      if (b[at + 1] === 0xeb && data.toString('latin1', 0, 2) === 'JP') {
        const instance = data.readUInt16BE(2);
        if (parts.length > 0 && instance !== firstInstance) throw new RangeError('the JPEG holds more than one JUMBF box in APP11');
        firstInstance = instance;
        parts.push(parts.length === 0 ? data.subarray(8) : data.subarray(16));
      }
      at += 2 + length;
    }
    return parts.length > 0 ? Buffer.concat(parts) : null;
  }
  return null;
}

/** The active manifest's COSE_Sign1: [protected bytes, unprotected map, payload, signature]. */
function activeSignature(file: Uint8Array, activeManifest: string): { protectedHeader: Uint8Array; unprotected: CborItem; signature: Uint8Array } {
  const store = manifestStoreBytes(file);
  if (!store) throw new RangeError('no C2PA manifest store in the file');
  const top = boxes(store)[0];
  if (top?.type !== 'jumb') throw new RangeError('the manifest store is not a JUMBF superbox');
  const manifest = boxes(top.payload).find((box) => box.type === 'jumb' && labelOf(box) === activeManifest);
  if (!manifest) throw new RangeError(`the manifest store has no manifest ${activeManifest}`);
  const signature = boxes(manifest.payload).find((box) => box.type === 'jumb' && labelOf(box) === 'c2pa.signature');
  const cose = signature ? boxes(signature.payload).find((box) => box.type === 'cbor') : undefined;
  if (!cose) throw new RangeError(`manifest ${activeManifest} has no c2pa.signature`);
  const sign1 = decodeCbor(cose.payload) as { tag?: number; value?: CborItem };
  const parts = sign1.tag === 18 && Array.isArray(sign1.value) ? sign1.value : Array.isArray(sign1) ? (sign1 as CborItem[]) : null;
  if (!parts || !(parts[0] instanceof Uint8Array) || !(parts[3] instanceof Uint8Array)) throw new RangeError('c2pa.signature is not a COSE_Sign1');
  return { protectedHeader: parts[0], unprotected: parts[1] ?? null, signature: parts[3] };
}

/** The DER certificates of the active manifest's signature, the signer's first. */
export function signerChain(file: Uint8Array, activeManifest: string): Buffer[] {
  const header = decodeCbor(activeSignature(file, activeManifest).protectedHeader);
  const chain = header instanceof Map ? (header.get(33) ?? header.get('x5chain')) : undefined;
  const ders = chain instanceof Uint8Array ? [chain] : Array.isArray(chain) ? chain.filter((c): c is Uint8Array => c instanceof Uint8Array) : [];
  if (ders.length === 0) throw new RangeError('the COSE_Sign1 names no certificate (x5chain)');
  return ders.map((der) => Buffer.from(der));
}

export interface SignatureTimeStamp {
  /** The TimeStampToken (CMS ContentInfo DER) in sigTst2 (or a v1 sigTst's first token). */
  readonly token: Buffer;
  readonly version: 'sigTst2' | 'sigTst';
  /** What the token's messageImprint covers: for sigTst2 the countersignature Sig_structure (cose-sign1.ts timeStampedBytes). */
  readonly covered: Buffer;
}

/** The RFC 3161 token in the active manifest's signature, if any (C2PA 2.1 §14.5.2). */
export function signatureTimeStamp(file: Uint8Array, activeManifest: string): SignatureTimeStamp | null {
  const cose = activeSignature(file, activeManifest);
  if (!(cose.unprotected instanceof Map)) return null;
  const version = cose.unprotected.has('sigTst2') ? 'sigTst2' : cose.unprotected.has('sigTst') ? 'sigTst' : null;
  if (!version) return null;
  const container = cose.unprotected.get(version);
  const tokens = container instanceof Map ? container.get('tstTokens') : undefined;
  const first = Array.isArray(tokens) && tokens[0] instanceof Map ? tokens[0].get('val') : undefined;
  if (!(first instanceof Uint8Array)) throw new RangeError(`the ${version} header holds no token`);
  const signed = { protectedHeader: Buffer.from(cose.protectedHeader), signature: Buffer.from(cose.signature) };
  // v1 tokens cover the claim (payload), which this reader does not rebuild: only v2 is written here.
  return { token: Buffer.from(first), version, covered: version === 'sigTst2' ? timeStampedBytes(signed) : Buffer.alloc(0) };
}

export interface DeviceTie {
  readonly signerSubject: string;
  /** The signer's certificate verifies under the device certificate's key and names it as issuer. */
  readonly issuedByDevice: boolean;
}

export function deviceTie(file: Uint8Array, activeManifest: string, deviceCertificatePem: string): DeviceTie {
  const signer = new X509Certificate(signerChain(file, activeManifest)[0]!);
  const device = new X509Certificate(deviceCertificatePem);
  return { signerSubject: signer.subject.replace(/\n/g, ', '), issuedByDevice: signer.issuer === device.subject && signer.verify(device.publicKey) };
}
