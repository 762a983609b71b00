import { errorAck, type AckOf, type ClientMessage } from '../protocol';
import type { TableActor } from '../tables/actor';

// A client's table message as the table's owner runs it. The node that holds
// the socket checks the session, the rate limits and the schema, does what
// touches the socket (rooms), and hands the rest over as a TableCommand: to
// the local actor, or over the cluster bus to the node that owns the table
// (docs/decisions/020-routing-table-commands.md). Identity is the session's,
// never the payload's: the holding node fills `caller` from it.

export const TABLE_COMMANDS = [
  'table:watch', 'table:snapshot', 'table:chat', 'table:sit', 'table:act', 'table:sit_out', 'table:sit_in',
  'table:post_blind', 'table:top_up', 'table:leave', 'table:client_seed', 'table:show', 'table:waitlist_join', 'table:waitlist_leave',
] as const;
export type TableCommandName = (typeof TABLE_COMMANDS)[number];

export interface Caller {
  userId: number;
  username: string;
}

export interface TableCommand<N extends TableCommandName = TableCommandName> {
  name: N;
  tableId: number;
  caller: Caller | null;
  message: ClientMessage<N>;
  /** The socket already watches this table (a spectator's second watch does not count against the cap). */
  watching: boolean;
  /**
   * Set by the node that forwarded it, the same on each send (decision 020): a keyless sit or
   * top-up is made with a server key from it, so a send that reached a second owner is a replay.
   */
  requestId?: string;
}

/** Commands that only read: run again when sent again, and not remembered by the owner. */
export function isReadOnly(name: TableCommandName): boolean {
  return name === 'table:watch' || name === 'table:snapshot';
}

/** A watch's answer also says whether the caller holds a seat there (which rooms their socket joins). */
export type TableCommandAck<N extends TableCommandName> = N extends 'table:watch' ? AckOf<N> & { seated?: boolean } : AckOf<N>;

export function isTableCommand(name: string): name is TableCommandName {
  return (TABLE_COMMANDS as readonly string[]).includes(name);
}

type Runner<N extends TableCommandName> = (actor: TableActor, command: TableCommand<N>) => Promise<TableCommandAck<N>> | TableCommandAck<N>;

/** A seated-player command: needs a logged-in caller. */
function player<N extends TableCommandName>(run: (actor: TableActor, caller: Caller, message: ClientMessage<N>, command: TableCommand<N>) => Promise<AckOf<N>> | AckOf<N>): Runner<N> {
  return (actor, command) => (command.caller ? run(actor, command.caller, command.message, command) : errorAck('auth/required')) as TableCommandAck<N>;
}

const runners: { [N in TableCommandName]: Runner<N> } = {
  'table:watch': async (actor, { caller, message, watching }) => {
    const userId = caller?.userId ?? null;
    const seated = userId !== null && actor.seatOf(userId) !== null;
    if (!seated && !watching && actor.spectators >= actor.settingsSpectatorsMax()) return errorAck('table/spectators_full');
    const cancelled = await actor.wasCancelled(message.lastHandId);
    // A new spectator is counted once the answer is in (its socket joins spect:<id> then): its
    // own snapshot counts it already, as every snapshot after it will.
    const snapshot = actor.snapshot(userId);
    if (!seated && !watching) snapshot.spectators += 1;
    return { ok: true, snapshot, ...(cancelled ? { cancelledHandId: message.lastHandId } : {}), seated };
  },
  'table:snapshot': (actor, { caller }) => ({ ok: true, snapshot: actor.snapshot(caller?.userId ?? null) }),
  // Chat goes to a table this socket watches or where its user sits, nowhere else.
  'table:chat': (actor, { caller, message, watching }) => {
    if (!caller) return errorAck('auth/required');
    return watching || actor.seatOf(caller.userId) !== null ? actor.chat(caller, message.text, message.chatId) : errorAck('table/not_watching');
  },
  // A key the client did not send is made by the table, in the server's own namespace (from
  // the forwarding node's request id, or a fresh nonce).
  'table:sit': player((actor, caller, m, { requestId }) => actor.sit(caller, m.seat, m.buyIn, m.idempotencyKey, requestId)),
  'table:act': player((actor, caller, m) => actor.act(caller, m.action, m.amount, m.seq)),
  'table:sit_out': player((actor, caller) => actor.sitOut(caller)),
  'table:sit_in': player((actor, caller) => actor.sitIn(caller)),
  'table:post_blind': player((actor, caller, m) => actor.postBlind(caller, m.now)),
  'table:top_up': player((actor, caller, m, { requestId }) => actor.topUp(caller, m.amount, m.idempotencyKey, requestId)),
  'table:leave': player((actor, caller) => actor.leave(caller)),
  'table:client_seed': player((actor, caller, m) => actor.setClientSeed(caller, m.seed)),
  'table:show': player((actor, caller) => actor.show(caller)),
  'table:waitlist_join': player((actor, caller) => actor.joinWaitlist(caller)),
  'table:waitlist_leave': player((actor, caller) => actor.leaveWaitlist(caller)),
};

/**
 * A player's commands not yet answered at one table, at most. The table runs its commands one
 * at a time from a queue of `mailboxDepthMax` (512): without a share per player, a few accounts
 * sending their whole message budget at once (200 each) filled it, and everyone at the table was
 * answered `table/busy` for a moment. A client waits for its answers; the web client and the
 * bots have a few in flight at most.
 */
export const PLAYER_COMMANDS_IN_FLIGHT_MAX = 16;

const inFlight = new WeakMap<TableActor, Map<number, number>>();

/** Runs a table command on the table's own actor (on the node that owns it). */
export function runTableCommand<N extends TableCommandName>(actor: TableActor | undefined, command: TableCommand<N>): Promise<TableCommandAck<N>> | TableCommandAck<N> {
  if (!actor) return errorAck('table/not_found') as TableCommandAck<N>;
  if (!command.caller || isReadOnly(command.name)) return runners[command.name](actor, command);
  let counts = inFlight.get(actor);
  if (!counts) inFlight.set(actor, (counts = new Map()));
  const userId = command.caller.userId;
  const running = counts.get(userId) ?? 0;
  if (running >= PLAYER_COMMANDS_IN_FLIGHT_MAX) {
    return errorAck('rate/limited', `At most ${PLAYER_COMMANDS_IN_FLIGHT_MAX} of your messages may wait at a table; wait for their answers.`) as TableCommandAck<N>;
  }
  counts.set(userId, running + 1);
  const done = () => {
    const left = (counts.get(userId) ?? 1) - 1;
    if (left > 0) counts.set(userId, left);
    else counts.delete(userId);
  };
  try {
    const answer = runners[command.name](actor, command);
    if (answer instanceof Promise) return answer.finally(done);
    done();
    return answer;
  } catch (error) {
    done();
    throw error;
  }
}
