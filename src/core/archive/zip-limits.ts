const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Bounds on what a received archive may declare, checked against the central directory before
 * any content is read, then enforced on the real bytes while streaming.
 */
export interface ZipLimits {
  readonly maxEntries: number;
  /** Sum of the declared uncompressed sizes of all entries. */
  readonly maxTotalUncompressed: number;
  readonly maxEntryUncompressed: number;
  /** Largest uncompressed/compressed ratio, per entry and for the whole archive. */
  readonly maxRatio: number;
  /** Entries (and archives) that inflate to no more than this are exempt from `maxRatio`. */
  readonly ratioExemptBelow: number;
  /** Longest entry name, in UTF-8 bytes. */
  readonly maxNameBytes: number;
  /** Sum of the lengths of all entry names, in UTF-8 bytes: what the listing holds in memory. */
  readonly maxTotalNameBytes: number;
}

/**
 * - 100k entries: a long session holds thousands of images and segments; more is not a
 *   Proofline archive, and each entry costs memory in the listing.
 * - 64 GiB in all, 16 GiB per entry: days of screen recording (about 2 GB an hour at 1080p);
 *   media is stored, not deflated, so these bound disk use on extraction, not inflation.
 * - ratio 200 above 1 MiB: what we deflate is text (events.jsonl, HAR, DOM, MHTML), which
 *   compresses 3–50×. Deflate cannot exceed about 1032:1 (zlib's "technical details"), and a
 *   one-layer bomb gets its size only by approaching that limit, so 200 leaves text a
 *   4× margin and still refuses every run of zeros. Below 1 MiB the ratio says nothing (a
 *   1 KiB blank file compresses 100×) and the harm is bounded anyway; many small entries are
 *   caught by the whole-archive ratio and the total.
 * - names of at most 4096 bytes (Linux's PATH_MAX; macOS's is 1024, Windows' 260 without long
 *   paths), 16 MiB of names in all: a Proofline archive's names are `data/artifacts/<sha256>.<ext>`
 *   and the like, under 100 bytes, so 100k of them take under 10 MiB. The ZIP format allows 64 KiB
 *   a name; a central directory of such names, nested one letter deep, is what made a 768 KiB
 *   archive cost gigabytes to open.
 */
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 100_000,
  maxTotalUncompressed: 64 * GiB,
  maxEntryUncompressed: 16 * GiB,
  maxRatio: 200,
  ratioExemptBelow: 1 * MiB,
  maxNameBytes: 4096,
  maxTotalNameBytes: 16 * MiB,
};

export function resolveLimits(overrides: Partial<ZipLimits> = {}): ZipLimits {
  return { ...DEFAULT_ZIP_LIMITS, ...overrides };
}

/** Why an entry's declared sizes are refused, or null. */
export function entrySizeProblem(
  uncompressed: number,
  compressed: number,
  limits: ZipLimits,
): string | null {
  if (uncompressed > limits.maxEntryUncompressed) {
    return `declares ${formatBytes(uncompressed)}, over the ${formatBytes(limits.maxEntryUncompressed)} allowed for one entry`;
  }
  if (uncompressed > limits.ratioExemptBelow && uncompressed > compressed * limits.maxRatio) {
    const ratio = compressed === 0 ? 'infinitely' : `${Math.round(uncompressed / compressed)}×`;
    return `inflates ${ratio} (${formatBytes(compressed)} to ${formatBytes(uncompressed)}), over the ${limits.maxRatio}× allowed: a zip bomb`;
  }
  return null;
}

/** Why an entry's name is refused for its length, or null. */
export function nameLengthProblem(nameBytes: number, limits: ZipLimits): string | null {
  if (nameBytes > limits.maxNameBytes) {
    return `has a name ${nameBytes} bytes long, over the ${limits.maxNameBytes} allowed (no common file system can extract a path that long)`;
  }
  return null;
}

/** Why the archive's names are refused for their total length, or null. */
export function totalNameProblem(totalNameBytes: number, limits: ZipLimits): string | null {
  if (totalNameBytes > limits.maxTotalNameBytes) {
    return `has entry names over ${formatBytes(limits.maxTotalNameBytes)} long in all, over what an archive may hold`;
  }
  return null;
}

/** Why the archive's declared totals are refused, or null. */
export function archiveSizeProblem(
  totalUncompressed: number,
  archiveBytes: number,
  limits: ZipLimits,
): string | null {
  if (totalUncompressed > limits.maxTotalUncompressed) {
    return `declares ${formatBytes(totalUncompressed)} in all, over the ${formatBytes(limits.maxTotalUncompressed)} allowed`;
  }
  if (totalUncompressed > limits.ratioExemptBelow && totalUncompressed > archiveBytes * limits.maxRatio) {
    return `inflates ${Math.round(totalUncompressed / Math.max(archiveBytes, 1))}× as a whole (${formatBytes(archiveBytes)} to ${formatBytes(totalUncompressed)}), over the ${limits.maxRatio}× allowed: a zip bomb`;
  }
  return null;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
