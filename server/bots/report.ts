import type { BotReport } from './run';

// The final report as text for the terminal (the JSON goes to --report).

const ms = (seconds: number | null) => (seconds === null ? 'n/a' : `${(seconds * 1000).toFixed(1)} ms`);

export function formatReport(r: BotReport): string {
  const lines: string[] = [];
  const api = r.audit.api;
  lines.push(
    '',
    `=== bot run: ${r.ok ? 'OK' : 'FAILED'} ===`,
    `tables ${r.tables.length}, sockets ${r.sockets.players} players + ${r.sockets.spectators} spectators (peak connected ${r.sockets.peakConnected}); set-up ${r.setupSeconds.toFixed(1)} s, play ${r.playSeconds.toFixed(1)} s`,
    `hands ${r.hands} (${r.handsPerSecond.toFixed(2)}/s), actions ${r.actions} (${r.actionsPerSecond.toFixed(1)}/s)`,
    `ack latency (client, table:act emit -> ack, play window): p50 ${r.ackLatency.p50Ms} ms, p95 ${r.ackLatency.p95Ms} ms, p99 ${r.ackLatency.p99Ms} ms, max ${r.ackLatency.maxMs} ms (n=${r.ackLatency.count})`,
  );
  if (r.server) {
    const s = r.server;
    lines.push(
      `server (GET /metrics, bucket estimates): settle p50 ${ms(s.settleSeconds.p50)}, p99 ${ms(s.settleSeconds.p99)}, mean ${ms(s.settleSeconds.mean)} (n=${s.settleSeconds.count});` +
        ` action ack p50 ${ms(s.actionAckSeconds.p50)}, p99 ${ms(s.actionAckSeconds.p99)} (n=${s.actionAckSeconds.count})`,
      ...(s.settleStages
        ? [`settle by stage (p50 / p99 / mean): to the ledger thread ${stageText(s.settleStages.to_thread)}; in it ${stageText(s.settleStages.in_thread)}; reply to the main thread ${stageText(s.settleStages.to_main)}`]
        : []),
      ...(s.boundarySeconds.count > 0
        ? [`hand boundary after a settled hand (p50 / p99 / mean): ${stageText(s.boundarySeconds)} (n=${s.boundarySeconds.count})`]
        : []),
      `server: hands ${s.handsTotal}, actions ${s.actionsTotal}, CPU ${s.cpuSeconds === null ? 'n/a' : `${s.cpuSeconds.toFixed(1)} s (${((100 * s.cpuSeconds) / r.playSeconds).toFixed(0)}% of one core)`},` +
        ` RSS ${s.residentMemoryBytes ? (s.residentMemoryBytes / 2 ** 20).toFixed(0) + ' MiB' : 'n/a'},` +
        ` main thread's event loop delay p99 ${ms(s.eventLoopLagSeconds)} (monitorEventLoopDelay since the scrape before the play window)`,
      ...(s.threadCpuSeconds
        ? [`server CPU by thread (s): ${Object.entries(s.threadCpuSeconds).map(([thread, seconds]) => `${thread} ${seconds.toFixed(1)}`).join(', ')}`]
        : []),
    );
  }
  lines.push(...formatWindows(r));
  lines.push(
    `errors ${r.errors}, counted apart (late/, churn/, reload/, crossed/) ${r.countedApart}: ${Object.entries(r.errorsByCode).map(([c, n]) => `${c}=${n}`).join(', ') || 'none'}`,
    `errors by request: ${Object.entries(r.errorsByEvent).map(([c, n]) => `${c}=${n}`).join(', ') || 'none'}`,
    `counters: ${Object.entries(r.counters).map(([k, v]) => `${k}=${v}`).join(', ')}`,
  );
  if (r.churn.bots > 0) {
    lines.push(
      `churn: ${r.churn.bots} bots, reconnects ${r.churn.reconnects} (${r.churn.seatedReconnects} while seated), resumed at their seat ${r.churn.resumes} (misses ${r.churn.resumeMisses}, cashed out by the table while away ${r.churn.removedWhileAway}), acted after a resume ${r.churn.resumedThenActed}, leave+rejoin ${r.churn.rejoins}`,
    );
  }
  if (api) {
    lines.push(
      `audit (public API): bots left ${api.botsLeft}, still seated ${api.botsStillSeated}; chips before ${api.initialChips} + bought ${api.boughtChips} = ${api.initialChips + api.boughtChips};` +
        ` after ${api.finalChips}; hands ${api.hands}, rake ${api.rake}, bots' net ${api.netOfBots},` +
        `${api.handsWithOthers > 0 ? ` other players in ${api.handsWithOthers} hands, their net ${api.netOfOthers},` : ''} unbalanced hands ${api.unbalancedHands};` +
        ` wallets match hands ${api.walletsMatchHands}, chips conserved ${api.chipsConserved}`,
    );
  }
  if (r.tableRebuilds) {
    const causes = Object.entries(r.tableRebuilds).filter(([, n]) => n > 0);
    lines.push(`tables rebuilt by the server during the run: ${causes.length ? causes.map(([c, n]) => `${c}=${n}`).join(', ') : 'none'}`);
  }
  if (r.audit.reconcile) lines.push(`reconcile (GET /api/admin/reconcile): ${r.audit.reconcile.ok ? 'clean' : r.audit.reconcile.violations.join('; ')}`);
  const db = r.audit.db;
  if (db) {
    lines.push(
      `audit (database): reconcile ${db.reconcileOk ? 'clean' : db.violations.join('; ')}; wallets ${db.wallets} + seats ${db.seatChips} (${db.openSeats} open) + rake ${db.rake} vs bought ${db.bought}: conserved ${db.conserved}`,
    );
  }
  for (const v of r.violations) lines.push(`VIOLATION: ${v}`);
  return lines.join('\n');
}

/** The first and the last 15 s of the play window side by side. */
export function formatWindows(r: Pick<BotReport, 'windows'>): string[] {
  const { first, last } = r.windows;
  const span = (w: typeof first) => `${w.fromS.toFixed(0)}-${w.toS.toFixed(0)} s`;
  const rows: [string, string, string][] = [
    ['play window', `first ${span(first)}`, `last ${span(last)}`],
    ['actions/s', first.actionsPerSecond.toFixed(0), last.actionsPerSecond.toFixed(0)],
    ['hands/s', first.handsPerSecond.toFixed(1), last.handsPerSecond.toFixed(1)],
    ['top-ups/hand', first.topUpsPerHand.toFixed(2), last.topUpsPerHand.toFixed(2)],
    ['ack p50 (ms)', first.ackP50Ms.toFixed(1), last.ackP50Ms.toFixed(1)],
    ['ack p99 (ms)', first.ackP99Ms.toFixed(1), last.ackP99Ms.toFixed(1)],
    ['errors', String(first.errors), String(last.errors)],
  ];
  // Each column as wide as its widest cell and two spaces ("last 285-300 s" in a 5-minute run).
  const width = Math.max(12, ...rows.flatMap(([, a, b]) => [a.length, b.length])) + 2;
  return rows.map(([label, a, b]) => `  ${label.padEnd(14)}${a.padStart(width)}${b.padStart(width)}`);
}

function stageText(h: { p50: number | null; p99: number | null; mean: number | null }): string {
  return `${ms(h.p50)} / ${ms(h.p99)} / ${ms(h.mean)}`;
}
