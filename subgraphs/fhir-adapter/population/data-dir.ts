import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is `subgraphs/fhir-adapter/population/data-dir.ts`). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The shared reference data, `../shared/data` beside the repository root. A
 * git worktree checked out elsewhere has no such sibling, so there the main
 * checkout's sibling is used (its `.git` file names the main repository).
 */
export function sharedDataDir(root: string = REPO_ROOT): string {
  const beside = path.resolve(root, '../shared/data');
  if (fs.existsSync(beside)) return beside;
  const dotGit = path.join(root, '.git');
  if (!fs.existsSync(dotGit) || !fs.statSync(dotGit).isFile()) return beside;
  // `gitdir: <main>/.git/worktrees/<name>`
  const gitdir = /^gitdir: (.+)$/m.exec(fs.readFileSync(dotGit, 'utf8'))?.[1]?.trim();
  return gitdir ? path.resolve(gitdir, '../../../../shared/data') : beside;
}
