import { loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { reconcile } from './reconcile';

// `npm run reconcile`: prints the ledger audit and exits non-zero on any violation.
const config = loadConfig();
const database = await openDatabase(config, { log: (m) => console.error(m) });
try {
  const report = await reconcile(database.db);
  console.log(JSON.stringify(report, null, 2));
  console.log(report.ok ? 'reconcile: OK, no violations' : `reconcile: ${report.violations.length} violation(s)`);
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await database.close();
}
