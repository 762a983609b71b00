#!/usr/bin/env node
// Builds the React client (npm run build:client) when client/dist/index.html is
// missing or older than any client source (or the engine/protocol it imports).
// Used by `prestart` and by the e2e tests' global setup.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'client', 'dist', 'index.html');
const sources = ['client/src', 'client/index.html', 'client/vite.config.ts', 'client/tsconfig.json', 'server/poker', 'server/protocol'];

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function clientBuildIsStale() {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return sources.some((s) => newestMtime(path.join(root, s)) > built);
}

export function buildClientIfNeeded({ quiet = false } = {}) {
  if (!clientBuildIsStale()) {
    if (!quiet) console.log('client build is up to date');
    return;
  }
  console.log('building the client (npm run build:client)…');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`client build failed (exit ${result.status})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    buildClientIfNeeded();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
