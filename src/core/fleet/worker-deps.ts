// What a worker's job runner and its recovery are given: the operations of the contract (through
// the in-process host, as the app calls them), the worker's ledger, and a way to the vault.
import type { InputOf, OperationName, ProgressOf, ResultOf } from '../../shared/contract.js';
import type { VaultPush } from '../../shared/views.js';
import type { JobLedger } from './job-ledger.js';

export type HostCall = <N extends OperationName>(name: N, input: InputOf<N>, options?: { progress?: (p: ProgressOf<N>) => void; signal?: AbortSignal }) => Promise<ResultOf<N>>;

export interface FleetPush {
  readonly archivePath: string;
  readonly matter: string;
  readonly sessionId: string;
  readonly outcome: 'sealed' | 'interrupted';
  readonly job: { readonly submission: string; readonly url: string; readonly attempt: number };
  readonly signal?: AbortSignal;
}

/** How each page is captured: the worker's flags, the same for every job it takes. */
export interface CaptureSettings {
  readonly timeoutSeconds: number;
  readonly retries: number;
  readonly browserPath?: string;
  readonly extraCaRoots: readonly string[];
  readonly ignoreHttpsErrors: boolean;
  /** The clean-environment check: false skips it (disclosed: no check event in the session). */
  readonly envCheck: boolean;
  /** null: ask no service for the public address. undefined: the check's default. */
  readonly publicIpUrl?: string | null;
  readonly ntpServers: readonly string[];
  /** Each probe's time limit, so no probe holds a job. */
  readonly checkTimeoutMs: number;
}

export interface WorkerDeps {
  readonly call: HostCall;
  readonly ledger: JobLedger;
  /** The worker's device key id. */
  readonly device: string;
  /** host:pid, for the attempt records. */
  readonly worker: string;
  /** Pushes an archive to the vault, waiting while the vault is away (vault-pusher.ts). */
  push(request: FleetPush): Promise<VaultPush>;
  readonly capture: CaptureSettings;
  /** The ids of the jobs this process is working on (the periodic recovery leaves their sessions alone). */
  readonly busy: Set<string>;
  log(line: string): void;
}
