import { close, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';

/**
 * The bytes of an archive, wherever they are: a local file (FileSource) or an object in the team
 * vault read with ranged GETs (src/core/vault/s3-byte-source.ts). The ZIP reader (read-zip.ts)
 * reads only through this: yauzl's reader (zip-file-reader.ts) and the sequential reads of
 * verify (zip-sequential-read.ts).
 */
export interface ByteSource {
  /** What the archive is called in messages: a path, or s3://BUCKET/KEY. */
  readonly name: string;
  readonly size: number;
  /**
   * Reads up to `length` bytes at `position` into `buffer` at `offset`; resolves the count read,
   * fewer than `length` only at the end of the bytes.
   */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Releases what the source holds (a descriptor, requests in flight). Once only. */
  close(): Promise<void>;
}

/**
 * Handles on one source, closed when the last one is: a ZIP stored inside the archive (a WACZ)
 * is opened as a second ZipArchive over a window on the same bytes, and closing either archive
 * leaves the other readable.
 */
export class SharedSource {
  private handles = 0;

  constructor(readonly source: ByteSource) {}

  /** A handle whose close() releases this holder's share. */
  acquire(): ByteSource {
    this.handles++;
    let closed = false;
    const source = this.source;
    return {
      name: source.name,
      size: source.size,
      read: (buffer, offset, length, position) => source.read(buffer, offset, length, position),
      close: async () => {
        if (closed) return;
        closed = true;
        if (--this.handles === 0) await source.close();
      },
    };
  }
}

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const closeFd = promisify(close);

/**
 * A local file, read by position on its descriptor. A raw descriptor, not a FileHandle: Node
 * closes a FileHandle when it is garbage-collected, under a stream still reading it.
 */
export class FileSource implements ByteSource {
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** Throws Node's own error (ENOENT, EACCES, EISDIR…) for the caller to describe. */
  static async open(path: string): Promise<FileSource> {
    const fd = await openFd(path, 'r');
    try {
      return new FileSource(path, fd, (await fstatFd(fd)).size);
    } catch (error) {
      await closeFd(fd).catch(() => undefined);
      throw error;
    }
  }

  read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    return new Promise((resolve, reject) => {
      read(this.fd, buffer, offset, length, position, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await closeFd(this.fd);
  }
}
