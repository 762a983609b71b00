import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

// Pre-fills a migrated database with a ledger of a given size, set-based
// (INSERT ... SELECT generate_series), in realistic proportions: 6-seat tables
// play 50-hand seat sessions (buy-in, 50 settlements, cash-out), every player
// bought their chips first, entries of a settlement are written in the order
// settleHand writes them, ids and timestamps follow time, tables interleave.
// Every balance is the sum of its entries, every transfer balances, every pot
// is empty, every seat session is closed: reconcile passes after a prefill.
//
// It runs in ONE transaction with session_replication_role = replica, which
// disables triggers (the balance check, the append-only guards and the foreign
// key checks) for this session only; other sessions never see them off. The
// new rows' foreign keys are then checked set-based before the commit.
//
// As a command: npx tsx bench/prefill.ts <database-url> <entries>
// (grows an already migrated database to at least <entries> ledger entries).

const SEATS = 6;
const HANDS_PER_SEAT_SESSION = 50;
/** About a day of a busy table's play. */
const HANDS_PER_TABLE_TARGET = 4_000;
const SEAT_SESSIONS_PER_USER = 5;
/** Contributions are 2..401 chips, so 50 hands can never bust a seat that bought in for this. */
const BUY_IN_CHIPS = 20_100;
const CONTRIBUTION_SPREAD_CHIPS = 400;
const RAKE_PERCENT = 5;
const RAKE_CAP_CHIPS = 30;
/** 2 x (4 contributors + 1.3 winners + rake) + a seat session's buy-in and cash-out share. */
const ENTRIES_PER_HAND_ESTIMATE = 13.1;
/** The whole history of a first prefill is spread over this many days before now. */
const HISTORY_DAYS = 30;
/** Transfers per block of one table: 6 buy-ins, 50 settlements, 6 cash-outs. */
const TRANSFERS_PER_BLOCK = SEATS + HANDS_PER_SEAT_SESSION + SEATS;

export interface PrefillReport {
  entriesBefore: number;
  entriesAfter: number;
  hands: number;
  tables: number;
  users: number;
  seatSessions: number;
  seconds: number;
}

interface Plan {
  tag: string;
  users: number;
  tables: number;
  blocks: number;
  sessions: number;
  hands: number;
  transfers: number;
  base: Record<'user' | 'table' | 'seat' | 'account' | 'transfer' | 'entry' | 'hand' | 'purchase', number>;
  cashierId: number;
}

/** Grows the ledger to at least `targetEntries` entries; does nothing if it is already that big. */
export async function prefillLedger(url: string, targetEntries: number, log: (line: string) => void = () => {}): Promise<PrefillReport> {
  // Its own connection: temp_buffers can only be set before a session's first temporary table.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET temp_buffers = '512MB'`);
    return await prefillWith(client, targetEntries, log);
  } finally {
    await client.end();
  }
}

async function prefillWith(client: pg.Client, targetEntries: number, log: (line: string) => void): Promise<PrefillReport> {
  const started = performance.now();
  const before = await countEntries(client);
  const plan = await makePlan(client, targetEntries - before);
  if (!plan) return { entriesBefore: before, entriesAfter: before, hands: 0, tables: 0, users: 0, seatSessions: 0, seconds: 0 };
  log(`prefill: ${before} entries now; adding ~${Math.round(plan.hands * ENTRIES_PER_HAND_ESTIMATE)} in ${plan.hands} hands at ${plan.tables} tables, ` +
    `${plan.sessions} seat sessions, ${plan.users} users`);
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL session_replication_role = replica`);
    await client.query(`SET LOCAL work_mem = '1GB'`);
    await client.query(`SET LOCAL statement_timeout = 0`);
    for (const [label, sql] of prefillSteps(plan)) {
      const stepStarted = performance.now();
      const result = await client.query(sql);
      // Temporary tables have no statistics until analyzed; without them the joins below are nested loops.
      const scratch = /^CREATE TEMP TABLE (\w+)/.exec(sql);
      if (scratch) await client.query(`ANALYZE ${scratch[1]}`);
      log(`  ${label}: ${result.rowCount ?? 0} rows, ${((performance.now() - stepStarted) / 1000).toFixed(1)} s`);
    }
    await checkForeignKeys(client, plan);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  await assertTriggersEnabled(client);
  const vacuumStarted = performance.now();
  await client.query('VACUUM (ANALYZE)');
  await client.query('CHECKPOINT');
  log(`  vacuum analyze + checkpoint: ${((performance.now() - vacuumStarted) / 1000).toFixed(1)} s`);
  return {
    entriesBefore: before,
    entriesAfter: await countEntries(client),
    hands: plan.hands,
    tables: plan.tables,
    users: plan.users,
    seatSessions: plan.sessions,
    seconds: (performance.now() - started) / 1000,
  };
}

export async function countEntries(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM ledger_entries');
  return Number(rows[0]!.n);
}

async function makePlan(client: pg.Client, missingEntries: number): Promise<Plan | null> {
  if (missingEntries <= 0) return null;
  const handsWanted = Math.ceil(missingEntries / ENTRIES_PER_HAND_ESTIMATE);
  const tables = Math.max(1, Math.round(handsWanted / HANDS_PER_TABLE_TARGET));
  const blocks = Math.max(1, Math.ceil(handsWanted / (tables * HANDS_PER_SEAT_SESSION)));
  const sessions = tables * blocks * SEATS;
  const users = Math.max(SEATS, Math.ceil(sessions / SEAT_SESSIONS_PER_USER));
  const { rows } = await client.query<Record<string, string>>(`
    SELECT (SELECT coalesce(max(id), 0) FROM users) AS "user", (SELECT coalesce(max(id), 0) FROM poker_tables) AS "table",
           (SELECT coalesce(max(id), 0) FROM seat_sessions) AS seat, (SELECT coalesce(max(id), 0) FROM accounts) AS account,
           (SELECT coalesce(max(id), 0) FROM ledger_transfers) AS transfer, (SELECT coalesce(max(id), 0) FROM ledger_entries) AS entry,
           (SELECT coalesce(max(id), 0) FROM hands) AS hand, (SELECT coalesce(max(id), 0) FROM chip_purchases) AS purchase,
           (SELECT id FROM accounts WHERE code = 'cashier') AS cashier`);
  const row = rows[0]!;
  const base = Object.fromEntries(
    ['user', 'table', 'seat', 'account', 'transfer', 'entry', 'hand', 'purchase'].map((k) => [k, Number(row[k])]),
  ) as Plan['base'];
  return {
    tag: randomBytes(3).toString('hex'),
    users, tables, blocks, sessions,
    hands: tables * blocks * HANDS_PER_SEAT_SESSION,
    transfers: users + tables * blocks * TRANSFERS_PER_BLOCK,
    base,
    cashierId: Number(row.cashier),
  };
}

/** A hand log of the size a real one has: about 24 events, as in bench/ledger.ts. */
function recordTemplate(): string {
  const events = [];
  for (const street of ['preflop', 'flop', 'turn', 'river']) {
    for (let seat = 0; seat < SEATS; seat++) events.push({ street, seat, action: 'bet', amount: { $big: String(25 + seat) } });
  }
  return JSON.stringify(events);
}

// ---- the statements -------------------------------------------------------------------

function prefillSteps(p: Plan): [string, string][] {
  const b = p.base;
  const walletId = (u: string) => `${b.account} + 1 + ${u}`;
  // Accounts: wallets, then a pot and a rake per table, then one per seat session.
  const potId = (t: string) => `${b.account} + ${p.users} + 1 + 2 * ${t}`;
  const seatAccountId = (i: string) => `${b.account} + ${p.users} + 2 * ${p.tables} + 1 + ${i}`;
  // Transfers in time order: every purchase first, then block after block of every table.
  const blockBase = (blk: string) => `${b.transfer} + ${p.users} + 1 + ${blk} * ${TRANSFERS_PER_BLOCK * p.tables}`;
  const buyInId = (blk: string, t: string, s: string) => `${blockBase(blk)} + ${t} * ${SEATS} + ${s}`;
  const settleId = (blk: string, k: string, t: string) => `${blockBase(blk)} + ${SEATS * p.tables} + ${k} * ${p.tables} + ${t}`;
  const cashOutId = (blk: string, t: string, s: string) =>
    `${blockBase(blk)} + ${(SEATS + HANDS_PER_SEAT_SESSION) * p.tables} + ${t} * ${SEATS} + ${s}`;
  const clock = `(SELECT coalesce(max(created_at), now() - interval '${HISTORY_DAYS} days') FROM ledger_transfers)`;
  const at = (transferId: string) => `pf_clock.t0 + (${transferId} - ${b.transfer}) * pf_clock.step`;
  const hash = (x: string, seed: number) => `hashint8extended((${x})::bigint, ${seed})`;
  return [
    ['clock', `CREATE TEMP TABLE pf_clock ON COMMIT DROP AS
       SELECT ${clock} AS t0, (now() - ${clock}) / ${p.transfers + 1} AS step`],
    ['users', `INSERT INTO users (id, username, password_hash, is_bot, created_at)
       SELECT ${b.user} + 1 + u, 'prefill-${p.tag}-' || u, 'x', true, pf_clock.t0
         FROM generate_series(0, ${p.users - 1}) u, pf_clock`],
    ['wallets', `INSERT INTO accounts (id, kind, code, user_id, created_at)
       SELECT ${walletId('u')}, 'WALLET', 'wallet:' || (${b.user} + 1 + u), ${b.user} + 1 + u, pf_clock.t0
         FROM generate_series(0, ${p.users - 1}) u, pf_clock`],
    ['tables', `INSERT INTO poker_tables (id, name, variant, max_seats, small_blind, big_blind, min_buy_in, max_buy_in, rake_bps, rake_cap, hand_number, created_at)
       SELECT ${b.table} + 1 + t, 'prefill-${p.tag}-' || t, 'NLHE', ${SEATS}, 1, 2, 100, ${BUY_IN_CHIPS * 5}, ${RAKE_PERCENT * 100}, ${RAKE_CAP_CHIPS},
              ${p.blocks * HANDS_PER_SEAT_SESSION}, pf_clock.t0
         FROM generate_series(0, ${p.tables - 1}) t, pf_clock`],
    ['pot and rake accounts', `INSERT INTO accounts (id, kind, code, table_id, created_at)
       SELECT ${potId('t')} + r, CASE r WHEN 0 THEN 'POT' ELSE 'RAKE' END::"AccountKind",
              CASE r WHEN 0 THEN 'pot:' ELSE 'rake:' END || (${b.table} + 1 + t), ${b.table} + 1 + t, pf_clock.t0
         FROM generate_series(0, ${p.tables - 1}) t, generate_series(0, 1) r, pf_clock`],
    // i = (block * tables + table) * 6 + seat; six consecutive sessions have six different users.
    ['scratch: seat sessions', `CREATE TEMP TABLE pf_sessions ON COMMIT DROP AS
       SELECT i, i / ${SEATS} / ${p.tables} AS blk, (i / ${SEATS}) % ${p.tables} AS t, i % ${SEATS} AS s,
              ${b.seat} + 1 + i AS id, ${b.user} + 1 + i % ${p.users} AS user_id, ${walletId(`i % ${p.users}`)} AS wallet_id,
              ${seatAccountId('i')} AS account_id
         FROM generate_series(0, ${p.sessions - 1}) i`],
    ['scratch: hands', `CREATE TEMP TABLE pf_hands ON COMMIT DROP AS
       SELECT j, blk, k, t, ${b.table} + 1 + t AS table_id, blk * ${HANDS_PER_SEAT_SESSION} + k + 1 AS hand_number,
              ${potId('t')} AS pot_id, ${potId('t')} + 1 AS rake_id, ${settleId('blk', 'k', 't')} AS transfer_id,
              ${b.hand} + 1 + (blk * ${HANDS_PER_SEAT_SESSION} + k) * ${p.tables} + t AS id,
              (${hash('j', 3)} & 1)::int AS first_winner, abs(${hash('j', 4)} % 10) < 3 AS split
         FROM (SELECT j, j / ${HANDS_PER_SEAT_SESSION * p.tables} AS blk, (j / ${p.tables}) % ${HANDS_PER_SEAT_SESSION} AS k,
                      j % ${p.tables} AS t FROM generate_series(0, ${p.hands - 1}) j) x`],
    // Seats 0 and 1 are always in the pot; the others half the time.
    ['scratch: hand seats', `CREATE TEMP TABLE pf_seats ON COMMIT DROP AS
       SELECT h.j, s, (h.blk * ${p.tables} + h.t) * ${SEATS} + s AS session_i,
              CASE WHEN s < 2 OR (${hash(`h.j * 8 + s`, 1)} & 1) = 0
                   THEN 2 + abs(${hash(`h.j * 8 + s`, 2)} % ${CONTRIBUTION_SPREAD_CHIPS}) ELSE 0 END AS contributed
         FROM pf_hands h, generate_series(0, ${SEATS - 1}) s`],
    ['scratch: pots', `CREATE TEMP TABLE pf_pots ON COMMIT DROP AS
       SELECT j, pot, least(pot * ${RAKE_PERCENT} / 100, ${RAKE_CAP_CHIPS}) AS rake FROM (SELECT j, sum(contributed)::bigint AS pot FROM pf_seats GROUP BY j) x`],
    // One winner (seat 0 or 1), or both splitting; the first takes the odd chip.
    ['scratch: winnings', `CREATE TEMP TABLE pf_won ON COMMIT DROP AS
       SELECT st.j, st.s, st.session_i, st.contributed,
              CASE WHEN st.s = h.first_winner THEN (p.pot - p.rake) - CASE WHEN h.split THEN (p.pot - p.rake) / 2 ELSE 0 END
                   WHEN h.split AND st.s = 1 - h.first_winner THEN (p.pot - p.rake) / 2 ELSE 0 END AS won
         FROM pf_seats st JOIN pf_hands h USING (j) JOIN pf_pots p USING (j)`],
    ['scratch: stacks at cash-out', `CREATE TEMP TABLE pf_final ON COMMIT DROP AS
       SELECT session_i AS i, ${BUY_IN_CHIPS} + sum(won - contributed)::bigint AS stack FROM pf_won GROUP BY session_i`],
    ['scratch: purchases', `CREATE TEMP TABLE pf_purchases ON COMMIT DROP AS
       SELECT u, ${b.user} + 1 + u AS user_id, ${walletId('u')} AS wallet_id, ${b.transfer} + 1 + u AS transfer_id,
              count(ss.i)::bigint * ${BUY_IN_CHIPS} + 1000 AS chips
         FROM generate_series(0, ${p.users - 1}) u LEFT JOIN pf_sessions ss ON ss.i % ${p.users} = u GROUP BY u`],
    ['transfers', `INSERT INTO ledger_transfers (id, kind, idempotency_key, request_hash, actor_user_id, table_id, result, key_scope, key_owner_id, created_at)
       SELECT x.id, x.kind::"TransferKind", x.key, md5(x.key) || md5(x.key || '#'), x.actor, x.table_id, x.result::jsonb,
              x.scope::"KeyScope", CASE x.scope WHEN 'CLIENT' THEN x.actor ELSE 0 END, ${at('x.id')}
         FROM (
           SELECT transfer_id AS id, 'BUY_CHIPS' AS kind, 'prefill-chips-${p.tag}-' || u AS key, user_id AS actor, NULL::int AS table_id, 'CLIENT' AS scope,
                  '{"chips":{"$big":"' || chips || '"},"amountCents":{"$big":"' || chips || '"},"currency":"USD"}' AS result
             FROM pf_purchases
           UNION ALL
           SELECT ${buyInId('ss.blk', 'ss.t', 'ss.s')}, 'BUY_IN', 'prefill-sit-${p.tag}-' || ss.i, ss.user_id, ${b.table} + 1 + ss.t, 'CLIENT',
                  '{"stack":{"$big":"${BUY_IN_CHIPS}"},"seatSessionId":{"$big":"' || ss.id || '"},"seatAccountId":{"$big":"' || ss.account_id || '"}}'
             FROM pf_sessions ss
           UNION ALL
           SELECT h.transfer_id, 'SETTLE_HAND', 'settle:' || h.table_id || ':' || h.hand_number, NULL, h.table_id, 'SERVER',
                  '{"handNumber":{"$big":"' || h.hand_number || '"},"potTotal":{"$big":"' || p.pot || '"},"rake":{"$big":"' || p.rake || '"}}'
             FROM pf_hands h JOIN pf_pots p USING (j)
           UNION ALL
           SELECT ${cashOutId('ss.blk', 'ss.t', 'ss.s')}, 'CASH_OUT', 'cashout:' || ss.id, ss.user_id, ${b.table} + 1 + ss.t, 'SERVER',
                  '{"amount":{"$big":"' || f.stack || '"}}'
             FROM pf_sessions ss JOIN pf_final f USING (i)
         ) x, pf_clock
        ORDER BY x.id`],
    ['chip purchases', `INSERT INTO chip_purchases (id, user_id, transfer_id, amount_minor, currency, chips, chips_per_unit, payment_ref, created_at)
       SELECT ${b.purchase} + 1 + u, user_id, transfer_id, chips, 'USD', chips, 100, 'prefill_${p.tag}_' || u, ${at('transfer_id')}
         FROM pf_purchases, pf_clock`],
    ['seat sessions', `INSERT INTO seat_sessions (id, table_id, user_id, seat_index, status, opened_at, closed_at)
       SELECT ss.id, ${b.table} + 1 + ss.t, ss.user_id, ss.s, 'CLOSED', ${at(buyInId('ss.blk', 'ss.t', 'ss.s'))}, ${at(cashOutId('ss.blk', 'ss.t', 'ss.s'))}
         FROM pf_sessions ss, pf_clock ORDER BY ss.id`],
    ['seat accounts', `INSERT INTO accounts (id, kind, code, user_id, table_id, seat_session_id, created_at)
       SELECT ss.account_id, 'SEAT', 'seat:' || ss.id, ss.user_id, ${b.table} + 1 + ss.t, ss.id, ${at(buyInId('ss.blk', 'ss.t', 'ss.s'))}
         FROM pf_sessions ss, pf_clock ORDER BY ss.id`],
    // Postings in settleHand's order: contributions seat by seat, winnings, then the rake.
    ['entries', `INSERT INTO ledger_entries (id, transfer_id, account_id, side, amount, created_at)
       SELECT ${b.entry} + row_number() OVER (ORDER BY m.transfer_id, m.ord), m.transfer_id, m.account_id,
              (CASE WHEN m.delta > 0 THEN 'CREDIT' ELSE 'DEBIT' END)::"EntrySide", abs(m.delta), ${at('m.transfer_id')}
         FROM (
           SELECT transfer_id, 0 AS ord, ${p.cashierId}::bigint AS account_id, -chips AS delta FROM pf_purchases
           UNION ALL SELECT transfer_id, 1, wallet_id, chips FROM pf_purchases
           UNION ALL SELECT ${buyInId('blk', 't', 's')}, 0, wallet_id, -${BUY_IN_CHIPS}::bigint FROM pf_sessions
           UNION ALL SELECT ${buyInId('blk', 't', 's')}, 1, account_id, ${BUY_IN_CHIPS}::bigint FROM pf_sessions
           UNION ALL SELECT h.transfer_id, 2 * w.s, ss.account_id, -w.contributed FROM pf_won w JOIN pf_hands h USING (j) JOIN pf_sessions ss ON ss.i = w.session_i WHERE w.contributed > 0
           UNION ALL SELECT h.transfer_id, 2 * w.s + 1, h.pot_id, w.contributed FROM pf_won w JOIN pf_hands h USING (j) WHERE w.contributed > 0
           UNION ALL SELECT h.transfer_id, 12 + 2 * w.s, h.pot_id, -w.won FROM pf_won w JOIN pf_hands h USING (j) WHERE w.won > 0
           UNION ALL SELECT h.transfer_id, 13 + 2 * w.s, ss.account_id, w.won FROM pf_won w JOIN pf_hands h USING (j) JOIN pf_sessions ss ON ss.i = w.session_i WHERE w.won > 0
           UNION ALL SELECT h.transfer_id, 24, h.pot_id, -p.rake FROM pf_hands h JOIN pf_pots p USING (j) WHERE p.rake > 0
           UNION ALL SELECT h.transfer_id, 25, h.rake_id, p.rake FROM pf_hands h JOIN pf_pots p USING (j) WHERE p.rake > 0
           UNION ALL SELECT ${cashOutId('ss.blk', 'ss.t', 'ss.s')}, 0, ss.account_id, -f.stack FROM pf_sessions ss JOIN pf_final f USING (i) WHERE f.stack > 0
           UNION ALL SELECT ${cashOutId('ss.blk', 'ss.t', 'ss.s')}, 1, ss.wallet_id, f.stack FROM pf_sessions ss JOIN pf_final f USING (i) WHERE f.stack > 0
         ) m, pf_clock`],
    ['hands', `INSERT INTO hands (id, table_id, hand_number, transfer_id, commitment, seed, pot_total, rake, record, created_at)
       SELECT h.id, h.table_id, h.hand_number, h.transfer_id, md5(h.j || 'c') || md5(h.j || 'C'), md5(h.j || 's') || md5(h.j || 'S'),
              p.pot, p.rake, ('{"version":1,"hand":{"$big":"' || h.hand_number || '"},"events":' || '${recordTemplate()}' || '}')::jsonb,
              ${at('h.transfer_id')}
         FROM pf_hands h JOIN pf_pots p USING (j), pf_clock ORDER BY h.id`],
    ['hand players', `INSERT INTO hand_players (hand_id, seat_session_id, user_id, seat_index, contributed, won)
       SELECT h.id, ss.id, ss.user_id, w.s, w.contributed, w.won
         FROM pf_won w JOIN pf_hands h USING (j) JOIN pf_sessions ss ON ss.i = w.session_i ORDER BY h.id, w.s`],
    ['balances', `UPDATE accounts a SET balance = a.balance + d.delta
       FROM (SELECT account_id, sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END)::bigint AS delta
               FROM ledger_entries WHERE id > ${b.entry} GROUP BY account_id) d
      WHERE a.id = d.account_id AND d.delta <> 0`],
    ['sequences', `SELECT ${['users', 'poker_tables', 'seat_sessions', 'accounts', 'ledger_transfers', 'ledger_entries', 'hands', 'chip_purchases']
      .map((t) => `setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}))`).join(', ')}`],
  ];
}

/** The triggers were off, so the new rows' references are checked here, set-based. */
async function checkForeignKeys(client: pg.Client, p: Plan): Promise<void> {
  const { rows } = await client.query<Record<string, string>>(`
    SELECT (SELECT count(*) FROM ledger_entries e WHERE e.id > ${p.base.entry}
              AND (NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id = e.transfer_id)
                   OR NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = e.account_id))) AS entries,
           (SELECT count(*) FROM hands h WHERE h.id > ${p.base.hand}
              AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.id = h.transfer_id AND t.kind = 'SETTLE_HAND')) AS hands,
           (SELECT count(*) FROM hand_players hp WHERE hp.hand_id > ${p.base.hand}
              AND NOT EXISTS (SELECT 1 FROM seat_sessions ss WHERE ss.id = hp.seat_session_id AND ss.user_id = hp.user_id)) AS players,
           (SELECT count(*) FROM (SELECT transfer_id FROM ledger_entries WHERE id > ${p.base.entry} GROUP BY transfer_id
              HAVING sum(CASE side WHEN 'CREDIT' THEN amount ELSE -amount END) <> 0) x) AS unbalanced`);
  const bad = Object.entries(rows[0]!).filter(([, n]) => Number(n) !== 0);
  if (bad.length > 0) throw new Error(`prefill produced inconsistent rows: ${bad.map(([k, n]) => `${k}=${n}`).join(' ')}`);
}

/** session_replication_role was SET LOCAL; this proves the ledger's guards are on again. */
async function assertTriggersEnabled(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ role: string; disabled: string }>(`
    SELECT current_setting('session_replication_role') AS role,
           (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'ledger_entries'::regclass AND NOT tgisinternal AND tgenabled <> 'O') AS disabled`);
  if (rows[0]!.role !== 'origin' || Number(rows[0]!.disabled) !== 0) throw new Error('ledger triggers are not enabled after the prefill');
}

async function main(): Promise<void> {
  const [url, entries] = process.argv.slice(2);
  if (!url || !entries || !Number.isFinite(Number(entries))) {
    console.error('usage: npx tsx bench/prefill.ts <database-url of a migrated database> <entries>');
    process.exit(2);
  }
  const report = await prefillLedger(url, Number(entries), (line) => console.log(line));
  console.log(JSON.stringify(report));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
