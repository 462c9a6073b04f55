import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, isObjectType, isInputObjectType, isEnumType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { composedFiles, SCHEMA_DIR } from '../scripts/compose-lib.js';

/** The committed SDL is the contract between subgraphs, gateway and clients. */
describe('schema artifacts', () => {
  it('schema/ holds exactly what `npm run compose` writes now (run it and commit when this fails)', async () => {
    const files = await composedFiles();
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(SCHEMA_DIR, name);
      expect(fs.existsSync(file), `${name} is missing: run npm run compose`).toBe(true);
      expect(fs.readFileSync(file, 'utf8'), `${name} is stale: run npm run compose`).toBe(text);
    }
  });

  it('every type and field of every subgraph carries a description', async () => {
    const files = await composedFiles();
    const missing: string[] = [];
    for (const [name, sdl] of Object.entries(files)) {
      if (name === 'supergraph.graphql') continue;
      const schema = buildSchema(sdl.replace(/^extend schema @link.*$/m, ''), {
        assumeValidSDL: true,
      });
      for (const type of Object.values(schema.getTypeMap())) {
        if (
          type.name.startsWith('__') ||
          type.name.startsWith('_') ||
          ['Query', 'Mutation'].includes(type.name)
        )
          continue;
        if (!type.astNode) continue;
        if (!type.description) missing.push(type.name);
        if (isObjectType(type) || isInputObjectType(type))
          for (const f of Object.values(type.getFields()))
            if (!f.description) missing.push(`${type.name}.${f.name}`);
        if (isEnumType(type)) continue;
      }
      for (const root of [schema.getQueryType(), schema.getMutationType()])
        for (const f of Object.values(root?.getFields() ?? {}))
          if (!f.name.startsWith('_') && !f.description) missing.push(`${root!.name}.${f.name}`);
    }
    expect(missing).toEqual([]);
  });
});
