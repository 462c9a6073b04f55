import fs from 'node:fs';
import path from 'node:path';
import { readNdjson } from '../../../platform/data/ndjson.js';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * The shared reference data (`../shared/data` beside the project root): the
 * project's own `data/synthea` holds only the files the demo seed needs. A
 * linked git worktree lives elsewhere, so its main checkout's sibling is
 * tried too; no data found is an error, never a skipped test.
 */
export function sharedDataDir(): string {
  const roots = [PROJECT_ROOT, mainWorktreeRoot(PROJECT_ROOT)].filter((r) => r !== null);
  const candidates = roots.map((r) => path.join(r, '..', 'shared', 'data'));
  const found = candidates.find((dir) =>
    fs.existsSync(path.join(dir, 'synthea', 'Condition.000.ndjson')),
  );
  if (!found) throw new Error(`Shared data not found; looked in ${candidates.join(', ')}`);
  return found;
}

/** The full Synthea export, every resource type. */
export function syntheaDir(): string {
  return path.join(sharedDataDir(), 'synthea');
}

/** The resources of one Synthea file (`Condition`, `Encounter`...). */
export function readSynthea<T = Record<string, unknown>>(resourceType: string): T[] {
  return readNdjson<T>(path.join(syntheaDir(), `${resourceType}.000.ndjson`));
}

/** A linked worktree's `.git` is a file naming `<main>/.git/worktrees/<name>`. */
function mainWorktreeRoot(root: string): string | null {
  const dotGit = path.join(root, '.git');
  if (!fs.existsSync(dotGit) || !fs.statSync(dotGit).isFile()) return null;
  const m = /^gitdir:\s*(.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'));
  return m?.[1] ? path.resolve(m[1].trim(), '..', '..', '..') : null;
}
