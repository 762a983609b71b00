import pg from 'pg';
import { encodeResult, requestHash } from '../server/ledger/db-helpers';
import { accountCodes, type BuyInInput, type SettleHandInput } from '../server/ledger/transactions';
import { scopeKey, serverKeys, type ScopedKey } from '../server/ledger/keys';

// The baseline: the same SQL work as the ledger's settleHand and buyIn, written
// the plain way with node-postgres, ONE statement per step, no ORM, no CTEs that
// fold steps together. Same database, tables, triggers, isolation (the default
// READ COMMITTED) and per-connection timeouts. It validates what the ledger
// validates on the success path, but it does not replay idempotent retries: the
// benchmark never repeats a key. Each statement carries a /* raw:<step> */ tag
// so that the statement timer can name it.

export class RawFailure extends Error {}

type Client = pg.PoolClient;

async function inTransaction<T>(pool: pg.Pool, body: (client: Client) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // A connection whose ROLLBACK fails is discarded instead of returned to the pool.
    await client.query('ROLLBACK').then(() => client.release(), (e: Error) => client.release(e));
    throw error;
  }
}

interface LockedRow {
  id: string;
  code: string;
  balance: string;
  table_id: number | null;
}

async function lockAccounts(client: Client, codes: string[]): Promise<Map<string, { id: string; balance: bigint; tableId: number | null }>> {
  const { rows } = await client.query<LockedRow>(
    `/* raw:lock */ SELECT id, code, balance, table_id FROM accounts WHERE code = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    [codes],
  );
  return new Map(rows.map((r) => [r.code, { id: r.id, balance: BigInt(r.balance), tableId: r.table_id }]));
}

interface Posting {
  accountId: string;
  delta: bigint;
}

async function insertTransfer(client: Client, row: { kind: string; key: ScopedKey; hash: string; actorUserId: number | null; tableId: number; result: unknown }): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `/* raw:insert_transfer */ INSERT INTO ledger_transfers (kind, idempotency_key, request_hash, actor_user_id, table_id, result, key_scope, key_owner_id)
     VALUES ($1::"TransferKind", $2, $3, $4::int, $5::int, $6::jsonb, $7::"KeyScope", $8::int) RETURNING id`,
    [row.kind, row.key.key, row.hash, row.actorUserId, row.tableId, encodeResult(row.result), row.key.scope, row.key.ownerId],
  );
  return rows[0]!.id;
}

/** All entries of a transfer in one INSERT: the zero-sum trigger runs once per statement. */
async function insertEntriesAndBalances(client: Client, transferId: string, postings: Posting[]): Promise<void> {
  const ids = postings.map((p) => p.accountId);
  const deltas = postings.map((p) => p.delta.toString());
  await client.query(
    `/* raw:insert_entries */ INSERT INTO ledger_entries (transfer_id, account_id, side, amount)
     SELECT $1::bigint, m.account_id, (CASE WHEN m.delta > 0 THEN 'CREDIT' ELSE 'DEBIT' END)::"EntrySide", abs(m.delta)
       FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS m(account_id, delta, ord) ORDER BY m.ord`,
    [transferId, ids, deltas],
  );
  await client.query(
    `/* raw:update_balances */ UPDATE accounts a SET balance = a.balance + d.delta
       FROM (SELECT account_id, sum(delta)::bigint AS delta FROM unnest($1::bigint[], $2::bigint[]) AS m(account_id, delta)
              GROUP BY account_id) d
      WHERE a.id = d.account_id`,
    [ids, deltas],
  );
}

async function assertNewKey(client: Client, sql: string, kind: string, key: ScopedKey): Promise<void> {
  const { rowCount } = await client.query(sql, [key.scope, key.ownerId, kind, key.key]);
  if (rowCount !== 0) throw new RawFailure(`idempotency key ${key.key} already used`);
}

// ---- settle ------------------------------------------------------------------------

export function rawSettleHand(pool: pg.Pool, input: SettleHandInput): Promise<void> {
  const key = scopeKey(serverKeys.settle(input.tableId, input.handNumber), 0);
  const hash = requestHash('SETTLE_HAND', { ...input, record: undefined });
  return inTransaction(pool, async (client) => {
    await assertNewKey(client,
      `/* raw:lookup */ SELECT t.id, t.request_hash, t.result, h.id AS hand_id
         FROM ledger_transfers t JOIN hands h ON h.transfer_id = t.id
        WHERE t.key_scope = $1::"KeyScope" AND t.key_owner_id = $2 AND t.kind = $3::"TransferKind" AND t.idempotency_key = $4`, 'SETTLE_HAND', key);
    const potCode = accountCodes.pot(input.tableId);
    const rakeCode = accountCodes.rake(input.tableId);
    const seatCodes = input.seats.map((s) => accountCodes.seat(s.seatSessionId));
    const locked = await lockAccounts(client, [potCode, rakeCode, ...seatCodes]);
    const pot = locked.get(potCode);
    const rake = locked.get(rakeCode);
    if (!pot || !rake || pot.balance !== 0n) throw new RawFailure('pot or rake account missing or pot not empty');
    const seats = input.seats.map((s, i) => {
      const account = locked.get(seatCodes[i]!);
      if (!account || account.tableId !== input.tableId || account.balance < s.contributed) throw new RawFailure('bad seat');
      return { ...s, account };
    });
    await compareAndSwapHand(client, input);
    const postings: Posting[] = [];
    for (const s of seats) if (s.contributed > 0n) postings.push({ accountId: s.account.id, delta: -s.contributed }, { accountId: pot.id, delta: s.contributed });
    for (const s of seats) if (s.won > 0n) postings.push({ accountId: pot.id, delta: -s.won }, { accountId: s.account.id, delta: s.won });
    if (input.rake > 0n) postings.push({ accountId: pot.id, delta: -input.rake }, { accountId: rake.id, delta: input.rake });
    const potTotal = input.seats.reduce((sum, s) => sum + s.contributed, 0n);
    const stacks = seats.map((s) => ({ seatSessionId: s.seatSessionId, stack: s.account.balance - s.contributed + s.won }));
    const result = { handNumber: input.handNumber, potTotal, rake: input.rake, stacks };
    const transferId = await insertTransfer(client, { kind: 'SETTLE_HAND', key, hash, actorUserId: null, tableId: input.tableId, result });
    await insertEntriesAndBalances(client, transferId, postings);
    await insertHand(client, input, transferId, potTotal);
  });
}

/** Fences out a stale owner; like the ledger, re-checks under the locks that every seat is still open here. */
async function compareAndSwapHand(client: Client, input: SettleHandInput): Promise<void> {
  const { rowCount } = await client.query(
    `/* raw:cas_table */ UPDATE poker_tables SET hand_number = $2::bigint
      WHERE id = $1::int AND hand_number = $2::bigint - 1 AND owner_epoch = $3::bigint AND status = 'OPEN'
        AND NOT EXISTS (SELECT 1 FROM seat_sessions WHERE id = ANY($4::bigint[]) AND (status <> 'OPEN' OR table_id <> $1::int))`,
    [input.tableId, input.handNumber.toString(), input.ownerEpoch.toString(), input.seats.map((s) => s.seatSessionId.toString())],
  );
  if (rowCount !== 1) throw new RawFailure('settle/stale');
}

async function insertHand(client: Client, input: SettleHandInput, transferId: string, potTotal: bigint): Promise<void> {
  const { rows } = await client.query<{ id: string }>(
    `/* raw:insert_hand */ INSERT INTO hands (table_id, hand_number, transfer_id, commitment, seed, pot_total, rake, record)
     VALUES ($1::int, $2::bigint, $3::bigint, $4, $5, $6::bigint, $7::bigint, $8::jsonb) RETURNING id`,
    [input.tableId, input.handNumber.toString(), transferId, input.commitment, input.seed, potTotal.toString(),
      input.rake.toString(), encodeResult(input.record)],
  );
  await client.query(
    `/* raw:insert_hand_players */ INSERT INTO hand_players (hand_id, seat_session_id, user_id, seat_index, contributed, won)
     SELECT $1::bigint, p.* FROM unnest($2::bigint[], $3::int[], $4::int[], $5::bigint[], $6::bigint[])
       AS p(seat_session_id, user_id, seat_index, contributed, won)`,
    [rows[0]!.id, input.seats.map((s) => s.seatSessionId.toString()), input.seats.map((s) => s.userId),
      input.seats.map((s) => s.seatIndex), input.seats.map((s) => s.contributed.toString()), input.seats.map((s) => s.won.toString())],
  );
}

// ---- buy-in --------------------------------------------------------------------------

interface TableRow {
  status: string;
  min_buy_in: string;
  max_buy_in: string;
  max_seats: number;
}

export function rawBuyIn(pool: pg.Pool, input: BuyInInput): Promise<void> {
  const hash = requestHash('BUY_IN', { ...input, idempotencyKey: undefined });
  return inTransaction(pool, async (client) => {
    const key = scopeKey(input.idempotencyKey, input.userId);
    await assertNewKey(client, `/* raw:lookup */ SELECT id, request_hash, result FROM ledger_transfers
      WHERE key_scope = $1::"KeyScope" AND key_owner_id = $2 AND kind = $3::"TransferKind" AND idempotency_key = $4`, 'BUY_IN', key);
    const { rows: tables } = await client.query<TableRow>(
      `/* raw:table */ SELECT status::text AS status, min_buy_in, max_buy_in, max_seats FROM poker_tables WHERE id = $1`,
      [input.tableId],
    );
    const table = tables[0];
    if (!table || table.status !== 'OPEN' || input.seatIndex >= table.max_seats ||
        input.amount < BigInt(table.min_buy_in) || input.amount > BigInt(table.max_buy_in)) {
      throw new RawFailure('buy-in outside the table limits');
    }
    const walletCode = accountCodes.wallet(input.userId);
    const wallet = (await lockAccounts(client, [walletCode])).get(walletCode);
    if (!wallet || wallet.balance < input.amount) throw new RawFailure('funds/insufficient');
    const seat = await openSeat(client, input);
    const result = {
      seatSessionId: BigInt(seat.seatSessionId), seatAccountId: BigInt(seat.accountId), stack: input.amount,
      walletBalance: wallet.balance - input.amount,
    };
    const transferId = await insertTransfer(client, { kind: 'BUY_IN', key, hash, actorUserId: input.userId, tableId: input.tableId, result });
    // The seat account must exist before its entry (foreign key), so the seat comes first.
    await insertEntriesAndBalances(client, transferId, [
      { accountId: wallet.id, delta: -input.amount },
      { accountId: seat.accountId, delta: input.amount },
    ]);
  });
}

async function openSeat(client: Client, input: BuyInInput): Promise<{ seatSessionId: string; accountId: string }> {
  const { rows } = await client.query<{ id: string }>(
    `/* raw:insert_seat_session */ INSERT INTO seat_sessions (table_id, user_id, seat_index, open_seat_key, open_user_key)
     VALUES ($1::int, $2::int, $3::int, concat($1::int, ':', $3::int), concat($1::int, ':', $2::int))
     ON CONFLICT DO NOTHING RETURNING id`,
    [input.tableId, input.userId, input.seatIndex],
  );
  const seatSessionId = rows[0]?.id;
  if (!seatSessionId) throw new RawFailure('seat/taken or seat/already_seated');
  const { rows: accounts } = await client.query<{ id: string }>(
    `/* raw:insert_seat_account */ INSERT INTO accounts (kind, code, user_id, table_id, seat_session_id)
     VALUES ('SEAT', 'seat:' || $1::bigint, $2::int, $3::int, $1::bigint) RETURNING id`,
    [seatSessionId, input.userId, input.tableId],
  );
  return { seatSessionId, accountId: accounts[0]!.id };
}
