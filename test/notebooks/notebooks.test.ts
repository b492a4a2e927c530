/**
 * Executes every notebook in notebooks/ with Debian's jupyter-nbconvert and
 * the tslab kernel of the project's own dev dependency (installed into a
 * temporary prefix): a failing cell, a type error included, fails the test.
 * The notebooks import 'blocktime', i.e. dist/ (npm run build first).
 *
 * They take a minute, so they run in CI (CI=true) or with
 * BLOCKTIME_NOTEBOOKS=1, and are skipped, saying why, elsewhere or where
 * jupyter is absent.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it, expect } from 'vitest';
import { testDir } from '../tmp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const NOTEBOOKS = join(ROOT, 'notebooks');
const JUPYTER = '/usr/bin/jupyter';
// Debian's python, which has jupyter_client, whatever python3 comes first on PATH.
const PYTHON = '/usr/bin/python3';
const TSLAB = join(ROOT, 'node_modules/.bin/tslab');

function skipReason(): string | undefined {
  if (!process.env.CI && !process.env.BLOCKTIME_NOTEBOOKS) return 'set CI=true or BLOCKTIME_NOTEBOOKS=1 to run them (they take a minute)';
  if (!existsSync(`${JUPYTER}-nbconvert`)) return `no ${JUPYTER}-nbconvert (apt-get install jupyter-nbconvert python3-ipykernel)`;
  if (!existsSync(TSLAB)) return 'no node_modules/.bin/tslab (npm ci)';
  if (!existsSync(join(ROOT, 'dist/index.js'))) return "no dist/index.js: the notebooks import 'blocktime' (npm run build)";
  if (!existsSync(join(ROOT, 'node_modules/blocktime'))) return "no node_modules/blocktime link, which tslab's type checker resolves 'blocktime' through (npm ci)";
  return undefined;
}

const reason = skipReason();
if (reason) console.log(`notebooks skipped: ${reason}`);

describe.skipIf(reason !== undefined)('notebooks', () => {
  const notebooks = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb'));

  it('are at least the two the README names, stored with outputs cleared', () => {
    expect(notebooks).toEqual(expect.arrayContaining(['explore-a-trace.ipynb', 'locking-vs-atomic.ipynb']));
    for (const nb of notebooks) {
      const doc = JSON.parse(readFileSync(join(NOTEBOOKS, nb), 'utf8')) as { cells: Array<{ cell_type: string; outputs?: unknown[]; execution_count?: number | null }>; metadata: { kernelspec: { name: string } } };
      expect(doc.metadata.kernelspec.name, nb).toBe('tslab');
      const code = doc.cells.filter((c) => c.cell_type === 'code');
      expect(code.every((c) => c.outputs?.length === 0 && c.execution_count === null), nb).toBe(true);
    }
  });

  it('run top to bottom in the tslab kernel without a failing cell', { timeout: 600_000 }, () => {
    const prefix = testDir('blocktime-jupyter-');
    execFileSync(TSLAB, ['install', `--python=${PYTHON}`, `--binary=${TSLAB}`, `--prefix=${prefix}`], { stdio: 'pipe' });
    const env = { ...process.env, JUPYTER_PATH: join(prefix, 'share/jupyter'), PYDEVD_DISABLE_FILE_VALIDATION: '1' };
    for (const nb of notebooks) {
      try {
        execFileSync(
          JUPYTER,
          ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=600', '--output-dir', prefix, join(NOTEBOOKS, nb)],
          { cwd: NOTEBOOKS, env, stdio: 'pipe' },
        );
      } catch (err) {
        const stderr = String((err as { stderr?: Buffer }).stderr ?? '');
        // nbconvert ends with the failing cell's source and its error: show that, not the Python traceback above it.
        const cell = stderr.slice(stderr.lastIndexOf('An error occurred while executing the following cell'));
        throw new Error(`${nb}: ${cell || stderr.slice(-2000)}`);
      }
    }
  });
});
