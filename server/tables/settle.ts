import { performance } from 'node:perf_hooks';
import type { GameState } from '../poker';
import { isTransientDbError } from '../ledger/db-helpers';
import type { Ledger, SettleSeat } from '../ledger/transactions';
import { handRecord, type HandLog, type HandPeople } from './hand-log';
import type { ActorMetrics } from './metrics-api';
import type { TableRow } from './store';

// The settlement of one finished hand through the ledger, and what its
// outcome means for the table:
//   settled: committed; the table's hand number moves on.
//   retry:   a transient failure (the ledger gave up on serialization
//            failures or deadlocks, the database unreachable): the same
//            settlement may succeed later.
//   void:    it will never succeed (the ledger refused it, memory and ledger
//            disagree, a bug): the hand is voided and the table rebuilt from
//            the database. `code` is a short label for the metrics.

export type HandOutcome =
  /** `pot`: the pot played for (every pot, rake included; an uncalled bet given back not), as the hand's record says. */
  | { kind: 'settled'; pot: number; recordId: bigint }
  | { kind: 'retry'; reason: string }
  | { kind: 'void'; code: string; reason: string };

/** The one ledger answer worth waiting out. */
const TRANSIENT_SETTLE_CODE = 'ledger/busy';

export interface SettleDeps {
  ledger: Ledger;
  metrics?: ActorMetrics;
  log: { warn(obj: object, msg?: string): void };
}

export async function settleFinishedHand(
  deps: SettleDeps,
  table: TableRow,
  log: HandLog,
  state: GameState,
  people: (seat: number) => (ReturnType<HandPeople> & { seatSessionId: bigint }) | undefined,
  endedAt: string,
): Promise<HandOutcome> {
  const result = state.result;
  if (!result) return { kind: 'void', code: 'no_hand', reason: 'settle without a finished hand' };
  const participants: SettleSeat[] = [];
  for (const r of result.seats) {
    const person = people(r.seat);
    if (!person) return { kind: 'void', code: 'no_owner', reason: `seat ${r.seat} played the hand but has no owner` };
    participants.push({
      seatSessionId: person.seatSessionId, userId: person.userId, seatIndex: r.seat,
      contributed: BigInt(r.contributed), won: BigInt(r.won + r.returned),
    });
  }
  const started = performance.now();
  const record = handRecord(log, state, table, people, endedAt);
  try {
    const settled = await deps.ledger.settleHand({
      tableId: table.id, handNumber: log.handNumber, ownerEpoch: table.ownerEpoch, seats: participants,
      rake: BigInt(result.rake), commitment: log.commitment, seed: log.seedHex, record,
    });
    if (!settled.ok) {
      deps.log.warn({ tableId: table.id, error: settled.error, handNumber: String(log.handNumber) }, 'settlement refused');
      return settled.error.code === TRANSIENT_SETTLE_CODE
        ? { kind: 'retry', reason: settled.error.code }
        : { kind: 'void', code: settled.error.code, reason: `settlement refused: ${settled.error.code}` };
    }
    // Assert the invariant twice (STYLE 4): after the commit, every seat's
    // balance in the ledger must equal the engine's stack.
    const drift = participants.filter((p) => {
      const stored = settled.value.stacks.find((x) => x.seatSessionId === p.seatSessionId)?.stack;
      return stored !== BigInt(result.seats.find((r) => r.seat === p.seatIndex)!.endStack);
    });
    if (drift.length > 0) return { kind: 'void', code: 'drift', reason: `ledger and engine disagree on seats ${drift.map((d) => d.seatIndex).join(', ')}` };
    deps.metrics?.settlement((performance.now() - started) / 1000);
    deps.metrics?.handSettled();
    return { kind: 'settled', pot: record.pot, recordId: settled.value.handId };
  } catch (error) {
    const reason = (error as Error).message;
    return isTransientDbError(error) ? { kind: 'retry', reason } : { kind: 'void', code: 'error', reason: `settlement failed: ${reason}` };
  }
}
