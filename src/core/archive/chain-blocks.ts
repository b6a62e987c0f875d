import { MerkleRange } from '../store/event-chain.js';
import { examineLine, observedInFull, prevProblem } from './chain-line.js';

// The chain's walk cut into blocks of whole lines, each judged on its own (on a worker thread
// when the log is long, chain-worker.ts; else in place): every check of every line, its event
// hash and Merkle leaf, the prev links inside the block. What joins the blocks (the first
// line's prev, the tree across blocks, the observers, in order) is the reader's (verify-events.ts).

/**
 * Blocks end at multiples of this many lines (or sooner, at BLOCK_BYTES), so that a block's
 * leaves make one perfect subtree of the whole tree: the reader adds them with a hash or two
 * instead of one a line (MerkleRange).
 */
export const BLOCK_LINES = 4096;

export interface BlockInput {
  readonly bytes: Uint8Array;
  /** Line number (1-based) of the block's first line. */
  readonly firstLine: number;
  /** The block's bytes end the file without a newline: the text after the last '\n' is a line. */
  readonly final: boolean;
  readonly sessionId: string | undefined;
  /** Tree sizes asked for (checkpoints' treeSize), ascending: heads and partial trees inside the block. */
  readonly wanted: readonly number[];
  /** Every event's body is forwarded, not only those observedInFull (tests compare both). */
  readonly forwardAll?: boolean;
}

export interface BlockResult {
  readonly firstLine: number;
  /** Lines that passed every check, from the first; a problem, if any, is on the line after. */
  readonly lines: number;
  readonly problem?: { readonly line: number; readonly detail: string };
  /** The first line's prev (as text, and whether it was a string), for the reader to check. */
  readonly firstPrev?: { readonly text: string; readonly isString: boolean };
  /** Hash of the last line that passed. */
  readonly lastHash?: string;
  /** The block's leaves that passed, as MerkleRange's subtrees from the block's start. */
  readonly subtrees: readonly { readonly root: string; readonly leaves: number }[];
  /** The same at each asked size inside the block, and the event hash there. */
  readonly at: readonly { readonly size: number; readonly head: string; readonly subtrees: readonly { root: string; leaves: number }[] }[];
  /** Per line that passed: its time (ms, NaN if unreadable) and type (an index into typeNames). */
  readonly times: Float64Array;
  readonly typeIds: Uint16Array;
  readonly typeNames: readonly string[];
  /** The lines whose whole body the observers need (observedInFull, and the file's first), by index. */
  readonly observed: readonly number[];
  readonly observedTexts: readonly string[];
  /** The text of the last line that passed (the session's last event, if this is the last block). */
  readonly lastText?: string;
}

export function examineBlock(input: BlockInput): BlockResult {
  const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
  const range = new MerkleRange(input.firstLine - 1);
  const times: number[] = [];
  const typeIds: number[] = [];
  const typeNames: string[] = [];
  const typeIndex = new Map<string, number>();
  const observed: number[] = [];
  const observedTexts: string[] = [];
  const at: { size: number; head: string; subtrees: { root: string; leaves: number }[] }[] = [];
  let wantedIndex = input.wanted.findIndex((size) => size >= input.firstLine);
  if (wantedIndex === -1) wantedIndex = input.wanted.length;
  let firstPrev: BlockResult['firstPrev'];
  let lastHash: string | undefined;
  let lastText: string | undefined;
  let problem: BlockResult['problem'];
  let line = input.firstLine;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) {
      if (!input.final) break;
      end = bytes.length;
    }
    const verdict = examineLine(bytes.subarray(start, end), line, input.sessionId);
    start = end + 1;
    if (!verdict.ok) {
      problem = { line, detail: verdict.detail };
      break;
    }
    const { body } = verdict;
    const prevIsString = typeof body.prev === 'string';
    if (lastHash === undefined) firstPrev = { text: String(body.prev), isString: prevIsString };
    else {
      const detail = prevProblem(line, String(body.prev), prevIsString, lastHash);
      if (detail) {
        problem = { line, detail };
        break;
      }
    }
    const index = line - input.firstLine;
    range.pushHex(verdict.leafHex);
    let typeId = typeIndex.get(body.type);
    if (typeId === undefined) {
      typeId = typeNames.push(String(body.type)) - 1;
      typeIndex.set(body.type, typeId);
    }
    typeIds.push(typeId);
    times.push(Date.parse(body.time));
    if (input.forwardAll || line === 1 || observedInFull(body)) {
      observed.push(index);
      observedTexts.push(verdict.text);
    }
    lastHash = verdict.hash;
    lastText = verdict.text;
    while (wantedIndex < input.wanted.length && input.wanted[wantedIndex] === line) {
      at.push({ size: line, head: verdict.hash, subtrees: range.subtrees() });
      wantedIndex += 1;
    }
    line += 1;
  }
  const lines = line - input.firstLine;
  return {
    firstLine: input.firstLine,
    lines,
    ...(problem && { problem }),
    ...(firstPrev && { firstPrev }),
    ...(lastHash !== undefined && { lastHash }),
    subtrees: range.subtrees(),
    at,
    times: Float64Array.from(times),
    typeIds: Uint16Array.from(typeIds),
    typeNames,
    observed,
    observedTexts,
    ...(lastText !== undefined && { lastText }),
  };
}
