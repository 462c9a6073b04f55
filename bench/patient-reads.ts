import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../platform/config/index.js';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import { demoSubjects } from '../scripts/demo-tokens.js';
import { startStack } from '../scripts/stack.js';

/**
 * Patient reads through the gateway on the embedded database (or
 * DATABASE_URL): latency and throughput of `patient(id)` and of
 * `patients(first: 50)` with care teams, and the SQL statements each costs.
 * Prints its figures; `npm run bench` runs it. Each request also appends
 * audit entries, so these are figures for audited reads.
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
// A data directory of its own (removed afterwards) unless DATA_DIR says otherwise.
const ownDataDir = process.env.DATA_DIR
  ? undefined
  : path.resolve('.data', `bench-${randomBytes(3).toString('hex')}`);
const config = loadConfig({
  ...process.env,
  DATA_DIR: process.env.DATA_DIR ?? ownDataDir,
  LOG_LEVEL: 'silent',
  AUDIT_HEAD_INTERVAL: '3600',
  // Rate limits stay on (checked on every request) but out of reach of one benchmarking token.
  RATE_LIMIT_PER_CLIENT: '1000000000',
  RATE_LIMIT_PER_USER: '1000000000',
});
const stack = await startStack({ config, seed: true, ephemeralPorts: true });
try {
  const { practitionerId, patientId } = demoSubjects(stack.seed!);
  const admin = await stack.devIssuer!.sign(devPrincipal('admin'));
  const clinician = await stack.devIssuer!.sign(devPrincipal('clinician', { practitionerId }));
  // 50 patients on the clinician's care team, so the list really holds 50.
  for (let i = 0; i < 50; i++) {
    const res = await post(
      admin,
      `mutation { createPatient(input: { mrn: "BENCH-${i}", name: { family: "Bench", given: ["P${i}"] }, birthDate: "1970-01-01", gender: other }) { id } }`,
    );
    const id = (res as { data: { createPatient: { id: string } } }).data.createPatient.id;
    await post(
      admin,
      `mutation { addCareTeamMember(patientId: "${id}", practitionerId: "${practitionerId}", role: "primary-care") { id } }`,
    );
  }
  const cases = {
    'patient(id)': `{ patient(id: "${patientId}") { id name { text } birthDate telecom { value } } }`,
    'patients(first: 50) with care teams':
      '{ patients(first: 50) { edges { node { id name { text } careTeam { practitionerId } } } } }',
  };
  console.log(
    `Carefed bench: audited patient reads through the gateway, ${seconds} s each, 10 connections`,
  );
  for (const [name, query] of Object.entries(cases)) {
    const before = await statements();
    await post(clinician, query);
    const perQuery = (await statements()) - before;
    const r = await autocannon({
      url: stack.gatewayUrl,
      method: 'POST',
      connections: 10,
      duration: seconds,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clinician}` },
      body: JSON.stringify({ query }),
    });
    console.log(
      `${name.padEnd(38)} ${String(Math.round(r.requests.average)).padStart(6)} req/s  p50 ${r.latency.p50} ms  p97.5 ${r.latency.p97_5} ms  p99 ${r.latency.p99} ms  non-2xx ${r.non2xx}  SQL statements/query ${perQuery}`,
    );
  }
} finally {
  await stack.stop();
  if (ownDataDir) fs.rmSync(ownDataDir, { recursive: true, force: true });
}

async function post(token: string, query: string): Promise<unknown> {
  const res = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  });
  return res.json();
}

async function statements(): Promise<number> {
  const { values } = await stack.subgraph('patient').metrics.dbStatements.get();
  return values[0]?.value ?? NaN;
}
