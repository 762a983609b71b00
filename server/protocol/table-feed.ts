// One table as a client follows it: a snapshot, then frames in seq order folded onto the
// snapshot's view with the engine's own applyViewEvents (server/poker/view-feed.ts). The
// browser, the bots and the test client all follow a table through this one state machine.
//
// Rules (docs/protocol.md, "Frames and seq"): a frame with seq = last + 1 is applied; a
// frame repeating the last seq only carries table metadata (players, clock); an older one is
// stale; a larger jump or another epoch means frames were missed: ask for a snapshot. Until
// a snapshot arrives every frame answers `resync`. Isomorphic: no Node APIs.
import { applyViewEvents, type GameEvent, type LegalActions, type TableView } from '../poker';
import type { PrivateFrame, TableEvent, TableFrame, TableSnapshot } from './frames';

/** What the feed needs of a snapshot (`table:watch` and `table:snapshot` both answer one). */
export type FeedSnapshot = Pick<TableSnapshot, 'tableId' | 'epoch' | 'seq' | 'view' | 'you'>;

export type FeedOutcome =
  /**
   * The view after the frame, the receiving player's options, and the frame's events to act
   * on (for a metadata frame only the table's own events: its engine events, if any, were
   * applied already).
   */
  | { kind: 'applied'; view: TableView; legal: LegalActions | null; events: TableEvent[] }
  /** Older than what the feed holds (or another table's): nothing to do. */
  | { kind: 'stale' }
  /** Frames were missed, or no snapshot yet: ask for `table:snapshot` and hand it to onSnapshot. */
  | { kind: 'resync' };

export interface TableFeed {
  /** Null before the first snapshot (and after reset). */
  readonly tableId: number | null;
  readonly epoch: number | null;
  /** The seq of `view`; -1 before the first snapshot. */
  readonly seq: number;
  /** The last view in step with the table (kept while a resync is pending, for display). */
  readonly view: TableView | null;
  /** The player's options at `seq` (null for spectators and when it is not their turn). */
  readonly legal: LegalActions | null;
  /** False before the first snapshot and from a missed frame until the next snapshot. */
  readonly synced: boolean;
  /** Takes a snapshot; false when it is older than the frames applied since it was asked for (it is dropped). */
  onSnapshot(snapshot: FeedSnapshot): boolean;
  onFrame(frame: TableFrame): FeedOutcome;
  /** The private frame that follows the public one of the same seq (own hole cards and options). */
  onPrivate(frame: PrivateFrame): FeedOutcome;
  /** Forgets the table: the next snapshot is taken whatever its seq (a fresh watch after a reconnect). */
  reset(): void;
}

/** The table's own events, beside the engine's; the record makes a new one a compile error here. */
const TABLE_OWN_EVENTS: Record<Exclude<TableEvent, GameEvent>['type'], true> = {
  fairness_commitment: true,
  clock: true,
  players: true,
  hand_settled: true,
};

export function isGameEvent(event: TableEvent): event is GameEvent {
  return !Object.prototype.hasOwnProperty.call(TABLE_OWN_EVENTS, event.type);
}

/** applyViewEvents throws on an event the view cannot take; for a client that is drift, not a crash. */
function foldOrNull(view: TableView, events: GameEvent[]): TableView | null {
  try {
    return applyViewEvents(view, events);
  } catch {
    return null;
  }
}

interface FeedState {
  tableId: number | null;
  epoch: number | null;
  seq: number;
  view: TableView | null;
  legal: LegalActions | null;
  synced: boolean;
}

const EMPTY: FeedState = { tableId: null, epoch: null, seq: -1, view: null, legal: null, synced: false };

export function createTableFeed(): TableFeed {
  let s: FeedState = { ...EMPTY };

  const desync = (): FeedOutcome => {
    s.synced = false;
    return { kind: 'resync' };
  };

  const applyNext = (frame: TableFrame, view: TableView): FeedOutcome => {
    const next = foldOrNull(view, frame.events.filter(isGameEvent));
    // One command opens every step, so the folded seq must land on the frame's: if it does
    // not (or an event names a seat the view does not have), the view is out of step with
    // the table and only a snapshot can tell the truth.
    if (next === null || next.seq !== frame.seq) return desync();
    s = { ...s, seq: frame.seq, view: next, legal: next.legal };
    return { kind: 'applied', view: next, legal: next.legal, events: frame.events };
  };

  const onFrame = (frame: TableFrame): FeedOutcome => {
    const view = s.view;
    if (view === null || !s.synced) return { kind: 'resync' };
    if (frame.tableId !== s.tableId) return { kind: 'stale' };
    if (frame.epoch !== s.epoch || frame.seq > s.seq + 1) return desync();
    if (frame.seq < s.seq) return { kind: 'stale' };
    if (frame.seq === s.seq + 1) return applyNext(frame, view);
    return { kind: 'applied', view, legal: s.legal, events: frame.events.filter((e) => !isGameEvent(e)) };
  };

  // The private part of the step the feed has just applied: same seq, folded on top.
  const onPrivate = (frame: PrivateFrame): FeedOutcome => {
    const view = s.view;
    if (view === null || !s.synced) return { kind: 'resync' };
    if (frame.tableId !== s.tableId) return { kind: 'stale' };
    if (frame.epoch !== s.epoch || frame.seq > s.seq) return desync();
    if (frame.seq < s.seq) return { kind: 'stale' };
    const next = foldOrNull(view, frame.events);
    if (next === null || next.seq !== frame.seq) return desync();
    next.legal = frame.legal;
    s = { ...s, view: next, legal: next.legal };
    return { kind: 'applied', view: next, legal: next.legal, events: frame.events };
  };

  const onSnapshot = (snapshot: FeedSnapshot): boolean => {
    const sameTable = s.synced && snapshot.tableId === s.tableId && snapshot.epoch === s.epoch;
    if (sameTable && snapshot.seq < s.seq) return false;
    const legal = snapshot.you?.legal ?? snapshot.view.legal;
    s = { tableId: snapshot.tableId, epoch: snapshot.epoch, seq: snapshot.seq, view: snapshot.view, legal, synced: true };
    return true;
  };

  return {
    get tableId() {
      return s.tableId;
    },
    get epoch() {
      return s.epoch;
    },
    get seq() {
      return s.seq;
    },
    get view() {
      return s.view;
    },
    get legal() {
      return s.legal;
    },
    get synced() {
      return s.synced;
    },
    onSnapshot,
    onFrame,
    onPrivate,
    reset: () => {
      s = { ...EMPTY };
    },
  };
}
