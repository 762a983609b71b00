// The client-side feed: seq, epoch, gaps, stale and metadata frames, snapshots, and the view
// it folds, against frames built the way the table actor builds them.
import { describe, expect, it } from 'vitest';
import { apply } from '../../server/poker/game';
import { legalActions } from '../../server/poker/legal';
import { eventsFor, viewFor } from '../../server/poker/views';
import type { Command, GameEvent, GameState, Viewer } from '../../server/poker/types';
import { createTableFeed, isGameEvent, type FeedSnapshot, type TableFeed } from '../../server/protocol/table-feed';
import type { PrivateFrame, TableEvent, TableFrame } from '../../server/protocol/frames';
import { legalCommand, rng, shuffledDeck, table } from './poker-helpers';

const TABLE_ID = 7;
const EPOCH = 3;
const HERO: Viewer = { kind: 'player', seat: 1 };
const SPECTATOR: Viewer = { kind: 'spectator' };

/** The public frame of one engine step, the same for every viewer (server/tables/actor.ts broadcast). */
function frameFor(state: GameState, events: GameEvent[], _viewer: Viewer, extra: TableEvent[] = [], epoch = EPOCH): TableFrame {
  return { tableId: TABLE_ID, epoch, seq: state.seq, events: [...eventsFor(events, SPECTATOR), ...extra] };
}

/** The private frame a seated player gets after it, when the step has events only for them. */
function privateFor(state: GameState, events: GameEvent[], viewer: Viewer, epoch = EPOCH): PrivateFrame | null {
  if (viewer.kind !== 'player') return null;
  const own = events.filter((e) => 'to' in e && e.to === viewer.seat);
  return own.length === 0 ? null : { tableId: TABLE_ID, epoch, seq: state.seq, events: own, legal: legalActions(state, viewer.seat) };
}

function snapshotOf(state: GameState, viewer: Viewer, epoch = EPOCH): FeedSnapshot {
  const legal = viewer.kind === 'player' ? legalActions(state, viewer.seat) : null;
  return { tableId: TABLE_ID, epoch, seq: state.seq, view: viewFor(state, viewer), you: viewer.kind === 'player' ? { userId: 1, seat: viewer.seat, legal } : null };
}

/** A table of three that keeps playing: each call is one accepted engine step. */
function game(seed = 1) {
  const random = rng(seed);
  let state = table([500, 800, 300]);
  let hand = 0;
  // Between hands everyone is sat back in and topped up, so the table never stops.
  const nextCommand = (): Command => {
    if (state.street !== 'complete') return legalCommand(state, state.toAct!, legalActions(state, state.toAct!)!, random);
    const out = state.seats.findIndex((s) => s?.sittingOut);
    if (out >= 0) return { type: 'sit_in', seat: out };
    const broke = state.seats.findIndex((s) => s?.stack === 0);
    if (broke >= 0) return { type: 'add_chips', seat: broke, amount: 400 };
    return { type: 'start_hand', handId: `h${++hand}`, deck: shuffledDeck(random) };
  };
  const step = (): { state: GameState; events: GameEvent[] } => {
    for (;;) {
      const r = apply(state, nextCommand());
      if (!r.ok) continue;
      state = r.state;
      return { state, events: r.events };
    }
  };
  return { step, get state() { return state; } };
}

function applied(feed: TableFeed, frame: TableFrame) {
  const outcome = feed.onFrame(frame);
  if (outcome.kind !== 'applied') throw new Error(`expected applied, got ${outcome.kind} at seq ${frame.seq}`);
  return outcome;
}

/** Everything one viewer receives for a step, in order: the public frame, then their private one. */
function delivered(feed: TableFeed, state: GameState, events: GameEvent[], viewer: Viewer) {
  const outcome = applied(feed, frameFor(state, events, viewer));
  const own = privateFor(state, events, viewer);
  if (!own) return outcome;
  const after = feed.onPrivate(own);
  if (after.kind !== 'applied') throw new Error(`private frame: expected applied, got ${after.kind} at seq ${own.seq}`);
  return after;
}

describe('createTableFeed', () => {
  it('asks for a snapshot before it has one', () => {
    const g = game();
    const { state, events } = g.step();
    const feed = createTableFeed();
    expect(feed.synced).toBe(false);
    expect(feed.onFrame(frameFor(state, events, SPECTATOR))).toEqual({ kind: 'resync' });
    expect(feed.view).toBeNull();
  });

  it('follows many hands from one snapshot: the view and legal are the server’s after every frame', () => {
    const g = game(42);
    const hero = createTableFeed();
    const watcher = createTableFeed();
    expect(hero.onSnapshot(snapshotOf(g.state, HERO))).toBe(true);
    expect(watcher.onSnapshot(snapshotOf(g.state, SPECTATOR))).toBe(true);
    let hands = 0;
    while (hands < 30) {
      const { state, events } = g.step();
      if (events.some((e) => e.type === 'hand_complete')) hands++;
      const mine = delivered(hero, state, events, HERO);
      expect(mine.view).toEqual(viewFor(state, HERO));
      expect(mine.legal).toEqual(legalActions(state, 1));
      expect(hero.seq).toBe(state.seq);
      expect(delivered(watcher, state, events, SPECTATOR).view).toEqual(viewFor(state, SPECTATOR));
    }
    expect(hero.synced && watcher.synced).toBe(true);
  });

  it('a private frame is only ever the hole cards of its player, and nobody else’s frames hold them', () => {
    const g = game(43);
    let privates = 0;
    for (let hands = 0; hands < 20; ) {
      const { state, events } = g.step();
      if (events.some((e) => e.type === 'hand_complete')) hands++;
      expect(frameFor(state, events, SPECTATOR).events.some((e) => e.type === 'hole_cards')).toBe(false);
      for (const seat of [0, 1, 2]) {
        const own = privateFor(state, events, { kind: 'player', seat });
        if (!own) continue;
        privates++;
        expect(own.events.every((e) => e.type === 'hole_cards' && e.seat === seat)).toBe(true);
      }
    }
    expect(privates).toBeGreaterThanOrEqual(40);
  });

  it('a private frame must follow its public frame: ahead of it is a gap, behind it is stale', () => {
    const g = game(44);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, HERO));
    for (;;) {
      const { state, events } = g.step();
      const own = privateFor(state, events, HERO);
      if (!own) {
        applied(feed, frameFor(state, events, HERO));
        continue;
      }
      // The private frame of a deal the feed has not seen: frames were missed.
      const lagging = createTableFeed();
      lagging.onSnapshot({ ...snapshotOf(g.state, HERO), seq: state.seq - 1 });
      expect(lagging.onPrivate(own)).toEqual({ kind: 'resync' });
      applied(feed, frameFor(state, events, HERO));
      // Until the private part arrives the hero does not know their cards, so not their options either.
      expect(feed.view!.seats[1]!.holeCards).toBeNull();
      expect(feed.onPrivate(own).kind).toBe('applied');
      expect(feed.view).toEqual(viewFor(state, HERO));
      const next = g.step();
      delivered(feed, next.state, next.events, HERO);
      expect(feed.onPrivate(own)).toEqual({ kind: 'stale' });
      expect(feed.onPrivate({ ...own, tableId: TABLE_ID + 1 })).toEqual({ kind: 'stale' });
      expect(feed.onPrivate({ ...own, seq: feed.seq, epoch: EPOCH + 1 })).toEqual({ kind: 'resync' });
      break;
    }
  });

  it('a missed frame means resync until the next snapshot, which it then follows', () => {
    const g = game(5);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, HERO));
    const first = g.step();
    delivered(feed, first.state, first.events, HERO);
    const held = feed.view;
    g.step(); // lost
    const third = g.step();
    expect(feed.onFrame(frameFor(third.state, third.events, HERO))).toEqual({ kind: 'resync' });
    expect(feed.synced).toBe(false);
    expect(feed.view).toBe(held);
    const fourth = g.step();
    // Still out of step: even the next frame in sequence waits for the snapshot.
    expect(feed.onFrame(frameFor(fourth.state, fourth.events, HERO))).toEqual({ kind: 'resync' });
    expect(feed.onSnapshot(snapshotOf(fourth.state, HERO))).toBe(true);
    const fifth = g.step();
    expect(delivered(feed, fifth.state, fifth.events, HERO).view).toEqual(viewFor(fifth.state, HERO));
  });

  it('another epoch means the table was rebuilt: resync, whatever the seq', () => {
    const g = game(6);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, SPECTATOR));
    const next = g.step();
    expect(feed.onFrame(frameFor(next.state, next.events, SPECTATOR, [], EPOCH + 1))).toEqual({ kind: 'resync' });
    expect(feed.onSnapshot(snapshotOf(next.state, SPECTATOR, EPOCH + 1))).toBe(true);
    expect(feed.epoch).toBe(EPOCH + 1);
    const after = g.step();
    expect(applied(feed, frameFor(after.state, after.events, SPECTATOR, [], EPOCH + 1)).view).toEqual(viewFor(after.state, SPECTATOR));
  });

  it('an older frame is stale and changes nothing', () => {
    const g = game(8);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, SPECTATOR));
    const first = g.step();
    const second = g.step();
    applied(feed, frameFor(first.state, first.events, SPECTATOR));
    applied(feed, frameFor(second.state, second.events, SPECTATOR));
    const view = feed.view;
    expect(feed.onFrame(frameFor(first.state, first.events, SPECTATOR))).toEqual({ kind: 'stale' });
    expect(feed.view).toBe(view);
    expect(feed.seq).toBe(second.state.seq);
  });

  it('a frame repeating the seq carries metadata only: its engine events are not applied twice', () => {
    const g = game(9);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, HERO));
    const { state, events } = g.step();
    const players: TableEvent = { type: 'players', players: [] };
    const clock: TableEvent = { type: 'clock', clock: null };
    applied(feed, frameFor(state, events, HERO, [clock]));
    const own = privateFor(state, events, HERO);
    if (own) feed.onPrivate(own);
    const meta = applied(feed, frameFor(state, [], HERO, [players]));
    expect(meta.events).toEqual([players]);
    expect(meta.view).toEqual(viewFor(state, HERO));
    // The same step delivered twice (say, on two sockets): the events are dropped, the table's own kept.
    const twice = applied(feed, frameFor(state, events, HERO, [clock]));
    expect(twice.events).toEqual([clock]);
    expect(twice.view).toEqual(viewFor(state, HERO));
    expect(feed.seq).toBe(state.seq);
  });

  it('hands back every event of a new frame, the engine’s and the table’s own', () => {
    const g = game(10);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, SPECTATOR));
    const { state, events } = g.step();
    const settled: TableEvent = { type: 'hand_settled', handId: 'h0', handNumber: 0, recordId: '1' };
    const outcome = applied(feed, frameFor(state, events, SPECTATOR, [settled]));
    expect(outcome.events).toEqual([...eventsFor(events, SPECTATOR), settled]);
    expect(outcome.events.filter(isGameEvent)).toEqual(eventsFor(events, SPECTATOR));
  });

  it('a frame whose events do not add up to its seq is drift: resync', () => {
    const g = game(11);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, SPECTATOR));
    const { state } = g.step();
    expect(feed.onFrame(frameFor(state, [], SPECTATOR, [{ type: 'clock', clock: null }]))).toEqual({ kind: 'resync' });
    expect(feed.synced).toBe(false);
  });

  it('an event the view cannot take (a seat it does not have) is drift too, not a crash', () => {
    const g = game(14);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, SPECTATOR));
    const { state } = g.step();
    const bogus: TableFrame = { tableId: TABLE_ID, epoch: EPOCH, seq: state.seq, events: [{ type: 'chips_added', seat: 5, amount: 1, stack: 1 }] };
    expect(feed.onFrame(bogus)).toEqual({ kind: 'resync' });
  });

  it('a snapshot older than the frames applied since is dropped; after reset any snapshot is taken', () => {
    const g = game(12);
    const feed = createTableFeed();
    const old = snapshotOf(g.state, HERO);
    feed.onSnapshot(old);
    const { state, events } = g.step();
    delivered(feed, state, events, HERO);
    expect(feed.onSnapshot(old)).toBe(false);
    expect(feed.seq).toBe(state.seq);
    expect(feed.onSnapshot(snapshotOf(state, HERO))).toBe(true);
    feed.reset();
    expect(feed.synced).toBe(false);
    expect(feed.view).toBeNull();
    expect(feed.onSnapshot(old)).toBe(true);
    expect(feed.seq).toBe(old.seq);
    expect(feed.legal).toEqual(old.you!.legal);
  });

  it('ignores frames of another table', () => {
    const g = game(13);
    const feed = createTableFeed();
    feed.onSnapshot(snapshotOf(g.state, SPECTATOR));
    const { state, events } = g.step();
    expect(feed.onFrame({ ...frameFor(state, events, SPECTATOR), tableId: TABLE_ID + 1 })).toEqual({ kind: 'stale' });
    expect(feed.synced).toBe(true);
  });
});
