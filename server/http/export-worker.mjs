// Worker thread for hand exports: a player's export replays up to 1,000 stored hands into
// PokerStars text (about 0.4 ms a hand), work that must not take turns with every table on
// the main thread. Plain .mjs so it starts without a TypeScript loader; it loads the
// history code through tsx (the compiled build bundles it: scripts/build-server.mjs).
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';
import { reportOsThreadId } from '../worker-thread-id.mjs';

// This thread's OS id, for poker_thread_cpu_seconds_total{thread="export"}.
reportOsThreadId(parentPort);

const { exportTextsOf } = await tsImport('./hand-history.ts', import.meta.url);

parentPort.on('message', (message) => {
  try {
    parentPort.postMessage({ id: message.id, result: exportTextsOf(message.hands) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String(error?.message ?? error) });
  }
});
