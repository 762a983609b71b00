#!/usr/bin/env node
// Compiles the server for `npm start` (docs/decisions/009-compiled-build.md).
// esbuild bundles server/main.ts and every file of this repository it imports
// (the generated Prisma client included) into dist/main.js; packages stay
// imports of node_modules. The equity worker, server/tables/equity-worker.mjs,
// becomes dist/equity-worker.mjs with the engine bundled in, and the ledger
// thread, server/ledger/ledger-worker.mjs, dist/ledger-worker.mjs with the
// ledger and the Prisma client bundled in, and the export thread,
// server/http/export-worker.mjs, dist/export-worker.mjs with the hand history
// bundled in (in development all three load their TypeScript through tsx). The server keeps finding
// client/dist and prisma/migrations because dist/ sits at the repository root.
//
//   node scripts/build-server.mjs              build
//   node scripts/build-server.mjs --if-needed  build unless dist/ was built from the same inputs
//                                  [--quiet]  and say nothing when it was
//
// "The same inputs": a SHA-256 of every file under server/, tsconfig.json,
// package.json and this script, kept in dist/build-info.json. Outputs are
// written to temporary files and renamed, so a server starting meanwhile never
// reads half a file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist');
const infoFile = path.join(outDir, 'build-info.json');
const INPUTS = ['server', 'tsconfig.json', 'package.json', 'scripts/build-server.mjs'];
const OUTPUTS = ['main.js', 'equity-worker.mjs', 'ledger-worker.mjs', 'export-worker.mjs'];
const EQUITY_WORKER = path.join(root, 'server', 'tables', 'equity-worker.mjs');
const LEDGER_WORKER = path.join(root, 'server', 'ledger', 'ledger-worker.mjs');
const EXPORT_WORKER = path.join(root, 'server', 'http', 'export-worker.mjs');

/** Files under rel (or rel itself), sorted, relative to the repository root. */
function filesUnder(rel) {
  const abs = path.join(root, rel);
  if (!existsSync(abs)) return [];
  if (!statSync(abs).isDirectory()) return [rel];
  return readdirSync(abs)
    .sort()
    .flatMap((entry) => filesUnder(path.join(rel, entry)));
}

export function inputsHash() {
  const hash = createHash('sha256');
  for (const rel of INPUTS.flatMap(filesUnder)) {
    hash.update(`${rel.split(path.sep).join('/')}\0`);
    hash.update(readFileSync(path.join(root, rel)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function serverBuildIsStale() {
  if (OUTPUTS.some((name) => !existsSync(path.join(outDir, name)))) return true;
  try {
    return JSON.parse(readFileSync(infoFile, 'utf8')).inputsHash !== inputsHash();
  } catch {
    return true;
  }
}

/**
 * A worker's one tsImport resolved at build time, so the compiled worker needs
 * no tsx: `source` (the worker's .mjs) may import only `specifier`.
 */
function tsImportBundled(name, source, specifier) {
  return {
    name,
    setup(build) {
      build.onResolve({ filter: /^tsx\/esm\/api$/ }, (args) =>
        args.importer === source ? { path: 'tsx-esm-api', namespace: name } : undefined,
      );
      build.onLoad({ filter: /.*/, namespace: name }, () => ({
        resolveDir: path.dirname(source),
        loader: 'js',
        contents: [
          `import * as bundled from '${specifier}';`,
          'export async function tsImport(wanted) {',
          `  if (wanted === '${specifier}') return bundled;`,
          `  throw new Error(\`the compiled ${name} bundles only ${specifier}, not \${wanted}\`);`,
          '}',
        ].join('\n'),
      }));
    },
  };
}

/** Package name of a bare import ("@scope/name/sub" -> "@scope/name"), or null for a Node built-in. */
function packageOf(specifier) {
  if (specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * The image runs `npm prune --omit=dev`, and the server must not run through
 * tsx: fail the build if the bundle imports tsx or a devDependency.
 */
function checkExternalImports(metafile) {
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const forbidden = new Set(['tsx', ...Object.keys(manifest.devDependencies ?? {})]);
  const problems = [];
  for (const [output, { imports }] of Object.entries(metafile.outputs)) {
    for (const { path: specifier, external } of imports) {
      const name = external ? packageOf(specifier) : null;
      if (name && forbidden.has(name)) problems.push(`${output} imports ${specifier}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`the compiled server may import only production dependencies, not tsx:\n  ${problems.join('\n  ')}`);
  }
}

export async function buildServer() {
  const started = Date.now();
  const hash = inputsHash();
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    write: false,
    outdir: outDir,
    absWorkingDir: root,
    logLevel: 'warning',
  };
  const results = await Promise.all([
    esbuild.build({ ...common, entryPoints: { main: 'server/main.ts' } }),
    esbuild.build({ ...common, entryPoints: { 'equity-worker': 'server/tables/equity-worker.mjs' }, outExtension: { '.js': '.mjs' }, plugins: [tsImportBundled('equity-worker', EQUITY_WORKER, '../poker/equity.ts')] }),
    esbuild.build({ ...common, entryPoints: { 'ledger-worker': 'server/ledger/ledger-worker.mjs' }, outExtension: { '.js': '.mjs' }, plugins: [tsImportBundled('ledger-worker', LEDGER_WORKER, './worker-host.ts')] }),
    esbuild.build({ ...common, entryPoints: { 'export-worker': 'server/http/export-worker.mjs' }, outExtension: { '.js': '.mjs' }, plugins: [tsImportBundled('export-worker', EXPORT_WORKER, './hand-history.ts')] }),
  ]);
  for (const result of results) checkExternalImports(result.metafile);
  mkdirSync(outDir, { recursive: true });
  for (const file of results.flatMap((result) => result.outputFiles)) writeAtomically(file.path, file.contents);
  writeAtomically(infoFile, `${JSON.stringify({ inputsHash: hash, builtAt: new Date().toISOString() }, null, 2)}\n`);
  console.log(`server built into dist/ in ${Date.now() - started} ms`);
}

function writeAtomically(file, contents) {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

export async function buildServerIfNeeded({ quiet = false } = {}) {
  if (!serverBuildIsStale()) {
    if (!quiet) console.log('server build is up to date');
    return;
  }
  await buildServer();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ifNeeded = process.argv.includes('--if-needed');
  const quiet = process.argv.includes('--quiet');
  (ifNeeded ? buildServerIfNeeded({ quiet }) : buildServer()).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
