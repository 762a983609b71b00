// Idempotency keys and their scopes (docs/decisions/007-idempotency-key-scopes.md).
//
// A key a client sends belongs to (that client's user, the operation): it is
// passed to the ledger as a plain string and filed under CLIENT with the
// operation's user as owner. A key the server makes is a ServerKey, which only
// the builders below can produce; it is filed under SERVER. The database keeps
// the two apart (UNIQUE (key_scope, key_owner_id, kind, idempotency_key) and a
// CHECK tying CLIENT keys to the acting user), so no client input, whatever its
// text, can reach a key the server will use.

declare const serverKeyBrand: unique symbol;

export interface ServerKey {
  readonly scope: 'SERVER';
  readonly key: string;
  readonly [serverKeyBrand]: true;
}

function serverKey(key: string): ServerKey {
  return { scope: 'SERVER', key } as ServerKey;
}

/**
 * Every key shape the server makes. Adding one here is the only way to make a
 * server key; test/integration/hostile-client.test.ts tries each of them as a
 * client key on every route that takes one.
 */
export const serverKeys = {
  /** The settlement of one hand of one table. */
  settle: (tableId: number, handNumber: bigint) => serverKey(`settle:${tableId}:${handNumber}`),
  /** The one cash-out that closes a seat session (leave, removal, table close, recovery). */
  cashOut: (seatSessionId: bigint) => serverKey(`cashout:${seatSessionId}`),
  /** A sit sent without a key: a fresh nonce per request (no client retry to recognise). */
  sit: (nonce: string) => serverKey(`sit:${nonce}`),
  /** A top-up sent without a key: a fresh nonce per request. */
  topUp: (nonce: string) => serverKey(`topup:${nonce}`),
} as const;

/** Rebuilds a server key read back from the database (a stored intent). */
export function storedServerKey(key: string): ServerKey {
  return serverKey(key);
}

export type KeyInput = string | ServerKey;

export interface ScopedKey {
  scope: 'CLIENT' | 'SERVER';
  /** The user who owns a CLIENT key; 0 for SERVER keys. */
  ownerId: number;
  key: string;
}

/** Files a key under its scope: a plain string is the acting user's own key. */
export function scopeKey(input: KeyInput, actingUserId: number): ScopedKey {
  return typeof input === 'string'
    ? { scope: 'CLIENT', ownerId: actingUserId, key: input }
    : { scope: 'SERVER', ownerId: 0, key: input.key };
}
