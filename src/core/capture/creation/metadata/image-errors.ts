/** The file is not a PNG, JPEG or WebP image (by its first bytes, not its name). */
export class NotAnImageError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path} is not an image Proofline can read (${detail}). Give a PNG, JPEG or WebP file.`);
    this.name = 'NotAnImageError';
  }
}

/** The file starts like an image but is damaged or truncated. */
export class CorruptImageError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path} is a damaged image: ${detail}. The file was not changed; open the original or re-export it.`);
    this.name = 'CorruptImageError';
  }
}
