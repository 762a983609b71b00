import { loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { reconcile, reconcileIncremental, type ReconcileReport } from './reconcile';

// `npm run reconcile`: prints the ledger audit and exits non-zero on any violation.
//   (no flag)          the full check: every entry, every transfer; also re-proves the latest checkpoint
//   --incremental      only what came after the latest checkpoint, then a new checkpoint if clean (hourly)
//   --no-checkpoint    with --incremental: verify only, write nothing
const USAGE = 'usage: npm run reconcile [-- --incremental [--no-checkpoint]]';

const argv = process.argv.slice(2);
const unknown = argv.filter((a) => a !== '--incremental' && a !== '--no-checkpoint');
if (unknown.length > 0 || (argv.includes('--no-checkpoint') && !argv.includes('--incremental'))) {
  console.error(USAGE);
  process.exit(2);
}
const config = loadConfig();
const database = await openDatabase(config, { log: (m) => console.error(m) });
try {
  const report = argv.includes('--incremental')
    ? await reconcileIncremental(database.db, { checkpoint: !argv.includes('--no-checkpoint') })
    : await reconcile(database.db);
  console.log(JSON.stringify(report, null, 2));
  console.log(summary(report));
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await database.close();
}

function summary(report: ReconcileReport): string {
  const scope = report.checkpoint
    ? `entries after #${report.checkpoint.fromEntryId} (${report.checkpoint.entriesRead} read), ` +
      (report.checkpoint.writtenId ? `checkpoint ${report.checkpoint.writtenId} up to entry #${report.checkpoint.toEntryId}` : 'no checkpoint written')
    : `all ${report.entries} entries`;
  const verdict = report.ok ? 'OK, no violations' : `${report.violations.length} violation(s)`;
  return `reconcile (${report.mode}): ${verdict} in ${report.durationMs} ms; ${scope}`;
}
