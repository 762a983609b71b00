import { toPokerStarsText, type GameState, type HandLog } from '../poker';

// The PokerStars-style text of a settled hand, as one viewer may read it: the
// players' names instead of ids, the viewer's own "Dealt to" line, and every
// other player's cards only where they were shown at showdown (the engine's
// export is the operator's copy and prints every hand dealt).

export interface HistorySource {
  log: HandLog;
  tableName?: string;
  startedAt?: string;
  players: { seat: number; userId?: number; username?: string }[];
}

export function pokerStarsTextFor(source: HistorySource, viewerSeats: ReadonlySet<number>): string {
  const initial: GameState = structuredClone(source.log.initial);
  const names = new Map<number, string>();
  for (const p of source.players) {
    const seat = initial.seats[p.seat];
    if (seat && p.username) {
      seat.playerId = p.username;
      names.set(p.seat, p.username);
    }
  }
  const text = toPokerStarsText({ initial, commands: source.log.commands, tableName: source.tableName, startedAt: source.startedAt });
  const mine = new Set([...viewerSeats].map((seat) => names.get(seat) ?? initial.seats[seat]?.playerId).filter(Boolean));
  return text
    .split('\n')
    .filter((line) => {
      const dealt = /^Dealt to (.+) \[/.exec(line);
      return !dealt || mine.has(dealt[1]!);
    })
    .join('\n');
}
