// The ledger thread's entry (docs/decisions/017-ledger-thread.md). Plain .mjs so
// it starts without a TypeScript loader; it loads the ledger's TypeScript
// through tsx. The compiled build (scripts/build-server.mjs) bundles the ledger
// into dist/ledger-worker.mjs instead.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';
import { reportOsThreadId } from '../worker-thread-id.mjs';

// This thread's OS id, for poker_thread_cpu_seconds_total{thread="ledger"}.
reportOsThreadId(parentPort);

const { hostLedger } = await tsImport('./worker-host.ts', import.meta.url);

hostLedger(parentPort, workerData);
parentPort.postMessage({ ready: true });
