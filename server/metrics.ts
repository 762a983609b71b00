import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { threadCpuSeconds } from './thread-cpu';

// Prometheus metrics on a registry of our own (not prom-client's global one),
// so tests and several servers in one process never collide. The table actor,
// the realtime layer and the HTTP layer share the typed handles below.

/** Event-loop delay sampling resolution for the default Node metrics. */
export const EVENT_LOOP_MONITORING_PRECISION_MS = 20;

const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface Metrics {
  registry: Registry;
  socketsConnected: Gauge;
  tables: Gauge;
  handsTotal: Counter;
  tableRebuildsTotal: Counter<'cause'>;
  handsVoidedTotal: Counter<'reason'>;
  handSettleSeconds: Histogram;
  handBoundarySeconds: Histogram;
  ledgerStageSeconds: Histogram<'op' | 'stage'>;
  actionsTotal: Counter<'action'>;
  actionAckSeconds: Histogram;
  errorsTotal: Counter<'code'>;
}

export interface MetricsOptions {
  /** Node process metrics, including nodejs_eventloop_lag_seconds and poker_thread_cpu_seconds_total. Default true. */
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_MONITORING_PRECISION_MS });
    registerThreadCpu(registry);
  }
  const registers = [registry];
  return {
    registry,
    socketsConnected: new Gauge({ name: 'poker_sockets_connected', help: 'Socket.IO connections open now.', registers }),
    tables: new Gauge({ name: 'poker_tables', help: 'Table actors running in this process.', registers }),
    handsTotal: new Counter({ name: 'poker_hands_total', help: 'Hands settled.', registers }),
    tableRebuildsTotal: new Counter({
      name: 'poker_table_rebuilds_total',
      help: 'Table actors stopped by a fatal error and rebuilt from the database, by cause: invariant (memory and ledger disagreed), owner_lost (another node claimed the table), error (a failed command or settlement).',
      labelNames: ['cause'],
      registers,
    }),
    handsVoidedTotal: new Counter({
      name: 'poker_hands_voided_total',
      help: 'Hands voided because their settlement could not be committed (incidents), by reason.',
      labelNames: ['reason'],
      registers,
    }),
    handSettleSeconds: new Histogram({
      name: 'poker_hand_settle_seconds',
      help: 'Time to settle a hand in the ledger (settleHand transaction), seconds.',
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    handBoundarySeconds: new Histogram({
      name: 'poker_hand_boundary_seconds',
      help: 'The hand boundary after a settled hand (the queued cash-outs, seats entering, top-ups and sit-outs), seconds; the act that ended the hand is answered after it.',
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    ledgerStageSeconds: new Histogram({
      name: 'poker_ledger_stage_seconds',
      help: 'Where a ledger call spent its time, by operation and stage: to_thread (waiting for the ledger thread to take it), in_thread (its transaction there), to_main (the reply waiting for the main thread), seconds.',
      labelNames: ['op', 'stage'],
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    actionsTotal: new Counter({ name: 'poker_actions_total', help: 'Player actions accepted, by action.', labelNames: ['action'], registers }),
    actionAckSeconds: new Histogram({
      name: 'poker_action_ack_seconds',
      help: 'From a player action arriving to its acknowledgement, seconds.',
      buckets: SECONDS_BUCKETS,
      registers,
    }),
    errorsTotal: new Counter({ name: 'poker_errors_total', help: 'Error replies sent to clients, by code.', labelNames: ['code'], registers }),
  };
}

/**
 * poker_thread_cpu_seconds_total{thread}: CPU time of the main thread, of each named worker
 * thread (ledger, equity, export) and of the rest of the process, read from /proc at each scrape
 * (server/thread-cpu.ts; Linux only, absent elsewhere).
 */
function registerThreadCpu(registry: Registry): void {
  if (threadCpuSeconds() === null) return;
  new Counter({
    name: 'poker_thread_cpu_seconds_total',
    help: 'CPU time by thread of this process since it started (Linux /proc): main (every table and socket), ledger, equity, export (hand exports, once one ran), other (GC helpers, the libuv pool), seconds.',
    labelNames: ['thread'],
    registers: [registry],
    collect() {
      const seconds = threadCpuSeconds();
      this.reset();
      if (seconds) for (const [thread, value] of Object.entries(seconds)) this.inc({ thread }, value);
    },
  });
}

/** GET /metrics in the Prometheus text format. Expose it to the scraper's network only. */
export function registerMetricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
}
