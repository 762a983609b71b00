import { parseArgs } from 'node:util';
import { launchCluster, NODES_MAX, type Cluster } from '../server/cluster/launch';

// `npm run cluster -- --nodes 3 [--port 3000] [--logs DIR]`: several server
// processes on one database and one Redis, behind one front door (see
// server/cluster/launch.ts for where the database and Redis come from). Node
// output is echoed with its id in front (LOG_LEVEL defaults to warn here, so
// the admin's one-time password of a first boot still shows). Ctrl-C or
// SIGTERM stops the nodes one at a time, so each hands its tables to the
// others; a second signal a few seconds later kills what is left.

const USAGE = `usage: npm run cluster -- [--nodes N] [--port PORT] [--logs DIR]
  --nodes N     server processes, 1 to ${NODES_MAX} (default 3)
  --port PORT   port of the front door, 0 for any free one (default 3000)
  --logs DIR    also append each node's output to DIR/<node id>.log
Uses DATABASE_URL and REDIS_URL when set; else the embedded PostgreSQL and a redis-server of its own.`;
/** A signal this long after the first one forces the exit (npm and tsx relay the first one again at once). */
const FORCE_AFTER_MS = 2_000;

class UsageError extends Error {}

function parseOptions(argv: string[]): { nodes: number; port: number; logs?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { nodes: { type: 'string', default: '3' }, port: { type: 'string', default: '3000' }, logs: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const nodes = Number(values.nodes);
  if (!/^\d+$/.test(values.nodes) || nodes < 1 || nodes > NODES_MAX) {
    throw new UsageError(`--nodes must be a whole number from 1 to ${NODES_MAX} (got "${values.nodes}")`);
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65_535) throw new UsageError(`--port must be a port number from 0 to 65535 (got "${values.port}")`);
  return { nodes, port, logs: values.logs };
}

function onSignals(cluster: Cluster): void {
  let closingSinceMs: number | null = null;
  const handle = (signal: NodeJS.Signals) => {
    if (closingSinceMs !== null) {
      if (Date.now() - closingSinceMs < FORCE_AFTER_MS) return;
      console.error(`${signal} again: killing the nodes`);
      for (const node of cluster.nodes) node.kill('SIGKILL');
      process.exit(1);
    }
    closingSinceMs = Date.now();
    console.log(`${signal}: stopping the cluster, one node at a time (again to force)`);
    cluster.close({ rolling: true }).then(
      () => {
        console.log('cluster stopped');
        process.exit(0);
      },
      (error) => {
        console.error(`cluster stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

/** Until the cluster is up: exit at once; the launcher's exit hook SIGKILLs the nodes and Redis started so far. */
function exitWhileStarting(signal: NodeJS.Signals): void {
  console.error(`${signal} while starting: stopping`);
  process.exit(130);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  process.on('SIGINT', exitWhileStarting);
  process.on('SIGTERM', exitWhileStarting);
  const cluster = await launchCluster({
    nodes: options.nodes,
    port: options.port,
    logDir: options.logs,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    log: (message) => console.log(message),
    onOutput: (nodeId, line) => console.log(`[${nodeId}] ${line}`),
  });
  process.removeListener('SIGINT', exitWhileStarting);
  process.removeListener('SIGTERM', exitWhileStarting);
  onSignals(cluster);
  for (const node of cluster.nodes) console.log(`  ${node.id}  ${node.url}  pid ${node.pid}`);
  console.log(`atomic-poker cluster: ${cluster.nodes.length} node${cluster.nodes.length === 1 ? '' : 's'} behind ${cluster.url}`);
}

main().catch((error) => {
  console.error(error instanceof UsageError ? `${error.message}\n\n${USAGE}` : (error as Error).message);
  process.exit(error instanceof UsageError ? 2 : 1);
});
