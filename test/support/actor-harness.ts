import { randomBytes } from 'node:crypto';
import type { Ledger } from '../../server/ledger/transactions';
import type { PrivateFrame, TableFrame, TableNotice } from '../../server/protocol';
import { TableActor } from '../../server/tables/actor';
import { DEFAULT_TABLE_SETTINGS, type TableSettings } from '../../server/tables/settings';
import { claimTable, createIntentStore, insertTable, storedTable, type IntentStore, type TableRow } from '../../server/tables/store';
import type { TestDatabase } from './db';
import type { Clock } from '../../server/tables/clock';
import type { TableOutput } from '../../server/tables/output';

// A manual clock and a recording transport for driving a table actor in tests.

export class ManualClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private ids = 0;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = ++this.ids;
    this.timers.push({ at: this.time + ms, callback, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== handle);
  };
  /** Moves time forward, firing due timers in order (and letting the actor finish each, when given). */
  async advance(ms: number, actor?: TableActor): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = due.at;
      due.callback();
      await actor?.idle();
    }
    this.time = end;
    await actor?.idle();
  }
}

/**
 * What each user received, as the realtime layer would deliver it: the public
 * frame to every seated user and to the spectators (user 0), a private frame
 * to its player only. `privateFrames` keeps the private ones apart.
 */
export function recordingOutput() {
  const frames = new Map<number, TableFrame[]>();
  const privateFrames = new Map<number, PrivateFrame[]>();
  const seated = new Set<number>();
  const notices: TableNotice[] = [];
  /** The notices sent to one player (`notice`), with whom they went to. */
  const noticesTo: { userId: number; notice: TableNotice }[] = [];
  const push = (userId: number, frame: TableFrame) => frames.set(userId, [...(frames.get(userId) ?? []), frame]);
  const output: TableOutput = {
    toTable: (_t, frame) => {
      for (const userId of seated) push(userId, frame);
      push(0, frame);
    },
    toPlayer: (userId, frame) => {
      push(userId, frame);
      privateFrames.set(userId, [...(privateFrames.get(userId) ?? []), frame]);
    },
    chat: () => undefined,
    equity: () => undefined,
    notice: (userId, n) => (notices.push(n), noticesTo.push({ userId, notice: n })),
    tableNotice: (_t, n) => notices.push(n),
    seatChanged: (userId, _t, isSeated) => {
      if (isSeated) seated.add(userId);
      else seated.delete(userId);
    },
    walletChanged: () => undefined,
  };
  const events = (userId: number) => (frames.get(userId) ?? []).flatMap((f) => f.events);
  return { output, frames, privateFrames, notices, noticesTo, events };
}

type Wrap = { ledger?: (real: Ledger) => Ledger; intents?: (real: IntentStore) => IntentStore; wallNow?: () => number; newSeed?: () => Uint8Array };

/**
 * A table actor on a manual clock with a recording transport, over the test database's real
 * ledger and intent store: a new table row of `table`'s shape, claimed by this "node".
 */
export async function startActor(
  t: TestDatabase,
  table: { maxSeats: number; smallBlind?: number; bigBlind?: number; minBuyIn?: number; maxBuyIn?: number },
  settings: Partial<TableSettings> = {},
  wrap: Wrap = {},
) {
  const row = await insertTable(t.db, {
    name: `actor-${randomBytes(3).toString('hex')}`, variant: 'NLHE', smallBlind: 1, bigBlind: 2, minBuyIn: 40, maxBuyIn: 200,
    actionTimeoutMs: 10_000, ...table,
  });
  return actorOver(t, (await claimTable(t.db, row.id))!, settings, wrap);
}

/**
 * A restart: the old actor stops, a new owner claims its table and rebuilds it from the
 * database, as the registry does (`storedTable`), on a new clock and transport.
 */
export async function restartActor(t: TestDatabase, old: { actor: TableActor; table: TableRow }, settings: Partial<TableSettings> = {}) {
  old.actor.stop();
  const next = actorOver(t, (await claimTable(t.db, old.table.id))!, settings);
  await next.actor.restore(await storedTable(t.db, createIntentStore(t.db), old.table.id));
  return next;
}

function actorOver(t: TestDatabase, claimed: TableRow, settings: Partial<TableSettings>, wrap: Wrap = {}) {
  const clock = new ManualClock();
  const rec = recordingOutput();
  const fatal: string[] = [];
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const actor = new TableActor({
    table: claimed, clock, wallNow: wrap.wallNow ?? (() => Date.now()), output: rec.output, log: quiet, newSeed: wrap.newSeed ?? (() => randomBytes(32)),
    intents: wrap.intents ? wrap.intents(createIntentStore(t.db)) : createIntentStore(t.db),
    ledger: wrap.ledger ? wrap.ledger(t.ledger) : t.ledger,
    settings: { ...DEFAULT_TABLE_SETTINGS, handIntervalMs: 100, timeBankMs: 5_000, ...settings },
    onFatal: (_id, reason) => fatal.push(reason),
    handSettled: async () => false,
  });
  return { actor, clock, rec, fatal, table: claimed };
}
