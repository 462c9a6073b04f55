import DataLoader from 'dataloader';
import type { OpenDataContext } from './context.js';
import { releaseFiles, type ReleaseFiles } from './store/releases.js';

/** Per-request batch loaders: one statement per kind of read, however many releases ask. */
export interface OpenDataLoaders {
  /** A release's CSV and NDJSON by release id (empty strings for an unknown id). */
  releaseFiles: DataLoader<string, ReleaseFiles>;
}

export function createLoaders(ctx: Pick<OpenDataContext, 'em'>): OpenDataLoaders {
  return {
    releaseFiles: new DataLoader(async (ids) => {
      const found = await releaseFiles(ctx.em, ids);
      return ids.map((id) => found.get(id) ?? { csv: '', ndjson: '' });
    }),
  };
}
