import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError } from './cli.js';
import { REPO_ROOT } from './data-dir.js';
import { DEFAULT_UNTIL } from './generate.js';

describe('parseCli', () => {
  it('defaults years to 5, the end to 2026-01-01 and the folder to .data/population/<N>-<seed>', () => {
    const o = parseCli(['--patients', '10', '--seed', '3']);
    expect(o).toMatchObject({ patients: 10, seed: 3, years: 5, until: DEFAULT_UNTIL });
    expect(o.out).toBe(path.join(REPO_ROOT, '.data/population/10-3'));
    expect(DEFAULT_UNTIL).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
  });

  it('takes --until, --years and --out', () => {
    const o = parseCli(['--patients=1', '--seed=0', '--years=2', '--until=2024-07-01', '--out=x']);
    expect(o).toMatchObject({ years: 2, until: Date.parse('2024-07-01T00:00:00Z') / 1000 });
    expect(o.out).toBe(path.resolve('x'));
  });

  it.each([
    [[], /--patients is required/],
    [['--patients', '10'], /--seed is required/],
    [['--patients', '0', '--seed', '1'], /--patients must be an integer/],
    [['--patients', '1.5', '--seed', '1'], /--patients must be an integer/],
    [['--patients', '5', '--seed', '-1'], /--seed/],
    [['--patients', '5', '--seed', '1', '--years', 'many'], /--years must be an integer/],
    [['--patients', '5', '--seed', '1', '--until', 'tomorrow'], /--until must be an ISO date/],
    [['--patients', '5', '--seed', '1', '--colour', 'red'], /Unknown option '--colour'/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});

describe('npm run population', () => {
  it('prints the usage and exits 2 on a bad command line', () => {
    const run = spawnSync(
      process.execPath,
      ['--import', '@swc-node/register/esm-register', 'scripts/population.ts', '--patients', 'ten'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--patients must be an integer[\s\S]*Usage: npm run population/);
  });
});
