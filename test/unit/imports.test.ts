import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Boundaries you can see (ARCHITECTURE.md "Dependency direction", STYLE.md 12):
// every import in server/ and client/src/ (static `import ... from`, `export ...
// from`, dynamic `import('...')`, `import('...')` types) is parsed with the
// TypeScript parser and checked against one rule table. The test fails on any
// import cycle between files, on any import a layer may not make, on a Node
// built-in in the isomorphic code or the client, and on a server folder or
// top-level file that has no row in the table (place it, then the test passes).

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Which other layers each layer may import (its own files it always may). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  // Isomorphic: shared with the client, no Node API.
  poker: [],
  protocol: ['poker'],
  // Leaves every server layer may use.
  config: [],
  logger: ['config'],
  'thread-cpu': [],
  'worker-thread-id': [],
  'wall-clock': [],
  metrics: ['thread-cpu'],
  db: ['config'],
  // What crosses the nodes of a cluster: Redis messages, shared rate limits, the front door and launcher.
  cluster: ['protocol', 'db', 'config', 'logger'],
  // Money, then the tables that move it, then the ways in.
  ledger: ['poker', 'protocol', 'db', 'config', 'thread-cpu', 'worker-thread-id', 'wall-clock'],
  auth: ['protocol', 'db', 'config', 'cluster'],
  tables: ['poker', 'protocol', 'ledger', 'db', 'config', 'logger', 'metrics', 'thread-cpu', 'worker-thread-id'],
  realtime: ['poker', 'protocol', 'ledger', 'tables', 'auth', 'cluster', 'db', 'config', 'logger', 'metrics'],
  http: ['poker', 'protocol', 'ledger', 'tables', 'auth', 'cluster', 'db', 'config', 'logger', 'metrics', 'thread-cpu', 'worker-thread-id'],
  // The composition root and the process entry point.
  app: ['poker', 'protocol', 'ledger', 'tables', 'realtime', 'http', 'auth', 'cluster', 'db', 'config', 'logger', 'metrics', 'wall-clock'],
  main: ['app', 'config'],
  // Entry points beside the server: command-line tools and load-test bots (clients of the server).
  cli: ['poker', 'protocol', 'ledger', 'tables', 'http', 'auth', 'db', 'config', 'logger'],
  bots: ['poker', 'protocol', 'ledger', 'db', 'config', 'logger'],
  // The browser app: only the isomorphic engine and protocol.
  client: ['poker', 'protocol'],
};

/** Layers that run in the browser too: no Node built-ins. */
const NO_NODE_BUILTINS = new Set(['poker', 'protocol', 'client']);

/**
 * Violations that existed when this test was written, each to be fixed in its
 * own change (then removed here). Any other violation fails the test.
 * Format: "<importing file> -> <imported file>".
 */
const KNOWN_VIOLATIONS = new Set<string>([]);

/** Generated code (Prisma client) is read as part of its layer but not parsed. */
const NOT_PARSED = ['server/db/generated/'];

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.js'];

// ---- parsing ------------------------------------------------------------------------------

interface ImportRef {
  specifier: string;
  line: number;
}

/** Every module specifier a file names: static imports and re-exports, dynamic imports, import types. */
function importsOf(fileName: string, source: string): ImportRef[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const found: ImportRef[] = [];
  const add = (node: ts.Node, specifier: ts.Node | undefined) => {
    if (specifier && ts.isStringLiteralLike(specifier)) {
      found.push({ specifier: specifier.text, line: file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1 });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

// ---- the graph ----------------------------------------------------------------------------

interface Edge {
  from: string;
  to: string;
  line: number;
}

interface SourceTree {
  files: string[];
  /** Imports that resolve to a file of the tree. */
  edges: Edge[];
  /** Node built-ins, by importing file. */
  builtins: { from: string; specifier: string; line: number }[];
  /** Relative or aliased imports that resolve to no file. */
  unresolved: { from: string; specifier: string; line: number }[];
}

const BUILTINS = new Set(builtinModules);

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(specifier.split('/')[0]!);
}

function listSources(dir: string): string[] {
  if (!existsSync(path.join(ROOT, dir))) return [];
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (NOT_PARSED.some((prefix) => `${rel}/`.startsWith(prefix))) return [];
    if (entry.isDirectory()) return listSources(rel);
    return SOURCE_EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The client's path aliases (@poker, @protocol, ...), read from client/tsconfig.json so they stay in step. */
function clientAliases(): Map<string, string> {
  const tsconfig = ts.readConfigFile(path.join(ROOT, 'client/tsconfig.json'), ts.sys.readFile).config as {
    compilerOptions: { paths: Record<string, string[]> };
  };
  return new Map(
    Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [alias, path.posix.normalize(path.posix.join('client', target!))]),
  );
}

/** TypeScript's resolution: the file, `x.js` naming `x.ts`, a missing extension, a folder's index. */
function resolveFile(candidate: string): string | null {
  const options = [
    candidate,
    candidate.replace(/\.js$/, '.ts'),
    candidate.replace(/\.js$/, '.tsx'),
    candidate.replace(/\.mjs$/, '.mts'),
    ...SOURCE_EXTENSIONS.map((ext) => candidate + ext),
    ...SOURCE_EXTENSIONS.map((ext) => `${candidate}/index${ext}`),
  ];
  return options.find((option) => statSync(path.join(ROOT, option), { throwIfNoEntry: false })?.isFile()) ?? null;
}

function readSourceTree(): SourceTree {
  const aliases = clientAliases();
  const files = [...listSources('server'), ...listSources('client/src')];
  const tree: SourceTree = { files, edges: [], builtins: [], unresolved: [] };
  for (const from of files) {
    for (const { specifier, line } of importsOf(from, readFileSync(path.join(ROOT, from), 'utf8'))) {
      let target: string | null = null;
      if (specifier.startsWith('.')) target = resolveFile(path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier)));
      else if (aliases.has(specifier)) target = resolveFile(aliases.get(specifier)!);
      else {
        if (isBuiltin(specifier)) tree.builtins.push({ from, specifier, line });
        continue; // a package
      }
      if (target === null) tree.unresolved.push({ from, specifier, line });
      else tree.edges.push({ from, to: target, line });
    }
  }
  return tree;
}

// ---- the rules ----------------------------------------------------------------------------

/** server/<folder>/... -> folder; server/<name>.ts -> name; client/src/... -> client; else null. */
function layerOf(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] === 'client' && parts[1] === 'src') return 'client';
  if (parts[0] !== 'server') return null;
  return parts.length === 2 ? parts[1]!.replace(/\.[^.]+$/, '') : parts[1]!;
}

function layerViolations(edges: Edge[], rules: Record<string, readonly string[]>): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === null || b === null || a === b) continue;
    if (!(rules[a] ?? []).includes(b)) out.push(`${from} -> ${to}`);
  }
  return out;
}

/** Every import cycle between files, each as its strongly connected component (Tarjan), sorted. */
function findCycles(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let counter = 0;
  const connect = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = (next.get(v) ?? []).includes(v);
      if (component.length > 1 || selfLoop) cycles.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) connect(f);
  return cycles;
}

// ---- the tests ----------------------------------------------------------------------------

describe('import rules: the checker itself', () => {
  const edge = (from: string, to: string): Edge => ({ from, to, line: 1 });

  it('parses static, re-exported, dynamic and type imports, not strings or comments', () => {
    const source = [
      "import a from './a';",
      "import type { B } from '../b';",
      "export { c } from './c';",
      "export * from './d';",
      "const e = await import('./e');",
      "type F = typeof import('./f');",
      "// import g from './g';",
      "const h = \"import i from './i'\";",
    ].join('\n');
    expect(importsOf('x.ts', source).map((i) => i.specifier)).toEqual(['./a', '../b', './c', './d', './e', './f']);
  });

  it('finds a cycle, however long, and an upward import', () => {
    const files = ['server/poker/a.ts', 'server/poker/b.ts', 'server/poker/c.ts', 'server/tables/t.ts'];
    const edges = [edge(files[0]!, files[1]!), edge(files[1]!, files[2]!), edge(files[2]!, files[0]!), edge(files[0]!, files[3]!)];
    expect(findCycles(files, edges)).toEqual([[files[0], files[1], files[2]]]);
    expect(findCycles(files, edges.slice(0, 2))).toEqual([]);
    expect(layerViolations(edges, MAY_IMPORT)).toEqual(['server/poker/a.ts -> server/tables/t.ts']);
    expect(layerViolations([edge('server/tables/t.ts', 'server/poker/a.ts')], MAY_IMPORT)).toEqual([]);
  });
});

describe('import rules: server/ and client/src/', () => {
  const tree = readSourceTree();

  it('reads the tree and resolves every relative and aliased import', () => {
    expect(tree.files.length).toBeGreaterThan(50);
    expect(tree.files).toContain('client/src/main.tsx');
    expect(tree.edges.some((e) => e.from.startsWith('client/src/') && e.to.startsWith('server/protocol/'))).toBe(true);
    expect(tree.unresolved).toEqual([]);
  });

  it('has a rule for every server folder and top-level file', () => {
    const layers = new Set(tree.files.map(layerOf).filter((l): l is string => l !== null));
    expect([...layers].filter((layer) => !(layer in MAY_IMPORT)).sort()).toEqual([]);
    for (const allowed of Object.values(MAY_IMPORT)) for (const layer of allowed) expect(MAY_IMPORT).toHaveProperty(layer);
  });

  it('has no import cycle between files', () => {
    expect(findCycles(tree.files, tree.edges)).toEqual([]);
  });

  it('imports only downward (poker, protocol <- ledger <- tables <- realtime, http <- app <- main; client -> poker, protocol)', () => {
    const violations = layerViolations(tree.edges, MAY_IMPORT);
    expect(violations.filter((v) => !KNOWN_VIOLATIONS.has(v))).toEqual([]);
    // A fixed violation must leave the allow-list, so it cannot come back unnoticed.
    expect([...KNOWN_VIOLATIONS].filter((v) => !violations.includes(v))).toEqual([]);
  });

  it('imports no Node built-in from the isomorphic engine and protocol, nor from the client', () => {
    const offending = tree.builtins.filter((b) => NO_NODE_BUILTINS.has(layerOf(b.from) ?? '')).map((b) => `${b.from}:${b.line} ${b.specifier}`);
    expect(offending).toEqual([]);
  });
});
