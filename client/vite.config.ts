import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

// The client imports the isomorphic engine and protocol straight from ../server
// (plain TypeScript) and nothing else from the server. A production build first
// type-checks the client with its own tsconfig, so `npm run build:client` fails
// on a type error instead of shipping it.

const clientDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.resolve(clientDir, '..');
const serverTarget = process.env.POKER_SERVER_URL ?? 'http://127.0.0.1:3000';

function typeCheck(): Plugin {
  return {
    name: 'poker-client-typecheck',
    apply: 'build',
    buildStart() {
      if (process.env.SKIP_CLIENT_TYPECHECK === '1') return;
      const tsc = path.join(rootDir, 'node_modules', 'typescript', 'bin', 'tsc');
      try {
        execFileSync(process.execPath, [tsc, '-p', path.join(clientDir, 'tsconfig.json'), '--noEmit'], { stdio: 'pipe' });
      } catch (error) {
        const out = error as { stdout?: Buffer; stderr?: Buffer };
        this.error(`client type check failed:\n${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`);
      }
    },
  };
}

export default defineConfig({
  root: clientDir,
  plugins: [typeCheck(), react()],
  resolve: {
    alias: {
      '@poker/fairness': path.join(rootDir, 'server/poker/fairness.ts'),
      '@poker': path.join(rootDir, 'server/poker/index.ts'),
      '@protocol': path.join(rootDir, 'server/protocol/index.ts'),
    },
  },
  server: {
    fs: { allow: [rootDir] },
    proxy: {
      '/api': { target: serverTarget, changeOrigin: false },
      '/socket.io': { target: serverTarget, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: path.join(clientDir, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1_000,
  },
});
