import type { Page, WebSocketRoute } from 'playwright-core';

// Draws what a test needs on a real table page: the snapshots the server sends the page are
// rewritten on their way (a full ring, a split pot, a long shown hand), and frames follow them
// as the server would send them. Shared by the browser layout tests.

export type Json = Record<string, unknown>;

/**
 * Rewrites every table snapshot the server sends this page (the answers to table:watch and
 * table:snapshot) with `edit`, through Playwright's WebSocket routing: a result the shuffle
 * will not deal on demand (a split pot, side pots won by different players, a long shown
 * hand) is drawn by the real client from a real snapshot. Socket.IO packets are text:
 * "42[...]" events and "43<id>[...]" acknowledgements. The answer sends the page frames as the
 * server would, after the last snapshot drawn: one frame per list of events, their seq counting
 * on from the snapshot's (each event that opens a command, an action, takes one).
 */
export async function rewriteSnapshots(page: Page, edit: (snapshot: Json) => void): Promise<{ push: (frames: Json[][]) => void; setOffline: (offline: boolean) => Promise<void> }> {
  let last: { send: (message: string) => void; tableId: number; epoch: number; seq: number } | null = null;
  const rewrite = (message: string, send: (message: string) => void): string => {
    const packet = /^(4[23]\d*)(\[[\s\S]*\])$/.exec(message);
    if (!packet || !message.includes('"view"')) return message;
    const args = JSON.parse(packet[2]!) as unknown[];
    for (const arg of args) {
      const body = arg as Json | null;
      const snapshot = (body?.snapshot ?? body) as Json | null;
      if (!snapshot || typeof snapshot !== 'object' || !('view' in snapshot) || !('players' in snapshot)) continue;
      edit(snapshot);
      last = { send, tableId: snapshot.tableId as number, epoch: snapshot.epoch as number, seq: snapshot.seq as number };
    }
    return packet[1] + JSON.stringify(args);
  };
  // While `offline`, the page's connection is dropped and every new one refused: Engine.IO's
  // handshake (so the client counts it a connection lost, and tries again), then the close.
  let offline = false;
  const open: WebSocketRoute[] = [];
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (offline) {
      ws.send(`0${JSON.stringify({ sid: `offline${Date.now()}`, upgrades: [], pingInterval: 25_000, pingTimeout: 20_000, maxPayload: 1_000_000 })}`);
      return void setTimeout(() => void ws.close(), 100);
    }
    open.push(ws);
    const server = ws.connectToServer();
    const send = (message: string) => ws.send(message);
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => ws.send(typeof message === 'string' ? rewrite(message, send) : message));
  });
  const push = (frames: Json[][]) => {
    if (!last) throw new Error('no snapshot drawn yet');
    for (const events of frames) {
      last.seq += 1;
      last.send(`42${JSON.stringify(['table:frame', { tableId: last.tableId, epoch: last.epoch, seq: last.seq, events }])}`);
    }
  };
  const setOffline = async (value: boolean) => {
    offline = value;
    if (value) for (const ws of open.splice(0)) await ws.close();
  };
  return { push, setOffline };
}

/**
 * A hand on the flop at `n` seats, every seat in it with a bet (the widest ones "12.35K"), the
 * viewer at seat 0 with their cards face up (2 in Hold'em, 4 in Omaha), the button at `button`.
 */
export function fullTable(snapshot: Json, n: number, variant: 'NLHE' | 'PLO', button: number): void {
  const deck = ['As', 'Kd', 'Qh', 'Jc', 'Ts', '9h', '8d', '7c', '6s', '5h', '4d', '3c', '2s', 'Ah', 'Kc', 'Qd', 'Jh', 'Tc', '9s', '8h', '7d', '6c', '5s', '4h', '3d', '2c', 'Ad', 'Ks', 'Qc', 'Js', 'Th', '9d', '8c', '7s', '6h', '5d', '4c', '3s', '2h', 'Ac', 'Kh', 'Qs', 'Jd', 'Td', '9c', '8s', '7h', '6d'];
  const cards = variant === 'PLO' ? 4 : 2;
  const names = ['kingsseven', 'queenshigh', 'RiverRat_77', 'bob', 'xX_sharky_Xx', 'nuts4days', 'the_grinder_2000', 'aceface', 'fishmonger', 'lucky-lou'];
  const view = snapshot.view as Json;
  const seats = Array.from({ length: n }, (_, seat) => {
    const bet = [12_345, 40, 2][seat % 3]!;
    return { seat, playerId: `p${seat}`, stack: seat % 2 ? 123_456 : 1_850, bet, committed: bet, inHand: true, folded: false, allIn: false, sittingOut: false, cardCount: cards, holeCards: seat === 0 ? deck.slice(3, 3 + cards) : null };
  });
  Object.assign(view, {
    config: { ...(view.config as Json), variant, maxSeats: n }, handId: 'button-audit', street: 'flop', board: deck.slice(0, 3),
    button, smallBlindSeat: (button + (n === 2 ? 0 : 1)) % n, bigBlindSeat: (button + (n === 2 ? 1 : 2)) % n,
    pots: [{ amount: 3_456, eligible: [] }], currentBet: 12_345, toAct: 0, seats, legal: null, result: null,
  });
  snapshot.players = seats.map(({ seat }) => ({ seat, userId: 900_000 + seat, username: names[seat]!, connected: true, timeBankMs: 30_000, leaving: false }));
  snapshot.you = { userId: 900_000, seat: 0, legal: { canFold: true, canCheck: false, canCall: true, callAmount: 40, minRaiseTo: 80, maxRaiseTo: 1_850, canAllIn: true, allInAmount: 1_850, allInTo: 1_850 }, waitlist: null, pendingTopUps: [] };
  snapshot.clock = null;
}
