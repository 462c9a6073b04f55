import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ApolloGateway } from '@apollo/gateway';
import { generate } from '@graphql-codegen/cli';
import { generatePersistedQueryManifest } from '@apollo/generate-persisted-query-manifest';
import type * as GraphQL from 'graphql';
import codegenConfig, { codegenInputs } from '../codegen.js';

// The gateway is CommonJS and builds its schema with graphql's CommonJS build; printing it with
// the ESM build (which bundlers such as vitest pick) fails graphql's one-instance check.
const { printSchema } = createRequire(import.meta.url)('graphql') as typeof GraphQL;

/** The project root: every path in codegen.ts is relative to it. */
export const ROOT = path.resolve(import.meta.dirname, '..');

/**
 * The API schema clients see: what the gateway itself derives from the
 * supergraph (join directives and federation types removed), printed.
 */
export async function apiSchemaSdl(supergraphSdl: string): Promise<string> {
  const gateway = new ApolloGateway({ supergraphSdl });
  try {
    const { schema } = await gateway.load();
    return `${printSchema(schema).trim()}\n`;
  } finally {
    await gateway.stop();
  }
}

/**
 * The persisted-operation manifest in Apollo's format, built by Apollo's own
 * generator: each body is what Apollo Client prints for the operation
 * (`__typename` added, fragments appended, top-level definitions sorted), and
 * each id is the SHA-256 of that body.
 */
async function persistedManifest(): Promise<string> {
  const manifest = await generatePersistedQueryManifest(
    { documents: [path.join(ROOT, codegenInputs.documents)] },
    path.join(ROOT, 'codegen.ts'),
  );
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

/**
 * Everything `npm run codegen` writes, by path relative to the project root:
 * the API schema, the typed documents and the manifest. Nothing is written.
 */
export async function codegenOutputs(): Promise<Record<string, string>> {
  const supergraph = await fs.readFile(path.join(ROOT, codegenInputs.supergraph), 'utf8');
  const api = await apiSchemaSdl(supergraph);
  // The schema is handed over as SDL, so the outputs never depend on a stale api.graphql.
  const generated = (await generate(
    { ...codegenConfig, schema: api, cwd: ROOT, silent: true },
    false,
  )) as { filename: string; content: string }[];
  const files: Record<string, string> = { [codegenInputs.apiSchema]: api };
  for (const out of generated)
    files[path.relative(ROOT, path.resolve(ROOT, out.filename))] = out.content;
  files[codegenInputs.manifest] = await persistedManifest();
  return files;
}

/** Writes every output; returns the paths written. */
export async function writeCodegenOutputs(): Promise<string[]> {
  const files = await codegenOutputs();
  await Promise.all(
    Object.entries(files).map(async ([rel, text]) => {
      const file = path.join(ROOT, rel);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
    }),
  );
  return Object.keys(files).sort();
}
