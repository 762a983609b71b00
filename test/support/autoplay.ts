import type { LegalActions } from '../../server/poker';
import type { TestClient } from './poker-client';

// Plays a seated test client automatically: whenever a frame says it is this
// client's turn, `choose` picks an action and the client sends it with the seq
// it decided on. Stale-seq refusals are expected now and then (the table moved
// on between the frame and the action) and simply wait for the next frame.

export type Decision = { action: 'fold' | 'check' | 'call' | 'bet' | 'raise' | 'all_in'; amount?: number };
export type Chooser = (legal: LegalActions, client: TestClient) => Decision;

export interface AutoPlayer {
  stop(): void;
  actions: number;
  errors: string[];
}

/**
 * At most 40 actions a second per player on average, in bursts of up to 40: a socket may send
 * 50 messages a second (SOCKET_MESSAGES, bursts of 100), and a player at a fast test table
 * (hands 20 ms apart) would act faster than that and starve its own socket's budget, its
 * top-ups and leaves included.
 */
const ACTS_PER_S = 40;

export function autoplay(client: TestClient, tableId: number, choose: Chooser): AutoPlayer {
  const state: AutoPlayer = { stop: () => (stopped = true), actions: 0, errors: [] };
  let stopped = false;
  let actedOnSeq = -1;
  let busy = false;
  let tokens = ACTS_PER_S;
  let refilledAt = Date.now();
  const tick = async () => {
    if (stopped) return;
    const current = client.legal.get(tableId);
    let wait = 2;
    const now = Date.now();
    tokens = Math.min(ACTS_PER_S, tokens + ((now - refilledAt) * ACTS_PER_S) / 1000);
    refilledAt = now;
    if (!busy && current?.legal && current.seq !== actedOnSeq && tokens >= 1) {
      busy = true;
      actedOnSeq = current.seq;
      tokens -= 1;
      const decision = choose(current.legal, client);
      try {
        const ack = await client.emit('table:act', { tableId, seq: current.seq, ...decision });
        if (ack.ok) state.actions++;
        else if (ack.error.code === 'rate/limited') {
          actedOnSeq = -1; // try the same decision again, once the budget has refilled a little
          wait = 100;
        } else if (ack.error.code !== 'seq/stale' && ack.error.code !== 'turn/not_your_turn') state.errors.push(ack.error.code);
      } catch (error) {
        state.errors.push((error as Error).message);
      } finally {
        busy = false;
      }
    }
    setTimeout(tick, wait);
  };
  void tick();
  return state;
}

/** A deterministic PRNG for choosing actions in tests. */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    s = (s ^ (s >>> 13)) >>> 0;
    return s % n;
  };
}

/** Random legal actions, with all-ins and raises often enough to reach side pots and showdowns. */
export function randomChooser(rand: (n: number) => number): Chooser {
  return (legal) => {
    const roll = rand(100);
    if (roll < 8 && legal.canAllIn) return { action: 'all_in' };
    if (roll < 25 && legal.minRaiseTo !== undefined && legal.maxRaiseTo !== undefined) {
      return { action: 'raise', amount: legal.minRaiseTo + rand(Math.max(1, Math.min(legal.maxRaiseTo - legal.minRaiseTo + 1, 50))) };
    }
    if (roll < 35 && legal.minBet !== undefined && legal.maxBet !== undefined) {
      return { action: 'bet', amount: legal.minBet + rand(Math.max(1, Math.min(legal.maxBet - legal.minBet + 1, 50))) };
    }
    if (roll < 45 && legal.canFold && !legal.canCheck) return { action: 'fold' };
    if (legal.canCheck) return { action: 'check' };
    if (legal.canCall) return { action: 'call' };
    return { action: 'fold' };
  };
}
