import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** The committed manifest `npm run codegen` writes. */
export const DEFAULT_MANIFEST_FILE = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'schema',
  'operations',
  'manifest.json',
);

const manifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().regex(/^[0-9a-f]{64}$/),
      name: z.string().min(1),
      type: z.enum(['query', 'mutation', 'subscription']),
      body: z.string().min(1),
    }),
  ),
});

/** One operation of the safelist. */
export type PersistedOperation = z.infer<typeof manifestSchema>['operations'][number];

/** The persisted operations a persisted-only client may run, by id. */
export interface PersistedManifest {
  get(id: string): PersistedOperation | undefined;
  readonly size: number;
}

/**
 * Reads Apollo's persisted-query manifest and checks every id is the SHA-256
 * of its body, so an edited body cannot run under a reviewed id.
 */
export function loadPersistedManifest(file: string = DEFAULT_MANIFEST_FILE): PersistedManifest {
  const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success)
    throw new Error(`${file}: not an Apollo persisted-query manifest (run npm run codegen)`);
  const byId = new Map<string, PersistedOperation>();
  for (const op of parsed.data.operations) {
    if (createHash('sha256').update(op.body).digest('hex') !== op.id)
      throw new Error(`${file}: the id of operation ${op.name} is not the SHA-256 of its body`);
    byId.set(op.id, op);
  }
  return { get: (id) => byId.get(id), size: byId.size };
}
