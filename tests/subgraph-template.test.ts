import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SUBGRAPHS } from '../subgraphs/registry.js';
import { ACCESS_FACT_CONSUMERS } from '../subgraphs/subscriptions.js';

/**
 * Every subgraph folder has the template's shape (subgraphs/README.md), is
 * defined once by its spec in the registry, and reaches other subgraphs only
 * through federation, events and the shared contracts: never by importing
 * another subgraph's folder.
 */
const root = path.resolve(import.meta.dirname, '..');
const folder = (name: string) => path.join(root, 'subgraphs', name);

const TEMPLATE = [
  'README.md',
  'spec.ts',
  'server.ts',
  'schema.ts',
  'context.ts',
  'permissions.ts',
  'access.ts',
  'loaders.ts',
  'events.ts',
  'encrypted-columns.ts',
  'seed.ts',
  'entities',
  'migrations',
  'resolvers',
  'store',
];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('the subgraph template', () => {
  it('every registered subgraph has the template’s files, and every folder is registered', () => {
    for (const s of SUBGRAPHS)
      for (const f of TEMPLATE)
        expect(fs.existsSync(path.join(folder(s.name), f)), `${s.name}/${f}`).toBe(true);
    const folders = fs
      .readdirSync(path.join(root, 'subgraphs'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && e.name !== 'contracts')
      .map((e) => e.name)
      .sort();
    expect(folders).toEqual(SUBGRAPHS.map((s) => s.name).sort());
  });

  it('names, schemas and ports are unique', () => {
    for (const key of ['name', 'schema', 'portOffset'] as const)
      expect(new Set(SUBGRAPHS.map((s) => s[key])).size, key).toBe(SUBGRAPHS.length);
  });

  it('every subgraph that keeps access-fact projections is subscribed to them, and only those', () => {
    const projected = SUBGRAPHS.filter((s) => s.accessFacts === 'projection').map(
      (s) => `${s.name}:access-facts`,
    );
    expect([...ACCESS_FACT_CONSUMERS].sort()).toEqual(projected.sort());
    expect(SUBGRAPHS.filter((s) => s.accessFacts === 'source')).toHaveLength(1);
  });

  it('no subgraph imports another subgraph’s folder', () => {
    const names = SUBGRAPHS.map((s) => s.name);
    for (const s of SUBGRAPHS)
      for (const file of sources(folder(s.name))) {
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/from '([^']+)'/g)) {
          const target = path.resolve(path.dirname(file), m[1]!);
          const rel = path.relative(path.join(root, 'subgraphs'), target);
          const top = rel.split(path.sep)[0]!;
          if (names.includes(top))
            expect(top, `${path.relative(root, file)} imports ${m[1]}`).toBe(s.name);
        }
      }
  });
});
