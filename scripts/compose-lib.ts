import fs from 'node:fs/promises';
import path from 'node:path';
import { composeSupergraph } from '../platform/federation/compose.js';
import { SUBGRAPHS, composedUrl } from '../subgraphs/registry.js';

/** Where the committed SDL lives. */
export const SCHEMA_DIR = path.resolve(import.meta.dirname, '..', 'schema');

/** Each subgraph's SDL and the supergraph, as `npm run compose` writes them. */
export async function composedFiles(): Promise<Record<string, string>> {
  const subgraphs = await Promise.all(
    SUBGRAPHS.map(async (s) => ({
      name: s.name,
      url: composedUrl(s),
      sdl: (await s.buildSchema()).sdl,
    })),
  );
  const files: Record<string, string> = {};
  for (const s of subgraphs) files[`${s.name}.graphql`] = `${s.sdl.trim()}\n`;
  files['supergraph.graphql'] = `${composeSupergraph(subgraphs).trim()}\n`;
  return files;
}

/** Writes the files under schema/; returns their paths. */
export async function writeComposedSchema(): Promise<string[]> {
  const files = await composedFiles();
  await fs.mkdir(SCHEMA_DIR, { recursive: true });
  return Promise.all(
    Object.entries(files).map(async ([name, text]) => {
      const file = path.join(SCHEMA_DIR, name);
      await fs.writeFile(file, text);
      return path.relative(process.cwd(), file);
    }),
  );
}
