// Worker thread for all-in equity: an exact count takes milliseconds (NLHE
// pre-flop, decision 023) to a few hundred (PLO pre-flop), which must not stall
// the event loop that runs every table. Plain .mjs so it starts without a TypeScript loader; it loads the
// engine's TypeScript through tsx.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';
import { reportOsThreadId } from '../worker-thread-id.mjs';

// This thread's OS id, for poker_thread_cpu_seconds_total{thread="equity"}.
reportOsThreadId(parentPort);

const { equity } = await tsImport('../poker/equity.ts', import.meta.url);

parentPort.on('message', (message) => {
  try {
    parentPort.postMessage({ id: message.id, result: equity(message.input) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String(error?.message ?? error) });
  }
});
