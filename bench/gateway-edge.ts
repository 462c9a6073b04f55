import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSchema, Kind, parse, type OperationDefinitionNode } from 'graphql';
import { estimateCost } from '../platform/limits/cost.js';
import { LIMITS } from '../platform/limits/settings.js';
import { startGateway } from '../gateway/server.js';
import { loadClientRegistry } from '../gateway/clients/load.js';
import { loadUserVerifier } from '../gateway/user-verifier.js';
import { loadConfig } from '../platform/config/index.js';
import { loadGatewaySigner } from '../platform/identity/service-keys.js';
import { demoPartnerToken, demoSubjects } from '../scripts/demo-tokens.js';
import { SCHEMA_DIR } from '../scripts/compose-lib.js';
import { startStack } from '../scripts/stack.js';

/**
 * What the gateway's protections cost: the median latency of an allowed
 * partner query (a persisted operation, sent by id) through the production
 * gateway with every query limit and the persisted-only safelist, against the
 * same query sent as text to a second gateway with both switched off, over
 * the same subgraphs. Rounds alternate to cancel drift. Rate limits are on
 * (set out of reach) in both. Prints the figures; `npm run bench:edge`
 * (BENCH_REQUESTS per round, default 400; BENCH_ROUNDS, default 3).
 */
const requests = Number(process.env.BENCH_REQUESTS ?? 400);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const dataDir = path.resolve('.data', `bench-edge-${randomBytes(3).toString('hex')}`);
const config = loadConfig({
  ...process.env,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
  CAREFED_PRODUCTION: '1',
  AUDIT_HEAD_INTERVAL: '3600',
  RATE_LIMIT_PER_CLIENT: '100000000',
  RATE_LIMIT_PER_USER: '100000000',
});
const stack = await startStack({ config, seed: true, ephemeralPorts: true });
const manifest = JSON.parse(
  fs.readFileSync(path.join(SCHEMA_DIR, 'operations', 'manifest.json'), 'utf8'),
) as {
  operations: { id: string; name: string; body: string }[];
};
const operation = manifest.operations.find((o) => o.name === 'PartnerPatient')!;
const { verifier, devIssuer } = await loadUserVerifier(config);
const bare = await startGateway({
  port: 0,
  host: '127.0.0.1',
  production: true,
  protections: false,
  supergraphSdl: fs.readFileSync(path.join(SCHEMA_DIR, 'supergraph.graphql'), 'utf8'),
  subgraphUrls: {
    patient: stack.subgraph('patient').url,
    scheduling: stack.subgraph('scheduling').url,
  },
  verifier,
  signer: await loadGatewaySigner(config),
  devIssuer,
  clients: await loadClientRegistry(config),
  log: stack.log,
  rateLimit: { perClient: 100_000_000, perUser: 100_000_000 },
});
try {
  const token = await demoPartnerToken(
    stack.gatewayUrl,
    config.keysDir,
    demoSubjects(stack.seed!).patientId,
  );
  // Sequential requests timed one by one (microsecond clock): the per-request overhead, not throughput.
  const run = async (url: string, body: object) => {
    const payload = JSON.stringify(body);
    const times: number[] = [];
    for (let i = 0; i < requests; i++) {
      const t0 = process.hrtime.bigint();
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: payload,
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return median(times);
  };
  const byId = { extensions: { persistedQuery: { version: 1, sha256Hash: operation.id } } };
  const asText = { query: operation.body };
  await run(stack.gatewayUrl, byId); // warm both up
  await run(bare.url, asText);
  const withProtections: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < rounds; i++) {
    withProtections.push(await run(stack.gatewayUrl, byId));
    without.push(await run(bare.url, asText));
  }
  const a = median(withProtections);
  const b = median(without);
  const ms = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  console.log(
    `Carefed bench: gateway protections, query ${operation.name}, ${rounds} rounds × ${requests} sequential requests`,
  );
  console.log(
    `with limits + persisted-only safelist: median ${a.toFixed(2)} ms (round medians: ${ms(withProtections)})`,
  );
  console.log(
    `without (query text, no limits):       median ${b.toFixed(2)} ms (round medians: ${ms(without)})`,
  );
  // The work the protections add to every request, timed alone: the cost estimate (validation
  // rules run once per distinct document and are cached by Apollo) and the safelist lookup.
  const schema = buildSchema(fs.readFileSync(path.join(SCHEMA_DIR, 'api.graphql'), 'utf8'));
  const doc = parse(operation.body);
  const op = doc.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const byHash = new Map(manifest.operations.map((o) => [o.id, o.body]));
  const n = 20_000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    estimateCost(schema, doc, op, {}, LIMITS);
    byHash.get(operation.id);
  }
  const perRequestUs = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  console.log(
    `protection work per request, timed alone: ${perRequestUs.toFixed(1)} µs = ${((perRequestUs / 1000 / b) * 100).toFixed(2)}% of the median`,
  );
  console.log(
    `end-to-end difference of the medians: ${(((a - b) / b) * 100).toFixed(1)}% (target ≤ 10%; run-to-run noise here is several %)`,
  );
} finally {
  await bare.stop();
  await stack.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
