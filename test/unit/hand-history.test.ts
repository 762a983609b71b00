import { describe, expect, it } from 'vitest';
import { pokerStarsTextFor } from '../../server/http/hand-history';
import { apply, createGame, orderedDeck, type Command, type GameState } from '../../server/poker';

// The hand history a viewer may read: their own cards, and others' only where shown.

function playedHand() {
  let state: GameState = createGame({ variant: 'NLHE', maxSeats: 3, smallBlind: 1, bigBlind: 2 });
  for (const seat of [0, 1, 2]) {
    const r = apply(state, { type: 'sit', seat, playerId: String(100 + seat), stack: 100 });
    if (!r.ok) throw new Error(r.rejection.code);
    state = r.state;
  }
  const initial = state;
  const commands: Command[] = [];
  const run = (command: Command) => {
    const r = apply(state, command);
    if (!r.ok) throw new Error(r.rejection.code);
    state = r.state;
    commands.push(command);
  };
  run({ type: 'start_hand', handId: 'h', deck: orderedDeck(), button: 0 });
  while (state.street !== 'complete') {
    const seat = state.toAct!;
    run({ type: 'act', seat, action: seat === 2 ? 'fold' : state.currentBet > state.seats[seat]!.bet ? 'call' : 'check' });
  }
  const players = [0, 1, 2].map((seat) => ({ seat, userId: 100 + seat, username: ['alice', 'bob', 'carol'][seat] }));
  return { log: { initial, commands }, players, tableName: 'T', holes: [0, 1, 2].map((s) => state.seats[s]!.holeCards) };
}

describe('hand history for a viewer', () => {
  it('shows names, the viewer’s own cards and shown hands, never a folded hand', () => {
    const hand = playedHand();
    const forCarol = pokerStarsTextFor(hand, new Set([2]));
    expect(forCarol).toContain("Table 'T'");
    expect(forCarol).toMatch(/Dealt to carol \[\w\w \w\w\]/);
    expect(forCarol).not.toMatch(/Dealt to (alice|bob)/);
    expect(forCarol).toMatch(/alice: shows \[/); // shown at showdown: public
    const spectator = pokerStarsTextFor(hand, new Set());
    expect(spectator).not.toContain('Dealt to');
    const carolCards = forCarol.match(/Dealt to carol \[(\w\w \w\w)\]/)![1]!;
    expect(spectator).not.toContain(carolCards); // folded, never shown
    expect(spectator).toContain('Seat 1: alice'); // names, not player ids
    expect(spectator).not.toMatch(/Seat \d: 10[0-2] /);
  });
});
