import type { ApolloServerOptions, BaseContext } from '@apollo/server';
import type { DocumentNode } from 'graphql';
import { BoundedLru } from './lru.js';

/** Apollo Server's parsed-and-validated document cache. */
export type DocumentStore = NonNullable<ApolloServerOptions<BaseContext>['documentStore']>;
/** Apollo Server's key-value cache (automatic persisted queries among its users). */
export type StringCache = Exclude<ApolloServerOptions<BaseContext>['cache'], 'bounded' | undefined>;

/**
 * The bounds of the caches Apollo keeps per server (docs/performance.md,
 * "Caches and their bounds"). A parsed document takes about 90 bytes of heap
 * per character of its source (measured), so 200,000 characters of documents
 * hold about 18 MB.
 */
export const APOLLO_CACHE_BOUNDS = {
  /** Parsed documents: entries, and characters of their source text. */
  documents: { entries: 2_000, characters: 200_000 },
  /** Automatic persisted queries (gateway): entries, and characters of query text. */
  persistedQueries: { entries: 2_000, characters: 1_000_000 },
  /** The gateway's query plans, in Apollo's approximate MiB (its default is 30). */
  queryPlanMiB: 4,
} as const;

/** Characters of the source a document was parsed from. */
const sourceLength = (doc: DocumentNode): number => doc.loc?.source.body.length ?? 1_000;

/**
 * A document store bounded by entries and source characters (Apollo's default is
 * bounded by an approximate 30 MiB, computed by serialising every document it keeps).
 */
export function boundedDocumentStore(
  bounds: { entries: number; characters: number } = APOLLO_CACHE_BOUNDS.documents,
): DocumentStore {
  const lru = new BoundedLru<string, DocumentNode>(bounds.entries, {
    maxWeight: bounds.characters,
    weigh: sourceLength,
  });
  return {
    get: (key) => Promise.resolve(lru.get(key)),
    set: (key, value) => Promise.resolve(lru.set(key, value)),
    delete: (key) => Promise.resolve(lru.delete(key)),
  };
}

/** A string cache bounded by entries and characters, honouring per-entry TTLs (seconds). */
export function boundedStringCache(
  bounds: { entries: number; characters: number } = APOLLO_CACHE_BOUNDS.persistedQueries,
): StringCache {
  const lru = new BoundedLru<string, string>(bounds.entries, {
    maxWeight: bounds.characters,
    weigh: (v) => v.length,
  });
  return {
    get: (key) => Promise.resolve(lru.get(key)),
    set: (key, value, options) =>
      Promise.resolve(
        lru.set(key, value, options?.ttl ? Date.now() + options.ttl * 1000 : Infinity),
      ),
    delete: (key) => Promise.resolve(lru.delete(key)),
  };
}
