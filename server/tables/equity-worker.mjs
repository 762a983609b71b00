// Worker thread for all-in equity: exact enumeration can take a few hundred
// milliseconds pre-flop, which must not stall the event loop that runs every
// table. Plain .mjs so it starts without a TypeScript loader; it loads the
// engine's TypeScript through tsx.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { equity } = await tsImport('../poker/equity.ts', import.meta.url);

parentPort.on('message', (message) => {
  try {
    parentPort.postMessage({ id: message.id, result: equity(message.input) });
  } catch (error) {
    parentPort.postMessage({ id: message.id, error: String(error?.message ?? error) });
  }
});
