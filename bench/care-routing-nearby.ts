import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../platform/config/index.js';
import { INTERNAL_TOKEN_HEADER } from '../platform/federation/subgraph-server.js';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import { InternalTokenSigner } from '../platform/identity/internal-token.js';
import { startStack } from '../scripts/stack.js';
import {
  bruteNearby,
  readScanFacilities,
  type ScanFacility,
} from '../subgraphs/care-routing/store/nearby-testing.js';

/**
 * Nearby-search latency, one request at a time, for the same random points
 * (seeded) over the whole directory (about 16,700 facilities): (a) at the
 * care-routing subgraph, over HTTP with a gateway-signed internal token per
 * request as the gateway sends it; (b) through the gateway with a user
 * token; (c) a brute-force scan in memory (haversine to every facility,
 * filter, sort). Two searches: the nearest 20, and the nearest 20 within
 * 50 km. Prints p50/p99 ms per case and path.
 *
 * The whole stack runs in this process (scripts/stack.ts) on the embedded
 * database (or DATABASE_URL), seeded with the whole directory
 * (SEED_FACILITIES=all unless set otherwise); the scan holds what the seed
 * imported, read back from the tables. BENCH_NEARBY (default 400) requests
 * per case and path, after 50 to warm up. `npm run bench:care-routing-nearby`.
 */
const n = Number(process.env.BENCH_NEARBY ?? 400);
const ownDataDir = process.env.DATA_DIR
  ? undefined
  : path.resolve('.data', `bench-nearby-${randomBytes(3).toString('hex')}`);
const config = loadConfig({
  ...process.env,
  DATA_DIR: process.env.DATA_DIR ?? ownDataDir,
  SEED_FACILITIES: process.env.SEED_FACILITIES ?? 'all',
  LOG_LEVEL: 'silent',
  AUDIT_HEAD_INTERVAL: '3600',
  RATE_LIMIT_PER_CLIENT: '1000000000',
  RATE_LIMIT_PER_USER: '1000000000',
});

const QUERY = /* GraphQL */ `
  query ($lat: Float!, $lon: Float!, $r: Float) {
    nearbyFacilities(near: { latitude: $lat, longitude: $lon }, radiusKm: $r, first: 20) {
      edges {
        node {
          distanceKm
          facility {
            id
            name
            kind
            services
          }
        }
      }
    }
  }
`;

/** Seeded points: three in four over the lower 48, one in four near a facility (dense areas). */
function points(
  facilities: readonly ScanFacility[],
  count: number,
): { lat: number; lon: number }[] {
  let s = 20261215;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
  return Array.from({ length: count }, () => {
    if (rand() < 0.25) {
      const f = facilities[Math.floor(rand() * facilities.length)]!;
      return { lat: f.lat + (rand() - 0.5) * 0.1, lon: f.lon + (rand() - 0.5) * 0.1 };
    }
    return { lat: 25 + rand() * 24, lon: -124 + rand() * 57 };
  });
}

/** The directory as seeded, read back for the scan; an empty one is an error (the seed did not run). */
async function directory(adminUrl: string): Promise<ScanFacility[]> {
  const db = new pg.Client(adminUrl);
  await db.connect();
  try {
    const facilities = await readScanFacilities(db);
    if (facilities.length === 0)
      throw new Error('routing.facility is empty: the seed imported nothing');
    return facilities;
  } finally {
    await db.end();
  }
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const stack = await startStack({ config, seed: true, ephemeralPorts: true });
try {
  const facilities = await directory(stack.adminUrl);
  const signer = await InternalTokenSigner.load(config.keysDir);
  const principal = devPrincipal('clinician', { sub: 'bench-nearby' });
  const userToken = await stack.devIssuer!.sign(principal);
  const subgraphUrl = stack.subgraph('care-routing').url;

  const post = async (url: string, headers: Record<string, string>, body: string) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const json = (await res.json()) as {
      errors?: unknown;
      data?: { nearbyFacilities: { edges: unknown[] } };
    };
    if (json.errors || !json.data)
      throw new Error(`nearby search failed: ${JSON.stringify(json.errors)}`);
    return json.data.nearbyFacilities.edges.length;
  };
  const paths: Record<string, (vars: object) => Promise<number>> = {
    subgraph: (variables) => {
      const token = signer.signNow(principal, {
        requestId: randomUUID(),
        subgraph: 'care-routing',
        operation: { query: QUERY, variables: variables },
      });
      return post(
        subgraphUrl,
        { [INTERNAL_TOKEN_HEADER]: token },
        JSON.stringify({ query: QUERY, variables }),
      );
    },
    gateway: (variables) =>
      post(
        stack.gatewayUrl,
        { authorization: `Bearer ${userToken}` },
        JSON.stringify({ query: QUERY, variables }),
      ),
  };
  const cases: [string, number | undefined][] = [
    ['nearest 20', undefined],
    ['nearest 20 within 50 km', 50],
  ];
  const scan = (vars: { lat: number; lon: number; r?: number }) => {
    const hits = bruteNearby(facilities, vars, vars.r === undefined ? {} : { radiusKm: vars.r });
    return Promise.resolve(hits.slice(0, 20).length);
  };
  const all: Record<string, (vars: { lat: number; lon: number; r?: number }) => Promise<number>> = {
    ...paths,
    'in-memory scan': scan,
  };
  const pts = points(facilities, n + 50);
  const rows: string[][] = [];
  for (const [name, r] of cases) {
    // Interleaved per point (subgraph, gateway, scan): each path sees the same load and
    // no connection sits idle long enough for its keep-alive to lapse mid-run.
    const times = new Map<string, number[]>(Object.keys(all).map((k) => [k, []]));
    for (let i = 0; i < pts.length; i++) {
      const { lat, lon } = pts[i]!;
      for (const [label, call] of Object.entries(all)) {
        const started = performance.now();
        await call({ lat, lon, r }).catch((err: Error) => {
          throw new Error(`${label} request ${i} (${lat}, ${lon}, ${r}) failed`, { cause: err });
        });
        if (i >= 50) times.get(label)!.push(performance.now() - started);
      }
    }
    for (const [label, t] of times)
      rows.push([name, label, quantile(t, 0.5).toFixed(2), quantile(t, 0.99).toFixed(2)]);
  }
  const header = ['search', 'path', 'p50 ms', 'p99 ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(
    `Nearby search, ${facilities.length} facilities (SEED_FACILITIES=${config.SEED_FACILITIES}), ${n} sequential requests per row, 50 warm-up`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
} finally {
  await stack.stop();
  if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
}
