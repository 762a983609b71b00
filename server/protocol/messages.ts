import { z } from 'zod';
import type { Ack } from './errors';
import type { LobbyTable, TableSnapshot } from './frames';
import { codePointLength, hasControlCharacter, hasInvisibleFormat, isWellFormedText } from './text';

// Every message a client may send over Socket.IO, as strict zod schemas:
// unknown keys, wrong types, non-integer or negative amounts are rejected
// before anything reaches a table. Identity never comes from a payload: the
// server takes it from the session that authenticated the socket.

export const PAYLOAD_BYTES_MAX = 4_096;
export const CHAT_LENGTH_MAX = 280;
export const SOCKET_BUFFER_BYTES_MAX = 16_384;
export const CLIENT_SEED_LENGTH_MAX = 64;
export const CHAT_ID_LENGTH_MAX = 64;

const tableId = z.number().int().positive().max(2_147_483_647);
/** Chip amounts on the wire: whole, positive, and below 2^53. */
export const chipAmount = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
/** A client's retry key: 1 to 200 printable ASCII characters (space included). */
const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,200}$/;
export function isIdempotencyKey(key: unknown): key is string {
  return typeof key === 'string' && IDEMPOTENCY_KEY_PATTERN.test(key);
}
/** The key in a payload (HTTP body or socket message); refused as `idempotency/key_invalid` (payloadErrorCode). */
export const idempotencyKey = z.string().regex(IDEMPOTENCY_KEY_PATTERN, { message: 'must be 1 to 200 printable ASCII characters' });

/** The code for a payload its schema refused: a bad idempotency key has its own, anything else is request/invalid. */
export function payloadErrorCode(issue: { path: PropertyKey[] } | undefined): 'idempotency/key_invalid' | 'request/invalid' {
  return issue?.path.length === 1 && issue.path[0] === 'idempotencyKey' ? 'idempotency/key_invalid' : 'request/invalid';
}

export const clientMessages = {
  'lobby:subscribe': z.strictObject({}),
  'lobby:unsubscribe': z.strictObject({}),
  'table:watch': z.strictObject({
    tableId,
    /** What the client last saw, so the server can say a hand was cancelled. */
    lastHandId: z.string().max(64).optional(),
  }),
  'table:unwatch': z.strictObject({ tableId }),
  'table:snapshot': z.strictObject({ tableId }),
  'table:sit': z.strictObject({
    tableId,
    seat: z.number().int().min(0).max(9),
    buyIn: chipAmount,
    idempotencyKey: idempotencyKey.optional(),
  }),
  'table:act': z.strictObject({
    tableId,
    action: z.enum(['fold', 'check', 'call', 'bet', 'raise', 'all_in']),
    /** For bet and raise: the total the bet becomes on this street. */
    amount: chipAmount.optional(),
    /** The table seq the decision was made on; a stale one is rejected. */
    seq,
  }).refine((m) => m.amount === undefined || m.action === 'bet' || m.action === 'raise', {
    // An amount with a call or check is refused, not ignored: a client meaning a raise must not get a call.
    message: 'amount is only for bet and raise',
    path: ['amount'],
  }),
  'table:sit_out': z.strictObject({ tableId }),
  'table:sit_in': z.strictObject({ tableId }),
  /**
   * "Post now" (docs/decisions/034-post-now.md): a new player's seat posts a big blind to
   * enter the next hand it may (`now: true`) instead of waiting for the big blind, or waits
   * again (`now: false`).
   */
  'table:post_blind': z.strictObject({ tableId, now: z.boolean() }),
  'table:top_up': z.strictObject({ tableId, amount: chipAmount, idempotencyKey: idempotencyKey.optional() }),
  'table:leave': z.strictObject({ tableId }),
  'table:chat': z.strictObject({
    tableId,
    text: z
      .string()
      .trim()
      .min(1)
      .refine((text) => codePointLength(text) <= CHAT_LENGTH_MAX, { message: `must be at most ${CHAT_LENGTH_MAX} characters` })
      .refine(isWellFormedText, { message: 'must be valid Unicode text (a lone surrogate)' })
      .refine((text) => !hasControlCharacter(text), { message: 'must not contain control characters (NUL, newline, ...)' })
      // Everyone at the table reads it: no direction overrides (reversed text) or invisible characters (a fake "Dealer:" line).
      .refine((text) => !hasInvisibleFormat(text), { message: 'must not contain direction overrides or invisible characters' }),
    /**
     * The sender's own id for this line (1 to 64 visible ASCII characters): the table broadcasts a
     * line once per id and sender, so a line sent again (a retry after no answer) is not posted twice.
     */
    chatId: z.string().min(1).max(CHAT_ID_LENGTH_MAX).regex(/^[\x21-\x7e]+$/).optional(),
  }),
  /**
   * The player's own contribution to the shuffle (docs/fairness.md): mixed into
   * the deck of every hand dealt to them from the next hand on. The server
   * committed to its own seed before it could see this one.
   */
  'table:client_seed': z.strictObject({ tableId, seed: z.string().min(1).max(CLIENT_SEED_LENGTH_MAX).regex(/^[\x21-\x7e]+$/) }),
  /**
   * Turns your own cards of the hand that just ended face up for everyone, until
   * the next deal (a mucked or folded hand; docs/decisions/014-paced-run-out-and-showdown-hold.md).
   */
  'table:show': z.strictObject({ tableId }),
  /**
   * The waiting list of a full table (docs/decisions/015-waiting-list.md). When
   * a seat frees up it is held for the first player waiting, who takes it with
   * an ordinary `table:sit` (buy-in and all); leaving the list also declines a
   * seat held for you (it goes to the next player).
   */
  'table:waitlist_join': z.strictObject({ tableId }),
  'table:waitlist_leave': z.strictObject({ tableId }),
} as const;

export type ClientMessageName = keyof typeof clientMessages;
export type ClientMessage<N extends ClientMessageName> = z.infer<(typeof clientMessages)[N]>;

export function isClientMessageName(name: string): name is ClientMessageName {
  return Object.prototype.hasOwnProperty.call(clientMessages, name);
}

/** What each message is acknowledged with when it succeeds ({ ok: true, ...this }). */
export interface ClientAcks {
  'lobby:subscribe': { tables: LobbyTable[] };
  'lobby:unsubscribe': object;
  'table:watch': { snapshot: TableSnapshot; cancelledHandId?: string };
  'table:unwatch': object;
  'table:snapshot': { snapshot: TableSnapshot };
  'table:sit': { seat: number; stack: number; pending: boolean };
  'table:act': { seq: number };
  'table:sit_out': object;
  'table:sit_in': object;
  'table:post_blind': object;
  'table:top_up': { pending: boolean; stack?: number };
  'table:leave': { pending: boolean; cashedOut?: number };
  'table:chat': object;
  'table:client_seed': object;
  'table:show': object;
  /** position: 1 is offered the next seat that frees up. */
  'table:waitlist_join': { position: number };
  'table:waitlist_leave': object;
}

/** The acknowledgement of message N: { ok: true, ... } or { ok: false, error }. */
export type AckOf<N extends ClientMessageName> = Ack<ClientAcks[N]>;
