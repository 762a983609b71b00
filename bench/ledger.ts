import { randomBytes } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { createDb, type Db } from '../server/db/client';
import { PrismaClient } from '../server/db/generated/client';
import { createLedger, type Ledger, type LedgerDeps, type SettleHandInput } from '../server/ledger/transactions';
import { RawFailure, rawBuyIn, rawSettleHand } from './ledger-raw';
import {
  connectionLimits,
  createStatementTimer,
  openBenchDatabase,
  parseArgs,
  pgOptionsString,
  randomIntBelow,
  runCell,
  seededRng,
  summarize,
  type BenchArgs,
  type CellResult,
  type Sample,
  type StatementStat,
} from './support';

// npm run bench:ledger [-- --quick | --duration=10 --rounds=2 --warmup=1 --workers=8,32 --pool=20 --profile=3 --seed=1 --named-statements]
//
// Throughput and latency of the ledger's two hottest money operations, settleHand
// (6 seats) and buyIn, through the project's ledger (Prisma 7 + adapter-pg) and
// through a raw node-postgres baseline doing the same SQL work one statement per
// step (bench/ledger-raw.ts). Figures, not a test: it fails only when an
// operation fails or when the ledger's reconcile finds a violation afterwards.

const SEATS_PER_HAND = 6;
const BUYIN_SEATS_PER_TABLE = 10;
/** Settlement seats start deep enough that no 10-minute run can bust one. */
const SETTLE_STACK_CHIPS = 1_000_000_000n;
const WALLET_CHIPS = 1_000_000_000_000n;
const BUYIN_CHIPS = 1_000n;
const CONTRIBUTION_MAX_CHIPS = 400;
const RAKE_PERCENT = 5n;
const RAKE_CAP_CHIPS = 30n;
/** Buy-in seats are consumed, never freed: a cell gets this many times the seats its best rate so far needs. */
const SEAT_SUPPLY_FACTOR = 2.5;
const BUYIN_RATE_GUESS_PER_SEC = 3_000;

interface SettleTable {
  tableId: number;
  nextHand: bigint;
  seats: { seatSessionId: bigint; userId: number; seatIndex: number }[];
}

interface BuyInWorker {
  users: number[];
  tableId: number | null;
  nextSeat: number;
}

interface Bench {
  args: BenchArgs;
  db: Db;
  ledger: Ledger;
  deps: LedgerDeps;
  raw: pg.Pool;
  admin: pg.Client;
  rng: () => number;
  settleTables: SettleTable[];
  buyInWorkers: BuyInWorker[];
  freeTables: number[];
  bestBuyInRate: number;
  keySeq: number;
  errors: Map<string, number>;
}

// ---- setup -------------------------------------------------------------------------

let tableNameSeq = 0;

/** Tables with their pot and rake accounts, in one statement. */
async function createTables(admin: pg.Client, count: number, maxSeats: number, maxBuyIn: bigint): Promise<number[]> {
  const prefix = `bench-${tableNameSeq++}-${randomBytes(3).toString('hex')}`;
  const { rows } = await admin.query<{ id: number }>(
    `WITH t AS (
       INSERT INTO poker_tables (name, variant, max_seats, small_blind, big_blind, min_buy_in, max_buy_in)
       SELECT $1 || '-' || g, 'NLHE', $2::int, 1, 2, 100, $3::bigint FROM generate_series(1, $4::int) g
       RETURNING id
     ), a AS (
       INSERT INTO accounts (kind, code, table_id)
       SELECT k.kind::"AccountKind", lower(k.kind) || ':' || t.id, t.id FROM t CROSS JOIN (VALUES ('POT'), ('RAKE')) k(kind)
     )
     SELECT id FROM t ORDER BY id`,
    [prefix, maxSeats, maxBuyIn.toString(), count],
  );
  return rows.map((r) => r.id);
}

async function createUsers(admin: pg.Client, count: number): Promise<number[]> {
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  const { rows } = await admin.query<{ id: number }>(
    `INSERT INTO users (username, password_hash) SELECT $1 || '-' || g, 'x' FROM generate_series(1, $2::int) g RETURNING id`,
    [prefix, count],
  );
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

function must<T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }, what: string): T {
  if (!result.ok) throw new Error(`${what} failed: ${result.error.code}`);
  return result.value;
}

/** Wallets are funded through the ledger itself, so reconcile sees where every chip came from. */
async function fundWallets(ledger: Ledger, users: number[], chips: bigint): Promise<void> {
  for (let i = 0; i < users.length; i += 16) {
    await Promise.all(users.slice(i, i + 16).map(async (userId) =>
      must(await ledger.buyChips({ userId, amountCents: chips, idempotencyKey: `bench-fund-${userId}` }), 'buyChips')));
  }
}

async function seatSettleTables(bench: Bench, count: number): Promise<SettleTable[]> {
  const tableIds = await createTables(bench.admin, count, SEATS_PER_HAND, SETTLE_STACK_CHIPS);
  const users = await createUsers(bench.admin, count * SEATS_PER_HAND);
  await fundWallets(bench.ledger, users, SETTLE_STACK_CHIPS);
  return Promise.all(tableIds.map(async (tableId, t) => {
    const seats = [];
    for (let seatIndex = 0; seatIndex < SEATS_PER_HAND; seatIndex++) {
      const userId = users[t * SEATS_PER_HAND + seatIndex]!;
      const seated = must(await bench.ledger.buyIn({
        userId, tableId, seatIndex, amount: SETTLE_STACK_CHIPS, idempotencyKey: `bench-seat-${tableId}-${seatIndex}`,
      }), 'buyIn (setup)');
      seats.push({ seatSessionId: seated.seatSessionId, userId, seatIndex });
    }
    return { tableId, nextHand: 1n, seats };
  }));
}

async function prepareBuyInWorkers(bench: Bench, workers: number): Promise<BuyInWorker[]> {
  const users = await createUsers(bench.admin, workers * BUYIN_SEATS_PER_TABLE);
  await fundWallets(bench.ledger, users, WALLET_CHIPS);
  return Array.from({ length: workers }, (_, w) => ({
    users: users.slice(w * BUYIN_SEATS_PER_TABLE, (w + 1) * BUYIN_SEATS_PER_TABLE),
    tableId: null,
    nextSeat: 0,
  }));
}

/** Buy-ins fill seats for good; before each buy-in cell, make sure it cannot run out. */
async function ensureSeatSupply(bench: Bench, workers: number, runMs: number): Promise<void> {
  const seconds = runMs / 1000;
  const rate = Math.max(bench.bestBuyInRate, BUYIN_RATE_GUESS_PER_SEC);
  const tablesNeeded = Math.ceil((rate * seconds * SEAT_SUPPLY_FACTOR) / BUYIN_SEATS_PER_TABLE) + workers;
  if (bench.freeTables.length >= tablesNeeded) return;
  const more = await createTables(bench.admin, tablesNeeded - bench.freeTables.length, BUYIN_SEATS_PER_TABLE, BUYIN_CHIPS * 1_000n);
  bench.freeTables.push(...more);
}

// ---- workloads ----------------------------------------------------------------------

/** Random but balanced: contributions = winnings + rake; two or more seats in every pot. */
function nextHand(table: SettleTable, rng: () => number): SettleHandInput {
  const contributed = table.seats.map((_, i) =>
    i < 2 || rng() < 0.5 ? BigInt(2 + randomIntBelow(rng, CONTRIBUTION_MAX_CHIPS)) : 0n);
  const potTotal = contributed.reduce((a, b) => a + b, 0n);
  const rake = [potTotal * RAKE_PERCENT / 100n, RAKE_CAP_CHIPS].reduce((a, b) => (a < b ? a : b));
  const inPot = table.seats.map((_, i) => i).filter((i) => contributed[i]! > 0n);
  const winners = [inPot[randomIntBelow(rng, inPot.length)]!];
  if (rng() < 0.3) winners.push(inPot.find((i) => i !== winners[0])!); // a split pot now and then
  const won = table.seats.map(() => 0n);
  const share = (potTotal - rake) / BigInt(winners.length);
  winners.forEach((seat, k) => { won[seat] = k === 0 ? potTotal - rake - share * BigInt(winners.length - 1) : share; });
  return {
    tableId: table.tableId,
    handNumber: table.nextHand,
    ownerEpoch: 0n,
    rake,
    commitment: randomBytes(32).toString('hex'),
    seed: randomBytes(32).toString('hex'),
    record: handRecord(table, contributed, won),
    seats: table.seats.map((s, i) => ({ ...s, contributed: contributed[i]!, won: won[i]! })),
  };
}

/** A hand log of about the size a real one has (blinds, a few actions per street, the showdown). */
function handRecord(table: SettleTable, contributed: bigint[], won: bigint[]) {
  const events = [];
  for (const street of ['preflop', 'flop', 'turn', 'river']) {
    for (const seat of table.seats) events.push({ street, seat: seat.seatIndex, action: 'bet', amount: contributed[seat.seatIndex]! / 4n });
  }
  return { version: 1, hand: table.nextHand, events, payouts: won };
}

async function settleOp(bench: Bench, worker: number, settle: (input: SettleHandInput) => Promise<void>): Promise<void> {
  const table = bench.settleTables[worker]!;
  try {
    await settle(nextHand(table, bench.rng));
    table.nextHand++;
  } catch (error) {
    const { rows } = await bench.admin.query<{ hand_number: string }>('SELECT hand_number FROM poker_tables WHERE id = $1', [table.tableId]);
    table.nextHand = BigInt(rows[0]!.hand_number) + 1n;
    throw error;
  }
}

function nextBuyIn(bench: Bench, worker: number, tag: string) {
  const state = bench.buyInWorkers[worker]!;
  if (state.tableId === null || state.nextSeat === BUYIN_SEATS_PER_TABLE) {
    const tableId = bench.freeTables.shift();
    if (tableId === undefined) throw new Error('the benchmark ran out of free buy-in seats: raise SEAT_SUPPLY_FACTOR');
    state.tableId = tableId;
    state.nextSeat = 0;
  }
  const seatIndex = state.nextSeat++;
  // One user per seat index and one table per ten buy-ins: no user sits twice at a table.
  return { userId: state.users[seatIndex]!, tableId: state.tableId, seatIndex, amount: BUYIN_CHIPS, idempotencyKey: `bench-${tag}-${bench.keySeq++}` };
}

type OpName = 'settle' | 'buyin';
type Impl = 'ledger' | 'raw';

function operation(bench: Bench, name: OpName, impl: Impl): (worker: number) => Promise<void> {
  if (name === 'settle') {
    return impl === 'ledger'
      ? (w) => settleOp(bench, w, async (input) => { must(await bench.ledger.settleHand(input), 'settleHand'); })
      : (w) => settleOp(bench, w, (input) => rawSettleHand(bench.raw, input));
  }
  return impl === 'ledger'
    ? async (w) => { must(await bench.ledger.buyIn(nextBuyIn(bench, w, 'buyin')), 'buyIn'); }
    : (w) => rawBuyIn(bench.raw, nextBuyIn(bench, w, 'rawbuyin'));
}

async function measure(bench: Bench, name: OpName, impl: Impl, workers: number, durationMs: number, warmupMs: number): Promise<Sample> {
  if (name === 'buyin') await ensureSeatSupply(bench, workers, durationMs + warmupMs);
  const sample = await runCell({
    workers,
    warmupMs,
    durationMs,
    op: operation(bench, name, impl),
    backendPids: () => backendPids(bench.admin),
    onError: (error) => {
      const code = error instanceof RawFailure ? `raw: ${error.message}` : String((error as Error).message ?? error).slice(0, 120);
      bench.errors.set(code, (bench.errors.get(code) ?? 0) + 1);
    },
  });
  if (name === 'buyin') bench.bestBuyInRate = Math.max(bench.bestBuyInRate, (sample.latenciesMs.length / sample.elapsedMs) * 1000);
  return sample;
}

async function backendPids(admin: pg.Client): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
  );
  return rows.map((r) => r.pid);
}

// ---- reporting -------------------------------------------------------------------------

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const pad = (s: string, n: number) => s.padStart(n);

function cellLine(workers: number, name: OpName, impl: Impl, r: CellResult): string {
  return [
    pad(String(workers), 7), pad(name, 7), pad(impl, 7), pad(fixed(r.opsPerSec, 0), 8), pad(fixed(r.p50Ms, 2), 8),
    pad(fixed(r.p99Ms, 2), 8), pad(fixed(r.clientCpuMsPerOp, 3), 11), pad(fixed(r.serverCpuMsPerOp, 3), 11), pad(String(r.ops), 7),
    pad(String(r.errors), 6), pad(fixed(r.hostBusy * 100, 0), 10),
  ].join(' ');
}

const HEADER = [
  pad('workers', 7), pad('op', 7), pad('impl', 7), pad('ops/s', 8), pad('p50 ms', 8), pad('p99 ms', 8), pad('node cpu/op', 11),
  pad('pg cpu/op', 11), pad('ops', 7), pad('errors', 6), pad('host busy%', 10),
].join(' ');

/** Names the statements both sides send; raw ones carry a /* raw:<step> *\/ tag. */
function statementLabel(sql: string): string {
  const tagged = /\/\* raw:(\w+) \*\//.exec(sql);
  if (tagged) return tagged[1]!;
  const text = sql.replace(/\s+/g, ' ').trim();
  if (/^(BEGIN|COMMIT|ROLLBACK)/i.test(text)) return text.split(' ')[0]!.toUpperCase();
  if (text.includes('WITH seats_ok')) return 'settle_cte (cas+transfer+entries+balances+hand+players)';
  if (text.includes('JOIN hands h ON h.transfer_id')) return 'lookup (transfer+hand)';
  if (text.includes('LEFT JOIN poker_tables pt ON pt.id = $2')) return 'lookup_with_table';
  if (text.includes('FOR UPDATE')) return 'lock';
  if (text.includes('INSERT INTO seat_sessions')) return 'open_seat_cte (seat_session+account)';
  if (/^WITH tr AS/.test(text)) return 'post_transfer_cte (transfer+entries+balances)';
  return `other: ${text.slice(0, 60)}`;
}

function profileLines(label: string, result: CellResult, stats: Map<string, StatementStat>): string[] {
  const ops = Math.max(result.ops, 1);
  let statementMsPerOp = 0;
  let statementsPerOp = 0;
  const lines = [...stats.entries()].map(([name, s]) => {
    statementMsPerOp += s.totalMs / ops;
    statementsPerOp += s.count / ops;
    return `    ${name.padEnd(58)} ${pad(fixed(s.count / ops, 2), 6)} x ${pad(fixed(s.totalMs / s.count, 3), 7)} ms = ${pad(fixed(s.totalMs / ops, 3), 7)} ms/op`;
  });
  return [
    `  ${label}: ${fixed(result.opsPerSec, 0)} ops/s, mean ${fixed(result.meanMs, 3)} ms/op, ${fixed(statementsPerOp, 2)} statements/op`,
    ...lines,
    `    ${'(all statements: call to result, incl. round trip)'.padEnd(58)} ${pad('', 6)}   ${pad('', 7)}    = ${pad(fixed(statementMsPerOp, 3), 7)} ms/op`,
    `    ${'(outside statements: pool, ORM/JS, hashing, between calls)'.padEnd(58)} ${pad('', 6)}   ${pad('', 7)}    = ${pad(fixed(result.meanMs - statementMsPerOp, 3), 7)} ms/op`,
    `    node cpu ${fixed(result.clientCpuMsPerOp, 3)} ms/op, pg backend cpu ${fixed(result.serverCpuMsPerOp, 3)} ms/op, host busy ${fixed(result.hostBusy * 100, 0)}%`,
  ];
}

// ---- main ------------------------------------------------------------------------------

type Timer = ReturnType<typeof createStatementTimer>;

async function runMatrix(bench: Bench): Promise<Map<string, CellResult>> {
  const { rounds, durationMs, warmupMs } = bench.args;
  const results = new Map<string, CellResult>();
  console.log(`\n${HEADER}`);
  for (const workers of bench.args.workers) {
    for (const name of ['settle', 'buyin'] as const) {
      const samples: Record<Impl, Sample[]> = { ledger: [], raw: [] };
      for (let round = 0; round < rounds; round++) {
        const order: Impl[] = round % 2 === 0 ? ['ledger', 'raw'] : ['raw', 'ledger'];
        for (const impl of order) samples[impl].push(await measure(bench, name, impl, workers, durationMs / rounds, warmupMs));
      }
      for (const impl of ['ledger', 'raw'] as const) {
        const r = summarize(samples[impl]);
        results.set(`${workers}:${name}:${impl}`, r);
        console.log(cellLine(workers, name, impl, r));
      }
    }
  }
  return results;
}

/** Separate short runs with every statement timed (the timer costs a little, so it stays out of the matrix). */
async function runProfile(bench: Bench, timer: Timer): Promise<void> {
  const { profileMs, warmupMs } = bench.args;
  if (profileMs <= 0) return;
  for (const workers of [1, Math.min(...bench.args.workers)]) {
    console.log(`\nper-statement profile, ${workers} worker(s), ${profileMs / 1000} s per op (calls/op x mean = ms/op):`);
    for (const name of ['settle', 'buyin'] as const) {
      for (const impl of ['ledger', 'raw'] as const) {
        await measure(bench, name, impl, workers, warmupMs, 0); // warm-up, not timed
        timer.start();
        const sample = await measure(bench, name, impl, workers, profileMs, 0);
        for (const line of profileLines(`${name} ${impl}`, summarize([sample]), timer.stop())) console.log(line);
      }
    }
  }
}

async function describeServer(admin: pg.Client): Promise<string> {
  const { rows } = await admin.query<Record<string, string>>(
    `SELECT current_setting('server_version') AS v, current_setting('shared_buffers') AS sb,
            current_setting('synchronous_commit') AS sc, current_setting('fsync') AS fs, current_setting('max_connections') AS mc`,
  );
  const s = rows[0]!;
  return `PostgreSQL ${s.v}, shared_buffers=${s.sb}, synchronous_commit=${s.sc}, fsync=${s.fs}, max_connections=${s.mc}`;
}

/**
 * What-if (--named-statements): the same ledger over a Prisma client whose
 * adapter names every statement, so that each connection parses and plans a
 * statement once instead of on every call. Not how the server runs today.
 */
function createNamedStatementDb(url: string, poolMax: number): Db {
  const names = new Map<string, string>();
  const adapter = new PrismaPg(
    { connectionString: url, max: poolMax, options: pgOptionsString() },
    {
      statementNameGenerator: (query) => {
        let name = names.get(query.sql);
        if (name === undefined) names.set(query.sql, (name = `ledger_${names.size}`));
        return name;
      },
    },
  );
  return new PrismaClient({ adapter });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const timer = createStatementTimer(statementLabel);
  const database = await openBenchDatabase((line) => console.log(`  ${line}`));
  const db = args.namedStatements ? createNamedStatementDb(database.url, args.poolMax) : createDb({ url: database.url, poolMax: args.poolMax, ...connectionLimits });
  const deps: LedgerDeps = { db, chipsPerUsd: 100, purchaseMinCents: 100n, purchaseMaxCents: WALLET_CHIPS, stats: { retries: 0 } };
  const raw = new pg.Pool({ connectionString: database.url, max: args.poolMax, options: pgOptionsString() });
  // An idle connection the server drops must not crash the run (pg emits 'error' on the pool).
  // Dropping the database at the end also ends sockets that pg-pool has already let go of.
  let closing = false;
  raw.on('error', (error) => { if (!closing) console.error(`raw pool: ${error.message}`); });
  const admin = new pg.Client({ connectionString: database.url });
  admin.on('error', (error) => { if (!closing) console.error(`admin connection: ${error.message}`); });
  await admin.connect();
  timer.ignore(admin);
  try {
    return await benchmark({
      args, db, deps, raw, admin, ledger: createLedger(deps), rng: seededRng(args.seed), settleTables: [], buyInWorkers: [],
      freeTables: [], bestBuyInRate: 0, keySeq: 0, errors: new Map(),
    }, database.source, timer);
  } finally {
    closing = true;
    await admin.end();
    await raw.end();
    await db.$disconnect();
    await database.close();
  }
}

async function benchmark(bench: Bench, source: string, timer: Timer): Promise<number> {
  const { args } = bench;
  const workersMax = Math.max(...args.workers);
  console.log(`bench:ledger on ${source}: ${await describeServer(bench.admin)}`);
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cpus; pool ${args.poolMax} connections per side, ` +
    `lock_timeout=${connectionLimits.lockTimeoutMs}ms statement_timeout=${connectionLimits.statementTimeoutMs}ms, READ COMMITTED; ` +
    `${args.namedStatements ? 'WHAT-IF: ledger with named prepared statements; ' : ''}per cell ${args.durationMs / 1000} s in ${args.rounds} alternating slices, each after a ${args.warmupMs / 1000} s warm-up`);
  bench.settleTables = await seatSettleTables(bench, workersMax);
  bench.buyInWorkers = await prepareBuyInWorkers(bench, workersMax);
  await ensureSeatSupply(bench, workersMax, args.durationMs + args.warmupMs);
  // Fresh statistics for the bulk-loaded tables, so that autoanalyze does not change plans mid-run.
  await bench.admin.query('ANALYZE');
  const results = await runMatrix(bench);
  await runProfile(bench, timer);
  const report = await bench.ledger.reconcile();
  const failed = [...bench.errors.values()].reduce((a, b) => a + b, 0);
  console.log(`\nledger retries: ${bench.deps.stats!.retries}; failed operations: ${failed}`);
  for (const [code, count] of bench.errors) console.log(`  ${count} x ${code}`);
  console.log(`reconcile: ${report.ok ? 'clean' : 'VIOLATIONS'} (${report.transfers} transfers, ${report.entries} entries, ${report.accounts} accounts)`);
  for (const v of report.violations.slice(0, 10)) console.log(`  ${v.code}: ${v.message}`);
  console.log(resultLine(results, args.workers.includes(8) ? 8 : args.workers[0]!));
  return report.ok && failed === 0 ? 0 : 1;
}

function resultLine(results: Map<string, CellResult>, workers: number): string {
  const get = (name: OpName, impl: Impl) => results.get(`${workers}:${name}:${impl}`)!;
  const settle = get('settle', 'ledger');
  const settleRaw = get('settle', 'raw');
  const buyIn = get('buyin', 'ledger');
  const buyInRaw = get('buyin', 'raw');
  return `RESULT bench:ledger settle_tps=${fixed(settle.opsPerSec, 0)} settle_raw_tps=${fixed(settleRaw.opsPerSec, 0)} ` +
    `settle_ratio=${fixed(settle.opsPerSec / settleRaw.opsPerSec, 2)} buyin_tps=${fixed(buyIn.opsPerSec, 0)} ` +
    `buyin_raw_tps=${fixed(buyInRaw.opsPerSec, 0)} buyin_ratio=${fixed(buyIn.opsPerSec / buyInRaw.opsPerSec, 2)} ` +
    `p99_ms=${fixed(settle.p99Ms, 1)}`;
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => { console.error(error); process.exitCode = 1; },
);
