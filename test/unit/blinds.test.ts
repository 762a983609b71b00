// Nobody skips the big blind (decision 029): the next hand's button and the seats waiting for
// their big blind, driven the way the table actor drives them, on the engine.
import { describe, expect, it } from 'vitest';
import { missedBlind, planNextHand } from '../../server/poker/blinds';
import { apply } from '../../server/poker/game';
import { legalActions } from '../../server/poker/legal';
import type { Command, GameState } from '../../server/poker/types';
import { shuffledDeck, rng, table } from './poker-helpers';

/** The table actor's policy over the engine, in miniature: waiting and owing seats, one hand at a time. */
class Table {
  waiting = new Set<number>();
  owes = new Set<number>();
  /** Waiting seats that post a big blind to enter (decision 034). */
  posting = new Set<number>();
  hands: { button: number; smallBlind: number; bigBlind: number; dealt: number[]; posts: number[] }[] = [];
  private readonly random = rng(29);

  constructor(public state: GameState) {}

  private step(command: Command): void {
    const r = apply(this.state, command);
    if (!r.ok) throw new Error(`${JSON.stringify(command)}: ${r.rejection.code}`);
    this.state = r.state;
  }

  private running(without: number): boolean {
    return this.state.button !== null && this.state.seats.filter((s, i) => i !== without && s && !s.sittingOut && s.stack > 0).length >= 2;
  }

  join(seat: number): void {
    this.step({ type: 'sit', seat, playerId: `p${seat}`, stack: 1000 });
    if (this.running(seat)) {
      this.step({ type: 'sit_out', seat });
      this.waiting.add(seat);
      this.owes.add(seat);
    }
  }

  sitOut(seat: number): void {
    if (this.waiting.delete(seat)) return;
    this.step({ type: 'sit_out', seat });
  }

  sitIn(seat: number): void {
    if (this.owes.has(seat) && this.running(seat)) this.waiting.add(seat);
    else this.step({ type: 'sit_in', seat });
  }

  leave(seat: number): void {
    this.waiting.delete(seat);
    this.posting.delete(seat);
    this.owes.delete(seat);
    this.step({ type: 'leave', seat });
  }

  /** Deals a hand and plays it out (everyone checks or folds to the big blind). */
  play(): void {
    const plan = planNextHand(this.state, this.waiting, this.posting);
    if (!plan) throw new Error('no hand');
    for (const seat of plan.dealIn) {
      this.step({ type: 'sit_in', seat });
      this.waiting.delete(seat);
      this.posting.delete(seat);
    }
    const dealt = new Set(this.state.seats.flatMap((s, i) => (s && !s.sittingOut && s.stack > 0 ? [i] : [])));
    this.state.seats.forEach((s, seat) => {
      if (!s) return;
      if (dealt.has(seat)) this.owes.delete(seat);
      else if (missedBlind(this.state, dealt, plan.button, seat)) this.owes.add(seat);
    });
    const posts = plan.posts.length > 0 ? { posts: plan.posts } : {};
    this.step({ type: 'start_hand', handId: `h${this.hands.length}`, deck: shuffledDeck(this.random), button: plan.button, ...posts });
    this.hands.push({
      button: this.state.button!, smallBlind: this.state.smallBlindSeat!, bigBlind: this.state.bigBlindSeat!, dealt: [...this.state.dealOrder].sort(),
      posts: plan.posts,
    });
    // Every poster put a live big blind in (as bets of the street, like the big blind's).
    for (const seat of plan.posts) expect(this.state.seats[seat]!.bet).toBe(this.state.config.bigBlind);
    while (this.state.street !== 'complete') {
      const seat = this.state.toAct!;
      const legal = legalActions(this.state, seat)!;
      this.step({ type: 'act', seat, action: legal.canCheck ? 'check' : 'fold' });
    }
  }

  get last() {
    return this.hands.at(-1)!;
  }
}

describe('the next hand (decision 029)', () => {
  it('a player who joins a running game between the button and the small blind waits for the big blind; nobody posts a blind twice for it', () => {
    const t = new Table(table([1000, null, 1000, 1000, 1000]));
    t.play();
    expect(t.last).toMatchObject({ button: 0, smallBlind: 2, bigBlind: 3 });
    t.join(1);
    t.play();
    // The moving button would have gone to seat 1 and made seats 2 and 3 post again.
    expect(t.last).toMatchObject({ button: 2, smallBlind: 3, bigBlind: 4, dealt: [0, 2, 3, 4] });
    t.play();
    expect(t.last).toMatchObject({ button: 3, smallBlind: 4, bigBlind: 0, dealt: [0, 2, 3, 4] });
    t.play();
    // The big blind reaches seat 1: it enters and posts it.
    expect(t.last).toMatchObject({ button: 4, smallBlind: 0, bigBlind: 1, dealt: [0, 1, 2, 3, 4] });
    expect(t.waiting.size).toBe(0);
  });

  it('sitting out through the big blind does not skip it: back in, the seat waits until the big blind comes round', () => {
    const t = new Table(table([1000, 1000, 1000, 1000]));
    t.play();
    expect(t.last).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    t.sitOut(3); // its big blind is next
    t.play();
    expect(t.last).toMatchObject({ button: 1, smallBlind: 2, bigBlind: 0, dealt: [0, 1, 2] });
    expect(t.owes.has(3)).toBe(true);
    t.sitIn(3);
    t.play();
    expect(t.last.dealt).toEqual([0, 1, 2]);
    t.play();
    expect(t.last.dealt).toEqual([0, 1, 2]);
    // Dealt in only as the big blind.
    let entered = -1;
    for (let hand = 0; hand < 4 && entered < 0; hand++) {
      t.play();
      if (t.last.dealt.includes(3)) entered = t.last.bigBlind;
    }
    expect(entered).toBe(3);
    expect(t.owes.has(3)).toBe(false);
  });

  it('a sit-out that no blind passes over is back at once', () => {
    const t = new Table(table([1000, 1000, 1000, 1000, 1000, 1000]));
    t.play();
    expect(t.last).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    t.sitOut(5); // the blinds move to 2 and 3: nowhere near seat 5
    t.play();
    expect(t.owes.has(5)).toBe(false);
    t.sitIn(5);
    t.play();
    expect(t.last.dealt).toContain(5);
  });

  it('going heads-up, the last big blind takes the button: nobody posts the big blind twice in a row', () => {
    const t = new Table(table([1000, 1000, 1000]));
    t.play();
    expect(t.last).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    t.leave(0);
    t.play();
    // The moving button would have made seat 1 the button and seat 2 the big blind again.
    expect(t.last).toMatchObject({ button: 2, smallBlind: 2, bigBlind: 1 });
    t.play();
    expect(t.last).toMatchObject({ button: 1, smallBlind: 1, bigBlind: 2 });
  });

  it('a game that re-forms around the last big blind (the others left, the waiting seats all dealt in at once): it takes the button, not the big blind again', () => {
    const t = new Table(table([1000, 1000, null, null]));
    t.play();
    t.play();
    expect(t.last).toMatchObject({ button: 1, bigBlind: 0 });
    t.join(2);
    t.join(3);
    expect([...t.waiting]).toEqual([2, 3]);
    t.leave(1);
    t.play();
    // The moving button (seat 2) made seat 0 post the big blind twice running.
    expect(t.last).toMatchObject({ button: 0, smallBlind: 2, bigBlind: 3, dealt: [0, 2, 3] });
  });

  it('heads-up play alternates the button as before', () => {
    const t = new Table(table([1000, 1000]));
    const buttons: number[] = [];
    for (let i = 0; i < 4; i++) {
      t.play();
      buttons.push(t.last.button);
      expect(t.last.smallBlind).toBe(t.last.button);
    }
    expect(buttons).toEqual([0, 1, 0, 1]);
  });

  it('a table with no game running deals the waiting seats in at once', () => {
    const state = table([1000, null, null]);
    expect(planNextHand(state, new Set([1]))).toBeNull(); // seat 1 is empty: nothing to deal
    const t = new Table(table([1000, 1000, null]));
    t.play();
    t.leave(1);
    t.join(1); // one seat playing: no game runs, so nobody waits
    expect(t.waiting.size).toBe(0);
    t.play();
    expect(t.last.dealt).toEqual([0, 1]);
  });

  it('two seats waiting enter one hand at a time, each as the big blind', () => {
    const t = new Table(table([1000, null, null, 1000, 1000, 1000]));
    t.play();
    t.join(1);
    t.join(2);
    expect([...t.waiting].sort()).toEqual([1, 2]);
    const entries: { seat: number; bigBlind: number }[] = [];
    for (let hand = 0; hand < 8 && t.waiting.size > 0; hand++) {
      const before = new Set(t.waiting);
      t.play();
      for (const seat of before) if (!t.waiting.has(seat)) entries.push({ seat, bigBlind: t.last.bigBlind });
    }
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry.bigBlind).toBe(entry.seat);
    expect(new Set(entries.map((e) => e.seat))).toEqual(new Set([1, 2]));
  });

  it('over many hands of random comings and goings, a seat that enters a running game posts the big blind in its first hand unless it owed nothing', () => {
    const t = new Table(table([1000, 1000, 1000, null, null, null, null, null, null]));
    const random = rng(7);
    t.play();
    for (let hand = 0; hand < 400; hand++) {
      const seat = random(9);
      const s = t.state.seats[seat];
      const r = random(4);
      if (!s) t.join(seat);
      else if (r === 0 && !s.sittingOut && !t.waiting.has(seat)) t.sitOut(seat);
      else if (r === 1 && (s.sittingOut && !t.waiting.has(seat))) t.sitIn(seat);
      else if (r === 2 && t.state.seats.filter(Boolean).length > 3) t.leave(seat);
      const owedBefore = new Set(t.owes);
      const dealtBefore = new Set(t.last.dealt);
      const playing = t.state.seats.filter((x, i) => x && (!x.sittingOut || t.waiting.has(i))).length;
      if (playing < 2) continue;
      t.play();
      for (const entered of t.last.dealt.filter((x) => !dealtBefore.has(x))) {
        if (owedBefore.has(entered) && dealtBefore.size >= 2) expect(t.last.bigBlind, `hand ${hand}: seat ${entered}`).toBe(entered);
      }
      // Never the same big blind twice in a row while someone else could have posted it.
      const previous = t.hands.at(-2)!;
      if (t.hands.length > 1 && t.last.dealt.length >= 2 && previous.dealt.length >= 2) expect(t.last.bigBlind).not.toBe(previous.bigBlind);
    }
  });
});

describe('post now (decision 034)', () => {
  it('a new player after the big blind posts one and is dealt in at once; the blinds stay where they were', () => {
    const t = new Table(table([1000, 1000, 1000, null, 1000, null]));
    t.play();
    expect(t.last).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    t.join(5);
    t.posting.add(5);
    t.play();
    // Button 1, blinds 2 and 4; seat 5 sits after the big blind: it posts and plays.
    expect(t.last).toMatchObject({ button: 1, smallBlind: 2, bigBlind: 4, dealt: [0, 1, 2, 4, 5], posts: [5] });
    expect(t.waiting.size).toBe(0);
    t.play();
    // From then on an ordinary seat.
    expect(t.last).toMatchObject({ button: 2, smallBlind: 4, bigBlind: 5, posts: [] });
  });

  it('between the button and the big blind a poster waits (it would take a blind from someone else); it enters where it may', () => {
    const t = new Table(table([1000, null, 1000, 1000, 1000]));
    t.play();
    expect(t.last).toMatchObject({ button: 0, smallBlind: 2, bigBlind: 3 });
    t.join(1);
    t.posting.add(1);
    t.play();
    // Button 2: seat 1 comes after the big blind (4) and before the button: it posts.
    expect(t.last).toMatchObject({ button: 2, smallBlind: 3, bigBlind: 4, dealt: [0, 1, 2, 3, 4], posts: [1] });

    const u = new Table(table([1000, 1000, null, 1000, 1000, 1000]));
    u.play();
    expect(u.last).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 3 });
    u.join(2);
    u.posting.add(2);
    u.play();
    // Button 1: seat 2 would be the small blind. It waits; the hand is dealt without it.
    expect(u.last).toMatchObject({ button: 1, smallBlind: 3, bigBlind: 4, dealt: [0, 1, 3, 4, 5], posts: [] });
    expect(u.waiting.has(2)).toBe(true);
  });

  it('a poster whose big blind it is enters as the big blind, posting nothing more', () => {
    const t = new Table(table([1000, 1000, 1000, null, 1000, 1000]));
    t.play();
    expect(t.last).toMatchObject({ button: 0, smallBlind: 1, bigBlind: 2 });
    t.join(3);
    t.posting.add(3);
    t.play();
    expect(t.last).toMatchObject({ button: 1, smallBlind: 2, bigBlind: 3, dealt: [0, 1, 2, 3, 4, 5], posts: [] });
    // One big blind in the hand: seat 4 (the big blind without seat 3) posted nothing.
    expect(t.state.seats[4]!.committed).toBe(0);
  });

  it('heads-up, a poster waits unless the big blind is its own (posting would move the blinds)', () => {
    const t = new Table(table([1000, 1000, null, null]));
    t.play();
    const first = t.last;
    t.join(3);
    t.posting.add(3);
    t.play();
    // With three seats the big blind is the third seat from the button: if that is seat 3 it
    // enters as the big blind, otherwise it waits; it never posts out of position here.
    expect(t.last.posts).toEqual([]);
    expect(t.last.dealt.includes(3)).toBe(t.last.bigBlind === 3);
    expect(first.dealt).toEqual([0, 1]);
  });

  it('over many hands of random comings and goings with posters, no poster sits on the button or in a blind, and nobody posts the big blind twice in a row', () => {
    const t = new Table(table([1000, 1000, 1000, null, null, null, null, null, null]));
    const random = rng(34);
    t.play();
    let posted = 0;
    for (let hand = 0; hand < 400; hand++) {
      const seat = random(9);
      const s = t.state.seats[seat];
      const r = random(4);
      if (!s) {
        t.join(seat);
        if (t.waiting.has(seat) && random(2) === 0) t.posting.add(seat);
      } else if (r === 0 && !s.sittingOut && !t.waiting.has(seat)) t.sitOut(seat);
      else if (r === 1 && (s.sittingOut && !t.waiting.has(seat))) t.sitIn(seat);
      else if (r === 2 && t.state.seats.filter(Boolean).length > 3) t.leave(seat);
      const playing = t.state.seats.filter((x, i) => x && (!x.sittingOut || t.waiting.has(i))).length;
      if (playing < 2) continue;
      t.play();
      for (const poster of t.last.posts) {
        expect([t.last.button, t.last.smallBlind, t.last.bigBlind]).not.toContain(poster);
        posted++;
      }
      const previous = t.hands.at(-2)!;
      if (t.hands.length > 1 && t.last.dealt.length >= 2 && previous.dealt.length >= 2) expect(t.last.bigBlind).not.toBe(previous.bigBlind);
    }
    expect(posted).toBeGreaterThan(20);
  });
});
