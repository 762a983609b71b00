import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The browser tests' client build, made once before any file starts: the files run in parallel,
// and two builds writing client/dist at once would leave a broken bundle. A check of the sources'
// times when nothing changed.
export default function setup(): void {
  execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build-client-if-needed.mjs', import.meta.url))], { stdio: 'inherit' });
}
