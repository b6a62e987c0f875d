import type { Readable } from 'node:stream';

// What read-zip.ts's ZipArchive offers and extract-zip.ts needs, in a file of its own so neither
// imports the other.

export interface ZipEntryInfo {
  readonly name: string;
  /** Declared uncompressed size; streams are held to it. */
  readonly size: number;
  readonly compressedSize: number;
  readonly isDirectory: boolean;
  /** 0 stored, 8 deflated (APPNOTE 4.4.5). */
  readonly method: number;
  readonly crc32: number;
}

/** The entries of a checked archive and a guarded stream of each (ZipArchive). */
export interface ZipEntrySource {
  readonly entries: readonly ZipEntryInfo[];
  openStream(name: string): Promise<Readable>;
}
