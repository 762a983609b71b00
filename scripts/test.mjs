// `npm test`: the type check, then every test project (unit, integration and,
// when a browser is available, the browser tests). The integration tests use
// TEST_DATABASE_URL when set, else a throw-away embedded PostgreSQL.
import { spawnSync } from 'node:child_process';

function run(label, command, args) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`\n${label} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

const extra = process.argv.slice(2);
run('typecheck', 'npx', ['--no-install', 'tsc', '-p', 'tsconfig.json', '--noEmit']);
run('tests', 'npx', ['--no-install', 'vitest', 'run', ...extra]);
