import { parentPort } from 'node:worker_threads';
import { examineBlock, type BlockInput } from './chain-blocks.js';

// A worker thread of the chain's walk (chain-pool.ts): blocks of data/events.jsonl in, their
// verdicts out. Holds nothing between blocks.
parentPort!.on('message', (message: { readonly id: number; readonly input: BlockInput }) => {
  const result = examineBlock(message.input);
  parentPort!.postMessage({ id: message.id, result }, [result.times.buffer as ArrayBuffer, result.typeIds.buffer as ArrayBuffer]);
});
