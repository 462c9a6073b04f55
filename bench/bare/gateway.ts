import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import { BILLING_SDL } from './billing.js';
import { unverifiedClaims, type BareContext } from './context.js';
import { PATIENT_SDL } from './patient.js';
import { SCHEDULING_SDL } from './scheduling.js';

/**
 * The bare gateway in its own process: `node bench/bare/gateway.ts` with
 * BARE_PORT and BARE_SUBGRAPH_URLS (`patient=http://…,scheduling=…,billing=…`).
 * Plain @apollo/gateway over a supergraph composed in process, subgraph calls
 * over Node's own fetch (as Carefed's gateway). The bearer token's patient and
 * practitioner claims are decoded, not verified, and forwarded as headers.
 */
const port = Number(process.env.BARE_PORT);
const urls = Object.fromEntries(
  (process.env.BARE_SUBGRAPH_URLS ?? '').split(',').map((kv) => kv.split('=') as [string, string]),
);
const sdls: Record<string, string> = {
  patient: PATIENT_SDL,
  scheduling: SCHEDULING_SDL,
  billing: BILLING_SDL,
};
const composed = composeServices(
  Object.entries(sdls).map(([name, sdl]) => ({ name, url: urls[name], typeDefs: parse(sdl) })),
);
if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));

const gateway = new ApolloGateway({
  supergraphSdl: composed.supergraphSdl,
  buildService: ({ url }) =>
    new RemoteGraphQLDataSource<BareContext>({
      url,
      fetcher: fetch,
      willSendRequest({ request, context }) {
        const caller: BareContext = context;
        if (caller.patientId) request.http?.headers.set('x-bare-patient', caller.patientId);
        if (caller.practitionerId)
          request.http?.headers.set('x-bare-practitioner', caller.practitionerId);
      },
    }),
});
const server = new ApolloServer<BareContext>({ gateway });
const { url } = await startStandaloneServer(server, {
  listen: { port, host: '127.0.0.1' },
  context: ({ req }) => Promise.resolve(unverifiedClaims(req.headers.authorization)),
});
process.stdout.write(`bare gateway ${url}\n`);
const stop = () => void server.stop().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
