import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { parse } from 'graphql';
import { loadConfig } from '../../platform/config/index.js';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { BILLING_SDL, billingLoaders, billingResolvers } from './billing.js';
import { callerOf } from './context.js';
import { barePool, schemaCipher } from './db.js';
import { PATIENT_SDL, patientLoaders, patientResolvers } from './patient.js';
import { SCHEDULING_SDL, schedulingLoaders, schedulingResolvers } from './scheduling.js';

/**
 * One bare subgraph in its own process: `node bench/bare/subgraph.ts <name>`
 * with BARE_DATABASE_URL (the `bench_bare` login), BARE_PORT and DATA_DIR
 * (the KEK, to unwrap the patient schema's data keys). Plain @apollo/subgraph,
 * `pg`, DataLoader; no authentication, authorisation, consent or audit.
 */
const name: string = process.argv[2] ?? '';
const url = process.env.BARE_DATABASE_URL;
const port = Number(process.env.BARE_PORT);
if (!url || !port || !name)
  throw new Error('usage: BARE_DATABASE_URL=… BARE_PORT=… subgraph.ts <name>');
const pool = barePool(url);

async function build(): Promise<{ sdl: string; resolvers: unknown; loaders: () => object }> {
  switch (name) {
    case 'patient': {
      const cipher = await schemaCipher(pool, 'patient', loadServiceKeys(loadConfig()).kek);
      return {
        sdl: PATIENT_SDL,
        resolvers: patientResolvers(pool, cipher),
        loaders: () => patientLoaders(pool),
      };
    }
    case 'scheduling':
      return {
        sdl: SCHEDULING_SDL,
        resolvers: schedulingResolvers(pool),
        loaders: () => schedulingLoaders(pool),
      };
    case 'billing':
      return {
        sdl: BILLING_SDL,
        resolvers: billingResolvers(),
        loaders: () => billingLoaders(pool),
      };
    default:
      throw new Error(`No bare subgraph ${name}`);
  }
}

const spec = await build();
const server = new ApolloServer({
  schema: buildSubgraphSchema({
    typeDefs: parse(spec.sdl),
    resolvers: spec.resolvers as GraphQLResolverMap<unknown>,
  }),
  plugins: [ApolloServerPluginInlineTraceDisabled()],
});
const { url: listening } = await startStandaloneServer(server, {
  listen: { port, host: '127.0.0.1' },
  context: ({ req }) => Promise.resolve({ ...callerOf(req.headers), loaders: spec.loaders() }),
});
process.stdout.write(`bare ${name} ${listening}\n`);
const stop = () =>
  void server
    .stop()
    .then(() => pool.end())
    .finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
