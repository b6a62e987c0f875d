import type { ArtifactRef } from '../../../shared/domain.js';
import type { Proofline } from '../../proofline.js';
import type { StoredBlob } from '../../store/blob-store.js';
import { mediaTypeOf } from '../../store/media-types.js';

/**
 * Puts each file of one page capture into the store the moment it is written, and records it in
 * the session's chain with a `web.capture.file` event, so that whatever a crash interrupts
 * later, what was captured before is already hashed and chained.
 */
export class ArtifactSink {
  readonly artifacts: ArtifactRef[] = [];
  readonly seqs: number[] = [];

  constructor(
    private readonly pl: Proofline,
    private readonly sessionId: string,
    private readonly captureId: string,
    private readonly url: string,
  ) {}

  async add(path: string, name: string, role: string): Promise<ArtifactRef> {
    return this.chain(await this.pl.blobs.putFile(path), name, role);
  }

  /** A file the capture holds in memory (the DOM, the MHTML, the screenshot): stored without a round trip through a temporary file. */
  async addBytes(data: Uint8Array, name: string, role: string): Promise<ArtifactRef> {
    return this.chain(await this.pl.blobs.putBytes(data), name, role);
  }

  private chain(blob: StoredBlob, name: string, role: string): ArtifactRef {
    const ref: ArtifactRef = { sha256: blob.sha256, size: blob.size, name, mime: name.endsWith('.pem') ? 'application/x-pem-file' : mediaTypeOf(name) };
    const event = this.pl.events.append(this.sessionId, {
      type: 'web.capture.file',
      payload: { captureId: this.captureId, url: this.url, name, role, sm3: blob.sm3 },
      artifacts: [ref],
    });
    this.artifacts.push(ref);
    this.seqs.push(event.body.seq);
    return ref;
  }

  names(): { [name: string]: string } {
    return Object.fromEntries(this.artifacts.map((a) => [a.name, a.sha256]));
  }
}
