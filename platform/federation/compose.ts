import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

/** One subgraph as composition sees it. */
export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

/**
 * Composes the supergraph in process (no rover binary). Throws with every
 * composition error listed when the subgraphs do not compose.
 */
export function composeSupergraph(subgraphs: SubgraphSdl[]): string {
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })),
  );
  if (result.errors?.length || !result.supergraphSdl)
    throw new Error(
      `Supergraph composition failed:\n${(result.errors ?? []).map((e) => `  ${e.message}`).join('\n')}`,
    );
  return result.supergraphSdl;
}
