import { parseArgs } from 'node:util';
import { z } from 'zod';
import { STRATEGIES, type StrategyName } from './strategy';

// Options of a bot run, shared by the CLI (`npm run bots`), bench:load and the
// tests. Every limit is a named field with its unit last.

export interface BotRunOptions {
  url: string;
  botToken: string;
  /** Tables to play at; they must exist (GET /api/tables) unless admin credentials allow creating more. */
  tables: number;
  /** Explicit table ids (overrides picking from the lobby). */
  tableIds?: number[];
  playersPerTable: number;
  spectatorsPerTable: number;
  /** Stop after this long (seconds)... */
  durationS: number | null;
  /** ...or after this many hands settled in total, whichever is given (both: the first reached). */
  hands: number | null;
  /**
   * Before the measured play window the tables play unmeasured until they have settled as
   * many hands as there are tables, for at most this long (s; 0: no warm-up). Every table
   * starts its first hand at once, so without it the first 15 s hold no hand ends.
   */
  warmupS: number;
  thinkMsMin: number;
  thinkMsMax: number;
  strategy: StrategyName;
  /** Share (0..1) of player bots that drop their connection or leave and rejoin every few seconds. */
  churn: number;
  /** Mean pause between two churn events of one bot, ms (each pause is uniform in [0.5, 1.5] x this). */
  churnEveryMs: number;
  report: string | null;
  /** More errors than this fails the run (the deliberate late/ and churn/ refusals are counted apart: server/bots/stats.ts). */
  errorThreshold: number;
  adminUser: string | null;
  adminPassword: string | null;
  /** Bot names are <prefix><tableId>s<i>, so a rerun reuses the accounts. */
  namePrefix: string;
  /** Accounts, purchases, connections and seats set up at once. */
  setupConcurrency: number;
  /** A bot tops up when its stack falls below this share of the table's maximum buy-in. */
  topUpBelow: number;
  /** Chance per hand that a bot says something in the chat. */
  chatPerHand: number;
  /** An act not acknowledged within this is counted as an error (ack/timeout). */
  ackTimeoutMs: number;
  /** How long to wait for every bot to be cashed out at the end. */
  leaveTimeoutMs: number;
  /** Progress line: 'auto' (stderr, overwritten on a TTY), 'lines' or 'off'. */
  progress: 'auto' | 'lines' | 'off';
  seed: number;
}

export const DEFAULT_OPTIONS: BotRunOptions = {
  url: 'http://127.0.0.1:3000',
  botToken: '',
  tables: 1,
  playersPerTable: 6,
  spectatorsPerTable: 1,
  durationS: 30,
  hands: null,
  warmupS: 60,
  thinkMsMin: 0,
  thinkMsMax: 0,
  strategy: 'random-legal',
  churn: 0,
  churnEveryMs: 4_000,
  report: null,
  errorThreshold: 0,
  adminUser: null,
  adminPassword: null,
  namePrefix: 'lt',
  setupConcurrency: 64,
  topUpBelow: 0.5,
  chatPerHand: 0.01,
  ackTimeoutMs: 10_000,
  leaveTimeoutMs: 60_000,
  progress: 'auto',
  seed: 1,
};

export const USAGE = `Usage: npm run bots -- [options]
  --url <url>                  server (default ${DEFAULT_OPTIONS.url})
  --bot-token <token>          or env BOT_TOKEN: the server's BOT_TOKEN
  --tables <n>                 tables to play at (default 1): open tables from GET /api/tables;
                               with --admin-user/--admin-password missing ones are created
  --table-ids <a,b,...>        play exactly these tables
  --players-per-table <n>      player bots per table (default 6)
  --spectators-per-table <n>   anonymous watchers per table (default 1)
  --duration <s>               run this long (default 30 unless --hands)
  --hands <n>                  or stop after n hands settled in total
  --warmup <s>                 before the measured window, play until the tables have settled a hand
                               each on average, at most this long (default 60; 0: none)
  --think-ms <min-max>         thinking time per decision (default 0-0)
  --strategy <name>            ${STRATEGIES.join(' | ')} (default random-legal)
  --churn <share>              0..1 of the players drop/reconnect or leave/rejoin every few seconds
  --churn-every-ms <ms>        mean pause between churn events of one bot (default 4000)
  --report <file.json>         write the final report as JSON
  --error-threshold <n>        fail above n errors (default 0); every refusal counts but the
                               deliberate ones, labelled late/ or churn/ and counted apart
  --admin-user <name> --admin-password <pw>
                               admin session: create missing tables, audit with GET /api/admin/reconcile
  --name-prefix <p>            bot names <p><tableId>s<i> (default lt)
  --setup-concurrency <n>      parallel set-up requests (default 64)
  --seed <n>                   PRNG seed of the strategies (default 1)
  --progress auto|lines|off    live progress line (default auto)
Exit codes: 0 ok, 1 invariant violated or errors above the threshold, 2 bad usage or server unreachable.`;

const thinkPattern = /^(\d+)(?:-(\d+))?$/;

const cliSchema = z.object({
  url: z.string().url().optional(),
  'bot-token': z.string().min(1).optional(),
  tables: z.coerce.number().int().positive().optional(),
  'table-ids': z.string().regex(/^\d+(,\d+)*$/).optional(),
  'players-per-table': z.coerce.number().int().min(2).max(10).optional(),
  'spectators-per-table': z.coerce.number().int().min(0).max(200).optional(),
  duration: z.coerce.number().positive().optional(),
  hands: z.coerce.number().int().positive().optional(),
  warmup: z.coerce.number().min(0).max(600).optional(),
  'think-ms': z.string().regex(thinkPattern, { message: 'expected <min>-<max> in ms' }).optional(),
  strategy: z.enum(STRATEGIES as [StrategyName, ...StrategyName[]]).optional(),
  churn: z.coerce.number().min(0).max(1).optional(),
  'churn-every-ms': z.coerce.number().int().min(200).optional(),
  report: z.string().min(1).optional(),
  'error-threshold': z.coerce.number().int().min(0).optional(),
  'admin-user': z.string().min(1).optional(),
  'admin-password': z.string().min(1).optional(),
  'name-prefix': z.string().regex(/^[A-Za-z0-9]{1,6}$/).optional(),
  'setup-concurrency': z.coerce.number().int().min(1).max(1_000).optional(),
  seed: z.coerce.number().int().optional(),
  progress: z.enum(['auto', 'lines', 'off']).optional(),
  help: z.boolean().optional(),
});

const CLI_STRING_OPTIONS = Object.keys(cliSchema.shape).filter((k) => k !== 'help');

export class UsageError extends Error {}

/** Parses argv (without node and the script); throws UsageError with a readable message. */
export function parseCli(argv: string[], env: Record<string, string | undefined>): BotRunOptions | 'help' {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      options: { ...Object.fromEntries(CLI_STRING_OPTIONS.map((k) => [k, { type: 'string' as const }])), help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const parsed = cliSchema.safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--${issue.path.join('.')}: ${issue.message}`);
  }
  const v = parsed.data;
  if (v.help) return 'help';
  return toOptions(v, env);
}

function toOptions(v: z.infer<typeof cliSchema>, env: Record<string, string | undefined>): BotRunOptions {
  const token = v['bot-token'] ?? env.BOT_TOKEN ?? '';
  if (!token) throw new UsageError('a bot token is needed: --bot-token <token> or env BOT_TOKEN (the server must have BOT_TOKEN set)');
  if ((v['admin-user'] === undefined) !== (v['admin-password'] === undefined)) {
    throw new UsageError('--admin-user and --admin-password go together');
  }
  const think = thinkPattern.exec(v['think-ms'] ?? '0-0')!;
  const thinkMsMin = Number(think[1]);
  const thinkMsMax = think[2] === undefined ? thinkMsMin : Number(think[2]);
  if (thinkMsMax < thinkMsMin) throw new UsageError('--think-ms: max is below min');
  const tableIds = v['table-ids']?.split(',').map(Number);
  return {
    ...DEFAULT_OPTIONS,
    url: (v.url ?? DEFAULT_OPTIONS.url).replace(/\/+$/, ''),
    botToken: token,
    tables: tableIds?.length ?? v.tables ?? DEFAULT_OPTIONS.tables,
    tableIds,
    playersPerTable: v['players-per-table'] ?? DEFAULT_OPTIONS.playersPerTable,
    spectatorsPerTable: v['spectators-per-table'] ?? DEFAULT_OPTIONS.spectatorsPerTable,
    durationS: v.duration ?? (v.hands ? null : DEFAULT_OPTIONS.durationS),
    hands: v.hands ?? null,
    warmupS: v.warmup ?? DEFAULT_OPTIONS.warmupS,
    thinkMsMin,
    thinkMsMax,
    strategy: v.strategy ?? DEFAULT_OPTIONS.strategy,
    churn: v.churn ?? 0,
    churnEveryMs: v['churn-every-ms'] ?? DEFAULT_OPTIONS.churnEveryMs,
    report: v.report ?? null,
    errorThreshold: v['error-threshold'] ?? 0,
    adminUser: v['admin-user'] ?? null,
    adminPassword: v['admin-password'] ?? null,
    namePrefix: v['name-prefix'] ?? DEFAULT_OPTIONS.namePrefix,
    setupConcurrency: v['setup-concurrency'] ?? DEFAULT_OPTIONS.setupConcurrency,
    seed: v.seed ?? DEFAULT_OPTIONS.seed,
    progress: v.progress ?? 'auto',
  };
}
