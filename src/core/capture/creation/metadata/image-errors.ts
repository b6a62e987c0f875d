import { ProoflineError } from '../../../errors.js';

/** The file is not a PNG, JPEG or WebP image (by its first bytes, not its name). */
export class NotAnImageError extends ProoflineError {
  constructor(readonly path: string, detail: string) {
    super('image.not-image', `${path} is not an image Proofline can read (${detail}). Give a PNG, JPEG or WebP file.`, { label: path });
    this.name = 'NotAnImageError';
  }
}

/** The file starts like an image but is damaged or truncated. */
export class CorruptImageError extends ProoflineError {
  constructor(readonly path: string, detail: string) {
    super('image.corrupt', `${path} is a damaged image: ${detail}. The file was not changed; open the original or re-export it.`, { label: path });
    this.name = 'CorruptImageError';
  }
}
