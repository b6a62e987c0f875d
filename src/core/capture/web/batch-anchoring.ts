/**
 * The checkpoints of a batch capture, taken behind its pages rather than in their way.
 *
 * Each captured page asks for a checkpoint over the session (`request`); one is taken at once
 * if none is under way, else right after the one under way, covering every page that asked
 * meanwhile: at most one is under way and one waits, whatever the concurrency. A checkpoint is
 * `SessionService.checkpoint`: signed, stored in the same commit (WAL, `synchronous=FULL`), its
 * timestamp request queued and then asked of the TSAs, which is the slow part (a network round
 * trip per TSA, up to the TSA timeout when one is down). Before, each page waited for all of it
 * before the next page could start on that worker.
 *
 * The guarantee the batch keeps: `captureUrls` returns (or throws) only after `settled()`, that
 * is once a checkpoint taken after the last `web.capture` event of the batch is stored and its
 * timestamp has been asked for, as each page's own checkpoint was before. A page's `done`
 * progress means its files and its event are stored and chained; its checkpoint follows within
 * one TSA round trip.
 */
export class BatchAnchoring {
  private running: Promise<void> | null = null;
  private wanted = false;
  private failure: { readonly error: unknown } | null = null;

  constructor(private readonly take: () => Promise<unknown>) {}

  /** A page's event is stored: a checkpoint covering it is taken now, or right after the one under way. */
  request(): void {
    this.wanted = true;
    this.running ??= this.run();
  }

  private async run(): Promise<void> {
    while (this.wanted) {
      this.wanted = false;
      try {
        await this.take();
      } catch (error) {
        this.failure ??= { error };
      }
    }
    this.running = null;
  }

  /** Resolves once every checkpoint asked for is taken; rejects with the first that could not be. */
  async settled(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure) throw this.failure.error;
  }
}
