import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createDb, type Db, type DbOptions } from '../server/db/client';
import { readMigrations } from '../server/db/migrate';
import { reconcile, reconcileIncremental } from '../server/ledger/reconcile';
import { createLedger, type Ledger, type LedgerDeps, type SettleHandInput } from '../server/ledger/transactions';
import { RawFailure, rawBuyIn, rawSettleHand } from './ledger-raw';
import { countEntries, prefillLedger } from './prefill';
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
import { runWindowedCell, type WindowedResult } from './windowed';
import { machineLine } from './machine';

// npm run bench:ledger [-- --quick | --duration=10 --rounds=2 --warmup=1 --workers=8,32 --pool=20 --profile=3 --seed=1 --named-statements [--custom-plans]]
// npm run bench:ledger -- --prefill 0,1000000,10000000 [--duration=60 --window=10 --workers=8]
//
// Throughput and latency of the ledger's two hottest money operations, settleHand
// (6 seats) and buyIn, through the project's ledger (Prisma 7 + adapter-pg) and
// through a raw node-postgres baseline doing the same SQL work one statement per
// step (bench/ledger-raw.ts). Figures, not a test: it fails only when an
// operation fails or when the ledger's reconcile finds a violation afterwards.
//
// With --prefill (issue #11) it measures the same two operations at several
// ledger sizes instead: the ledger is grown to each size set-based
// (bench/prefill.ts), then each cell runs for a minute by default, cut into
// windows, so that a cost that grows with the ledger shows both across sizes
// and within a run.

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
    onError: (error) => recordError(bench, error),
  });
  if (name === 'buyin') bench.bestBuyInRate = Math.max(bench.bestBuyInRate, (sample.latenciesMs.length / sample.elapsedMs) * 1000);
  return sample;
}

/** Every failed operation is counted, by its message. */
function recordError(bench: Bench, error: unknown): void {
  const code = error instanceof RawFailure ? `raw: ${error.message}` : String((error as Error).message ?? error).slice(0, 120);
  bench.errors.set(code, (bench.errors.get(code) ?? 0) + 1);
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

// ---- growth: cost as the ledger grows (issue #11) ----------------------------------------

interface GrowthArgs {
  /** Ledger sizes, in entries, ascending; 0 is the empty ledger. */
  sizes: number[];
  windowMs: number;
  /** A/B: install the balance trigger function as this migration defined it (e.g. 20261126000000_init). */
  balanceCheckFrom: string | null;
}

const GROWTH_DEFAULTS = ['--duration=60', '--workers=8', '--profile=0'];
const GROWTH_WINDOW_DEFAULT_S = 10;

/**
 * Takes --prefill <sizes> (or --prefill=<sizes>) and --window=<s> off the
 * command line; with --prefill, the cells default to 60 s, 8 workers, no profile.
 */
function takeGrowthArgs(argv: string[]): { rest: string[]; growth: GrowthArgs | null } {
  const rest: string[] = [];
  let sizes: string | null = null;
  let windowS = GROWTH_WINDOW_DEFAULT_S;
  let balanceCheckFrom: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--prefill') sizes = argv[++i] ?? '';
    else if (a.startsWith('--prefill=')) sizes = a.slice('--prefill='.length);
    else if (a.startsWith('--window=')) windowS = Number(a.slice('--window='.length));
    else if (a.startsWith('--balance-check-from=')) balanceCheckFrom = a.slice('--balance-check-from='.length);
    else rest.push(a);
  }
  if (sizes === null) return { rest, growth: null };
  const parsed = sizes.split(',').map((x) => Number(x.replace(/_/g, '')));
  if (parsed.length === 0 || parsed.some((n) => !Number.isInteger(n) || n < 0) || !(windowS > 0)) {
    console.error(`--prefill takes ledger sizes in entries, e.g. --prefill 0,1000000,10000000; --window a positive number of seconds`);
    process.exit(2);
  }
  for (const flag of GROWTH_DEFAULTS) if (!rest.some((a) => a.startsWith(flag.split('=')[0]!))) rest.push(flag);
  return { rest, growth: { sizes: [...parsed].sort((a, b) => a - b), windowMs: windowS * 1000, balanceCheckFrom } };
}

interface GrowthRow {
  size: number;
  entries: number;
  workers: number;
  cells: Map<string, WindowedResult>;
  /** Seconds: the full reconcile before the cells, the incremental one after them (from a checkpoint taken before). */
  reconcileFullS: number;
  reconcileIncrementalS: number;
}

async function growthBenchmark(bench: Bench, growth: GrowthArgs, database: { url: string; source: string }): Promise<number> {
  const { args } = bench;
  console.log(`bench:ledger (growth) on ${database.source}: ${await describeServer(bench.admin)}`);
  console.log(machineLine());
  console.log(`node ${process.version}; pool ${args.poolMax} per side; sizes ${growth.sizes.join(', ')} entries; ` +
    `${whatIf(args)}each cell ${args.durationMs / 1000} s in ${growth.windowMs / 1000} s windows after a ${args.warmupMs / 1000} s warm-up; workers ${args.workers.join(', ')}`);
  if (growth.balanceCheckFrom) await installBalanceCheckFrom(bench.admin, growth.balanceCheckFrom);
  const workersMax = Math.max(...args.workers);
  bench.settleTables = await seatSettleTables(bench, workersMax);
  bench.buyInWorkers = await prepareBuyInWorkers(bench, workersMax);
  const rows: GrowthRow[] = [];
  for (const [index, size] of growth.sizes.entries()) {
    const report = await prefillLedger(database.url, size, (line) => console.log(`  ${line}`));
    if (report.hands > 0) console.log(`  prefill to ${size}: +${report.entriesAfter - report.entriesBefore} entries in ${report.seconds.toFixed(0)} s`);
    for (const workers of args.workers) {
      const row: GrowthRow = {
        size, entries: await countEntries(bench.admin), workers, cells: new Map(),
        reconcileFullS: await timedReconcile(bench, 'full'), reconcileIncrementalS: NaN,
      };
      await timedReconcile(bench, 'incremental'); // the checkpoint the run after the cells starts from
      console.log(`\nledger of ${row.entries} entries, ${workers} workers`);
      console.log(GROWTH_HEADER);
      // Alternate which side goes first, so that drift over the run hits both alike.
      const order: Impl[] = index % 2 === 0 ? ['ledger', 'raw'] : ['raw', 'ledger'];
      for (const name of ['settle', 'buyin'] as const) {
        for (const impl of order) {
          const before = await tableStats(bench.admin);
          const result = await measureWindowed(bench, name, impl, workers, growth.windowMs);
          row.cells.set(`${name}:${impl}`, result);
          console.log(growthLine(name, impl, result));
          console.log(`    ${describeScans(before, await tableStats(bench.admin), result.ops)}`);
        }
      }
      row.reconcileIncrementalS = await timedReconcile(bench, 'incremental');
      rows.push(row);
      console.log(growthResultLine(row));
    }
  }
  return finishGrowth(bench, rows);
}

/**
 * Before/after comparisons: replaces, in this throw-away database only, the
 * balance trigger's function with the definition an earlier migration gave it.
 */
async function installBalanceCheckFrom(admin: pg.Client, migrationName: string): Promise<void> {
  const migration = readMigrations().find((m) => m.name === migrationName);
  const definition = migration && /CREATE (?:OR REPLACE )?FUNCTION "check_transfers_balance"\(\)[\s\S]*?\$\$;/.exec(migration.sql)?.[0];
  if (!definition) throw new Error(`no check_transfers_balance() in migration ${migrationName}`);
  await admin.query(definition.replace(/^CREATE (?:OR REPLACE )?FUNCTION/, 'CREATE OR REPLACE FUNCTION'));
  console.log(`A/B: check_transfers_balance() as defined by ${migrationName}`);
}

/** Both audits must be clean (a violation fails the run); returns the seconds taken. */
async function timedReconcile(bench: Bench, mode: 'full' | 'incremental'): Promise<number> {
  const report = mode === 'full' ? await reconcile(bench.db) : await reconcileIncremental(bench.db);
  const scope = report.checkpoint
    ? `${report.checkpoint.entriesRead} entries after #${report.checkpoint.fromEntryId} read, checkpoint ${report.checkpoint.writtenId ?? 'not written'}`
    : `${report.entries} entries read`;
  console.log(`  reconcile (${mode}): ${report.ok ? 'clean' : 'VIOLATIONS'} in ${(report.durationMs / 1000).toFixed(1)} s; ${scope}`);
  if (!report.ok) throw new Error(`reconcile (${mode}) found violations: ${report.violations.slice(0, 5).map((v) => v.message).join('; ')}`);
  return report.durationMs / 1000;
}

async function measureWindowed(bench: Bench, name: OpName, impl: Impl, workers: number, windowMs: number): Promise<WindowedResult> {
  const { durationMs, warmupMs } = bench.args;
  if (name === 'buyin') await ensureSeatSupply(bench, workers, durationMs + warmupMs);
  const result = await runWindowedCell({
    workers, warmupMs, durationMs, windowMs,
    op: operation(bench, name, impl),
    backendPids: () => backendPids(bench.admin),
    onError: (error) => recordError(bench, error),
  });
  if (name === 'buyin') bench.bestBuyInRate = Math.max(bench.bestBuyInRate, result.opsPerSec);
  return result;
}

async function finishGrowth(bench: Bench, rows: GrowthRow[]): Promise<number> {
  const started = performance.now();
  const report = await bench.ledger.reconcile();
  const reconcileS = (performance.now() - started) / 1000;
  const failed = [...bench.errors.values()].reduce((a, b) => a + b, 0);
  console.log(`\nledger retries: ${bench.deps.stats!.retries}; failed operations: ${failed}`);
  for (const [code, count] of bench.errors) console.log(`  ${count} x ${code}`);
  console.log(`reconcile (full): ${report.ok ? 'clean' : 'VIOLATIONS'} in ${reconcileS.toFixed(1)} s ` +
    `(${report.transfers} transfers, ${report.entries} entries, ${report.accounts} accounts)`);
  for (const v of report.violations.slice(0, 10)) console.log(`  ${v.code}: ${v.message}`);
  for (const row of rows) console.log(growthResultLine(row));
  if (rows.length > 1) console.log(growthSummaryLine(rows, failed, report.ok, reconcileS));
  return report.ok && failed === 0 ? 0 : 1;
}

const GROWTH_HEADER = [
  pad('op', 7), pad('impl', 7), pad('ops/s', 8), pad('p50 ms', 8), pad('p99 ms', 8), pad('pg cpu/op', 10), pad('node cpu/op', 11),
  pad('errors', 6), '  per window: ops/s | pg cpu ms/op',
].join(' ');

function growthLine(name: OpName, impl: Impl, r: WindowedResult): string {
  const windows = r.windows.map((w) => fixed(w.opsPerSec, 0)).join(' ');
  const cpu = r.windows.map((w) => fixed(w.pgCpuMsPerOp, 2)).join(' ');
  return [
    pad(name, 7), pad(impl, 7), pad(fixed(r.opsPerSec, 0), 8), pad(fixed(r.p50Ms, 2), 8), pad(fixed(r.p99Ms, 2), 8),
    pad(fixed(r.pgCpuMsPerOp, 3), 10), pad(fixed(r.nodeCpuMsPerOp, 3), 11), pad(String(r.errors), 6), `  ${windows} | ${cpu}`,
  ].join(' ');
}

/** Last window against first: 1.00 is flat; below 1 the operation slowed down while the ledger grew. */
function drift(r: WindowedResult): number {
  const first = r.windows[0]!;
  const last = r.windows[r.windows.length - 1]!;
  return last.opsPerSec / first.opsPerSec;
}

function growthResultLine(row: GrowthRow): string {
  const get = (key: string) => row.cells.get(key)!;
  const settle = get('settle:ledger');
  const buyIn = get('buyin:ledger');
  const errors = [...row.cells.values()].reduce((n, r) => n + r.errors, 0);
  return `RESULT bench:ledger entries=${row.entries} workers=${row.workers} ` +
    `settle_per_s=${fixed(settle.opsPerSec, 0)} settle_p99_ms=${fixed(settle.p99Ms, 1)} ` +
    `buyin_per_s=${fixed(buyIn.opsPerSec, 0)} buyin_p99_ms=${fixed(buyIn.p99Ms, 1)} ` +
    `settle_raw_per_s=${fixed(get('settle:raw').opsPerSec, 0)} buyin_raw_per_s=${fixed(get('buyin:raw').opsPerSec, 0)} ` +
    `settle_ratio=${fixed(settle.opsPerSec / get('settle:raw').opsPerSec, 2)} buyin_ratio=${fixed(buyIn.opsPerSec / get('buyin:raw').opsPerSec, 2)} ` +
    `pg_cpu_ms_per_settle=${fixed(settle.pgCpuMsPerOp, 2)} pg_cpu_ms_per_buyin=${fixed(buyIn.pgCpuMsPerOp, 2)} ` +
    `settle_last_vs_first_window=${fixed(drift(settle), 2)} reconcile_full_s=${fixed(row.reconcileFullS, 1)} ` +
    `reconcile_incremental_s=${fixed(row.reconcileIncrementalS, 1)} failed=${errors}`;
}

function growthSummaryLine(rows: GrowthRow[], failed: number, clean: boolean, reconcileS: number): string {
  const workers = rows[0]!.workers;
  const same = rows.filter((r) => r.workers === workers);
  const empty = same[0]!;
  const largest = same[same.length - 1]!;
  const ratio = (impl: Impl, pick: (r: WindowedResult) => number) =>
    pick(largest.cells.get(`settle:${impl}`)!) / pick(empty.cells.get(`settle:${impl}`)!);
  return `RESULT bench:ledger-growth sizes=${same.map((r) => r.entries).join(',')} workers=${workers} ` +
    `settle_per_s=${same.map((r) => fixed(r.cells.get('settle:ledger')!.opsPerSec, 0)).join(',')} ` +
    `settle_largest_vs_smallest=${fixed(ratio('ledger', (r) => r.opsPerSec), 2)} ` +
    `settle_raw_largest_vs_smallest=${fixed(ratio('raw', (r) => r.opsPerSec), 2)} ` +
    `pg_cpu_per_settle_largest_vs_smallest=${fixed(ratio('ledger', (r) => r.pgCpuMsPerOp), 2)} ` +
    `failed=${failed} reconcile=${clean ? 'clean' : 'violations'} reconcile_s=${fixed(reconcileS, 1)}`;
}

// Sequential scans of the tables a money operation touches, and the share of
// their updates that were HOT (no index entry written): a scan of a table that
// grows is a cost that grows with it.
const WATCHED_TABLES = ['ledger_entries', 'ledger_transfers', 'accounts', 'poker_tables', 'seat_sessions', 'hands', 'hand_players', 'users', 'chip_purchases'];

type TableStats = Map<string, { seqScan: number; seqRows: number; idxScan: number; upd: number; hotUpd: number }>;

async function tableStats(admin: pg.Client): Promise<TableStats> {
  const { rows } = await admin.query<{ relname: string; seq_scan: string; seq_tup_read: string; idx_scan: string | null; n_tup_upd: string; n_tup_hot_upd: string }>(
    `SELECT relname, seq_scan, seq_tup_read, idx_scan, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = ANY($1)`,
    [WATCHED_TABLES],
  );
  return new Map(rows.map((r) => [r.relname, {
    seqScan: Number(r.seq_scan), seqRows: Number(r.seq_tup_read), idxScan: Number(r.idx_scan ?? 0),
    upd: Number(r.n_tup_upd), hotUpd: Number(r.n_tup_hot_upd),
  }]));
}

function describeScans(before: TableStats, after: TableStats, ops: number): string {
  const scans: string[] = [];
  const hot: string[] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { seqScan: 0, seqRows: 0, idxScan: 0, upd: 0, hotUpd: 0 };
    if (a.seqScan > b.seqScan) scans.push(`${name} ${a.seqScan - b.seqScan} (${fixed((a.seqRows - b.seqRows) / Math.max(ops, 1), 0)} rows/op)`);
    if (a.upd > b.upd) hot.push(`${name} ${fixed((100 * (a.hotUpd - b.hotUpd)) / (a.upd - b.upd), 0)}% of ${fixed((a.upd - b.upd) / Math.max(ops, 1), 1)}/op`);
  }
  return `seq scans: ${scans.length > 0 ? scans.join(', ') : 'none'}; HOT updates: ${hot.join(', ') || 'no updates'}`;
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

/** The header's note when the ledger side is not the server's configuration. */
function whatIf(args: BenchArgs): string {
  if (!args.namedStatements) return '';
  return `WHAT-IF: ledger with named prepared statements${args.customPlans ? ', plan_cache_mode=force_custom_plan' : ''}; `;
}

async function main(): Promise<number> {
  const { rest, growth } = takeGrowthArgs(process.argv.slice(2));
  const args = parseArgs(rest);
  const timer = createStatementTimer(statementLabel);
  const database = await openBenchDatabase((line) => console.log(`  ${line}`));
  // The what-if (--named-statements [--custom-plans]) changes only how the ledger's statements reach PostgreSQL.
  const namedStatements: DbOptions['namedStatements'] = args.namedStatements ? (args.customPlans ? 'force_custom_plan' : 'auto') : undefined;
  const db = createDb({ url: database.url, poolMax: args.poolMax, ...connectionLimits, namedStatements });
  const deps: LedgerDeps = { db, chipsPerUsd: 100, purchaseMinCents: 100n, purchaseMaxCents: WALLET_CHIPS, now: () => Date.now(), stats: { retries: 0 } };
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
    const bench: Bench = {
      args, db, deps, raw, admin, ledger: createLedger(deps), rng: seededRng(args.seed), settleTables: [], buyInWorkers: [],
      freeTables: [], bestBuyInRate: 0, keySeq: 0, errors: new Map(),
    };
    return growth ? await growthBenchmark(bench, growth, database) : await benchmark(bench, database.source, timer);
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
  console.log(machineLine());
  console.log(`node ${process.version}, ${(await import('node:os')).cpus().length} cpus; pool ${args.poolMax} connections per side, ` +
    `lock_timeout=${connectionLimits.lockTimeoutMs}ms statement_timeout=${connectionLimits.statementTimeoutMs}ms, READ COMMITTED; ` +
    `${whatIf(args)}per cell ${args.durationMs / 1000} s in ${args.rounds} alternating slices, each after a ${args.warmupMs / 1000} s warm-up`);
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
