import 'reflect-metadata';
import autocannon from 'autocannon';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import { demoSubjects } from '../scripts/demo-tokens.js';
import { startBenchStack } from './in-process.js';

/**
 * CPU per request of the whole in-process stack (gateway and every subgraph;
 * PostgreSQL runs apart and is not counted) under 10 connections, for a
 * one-subgraph read and the three-subgraph patient `me` query. Prints req/s,
 * p50/p99 and CPU ms per request. `npm run bench:cpu`; BENCH_SECONDS (default 10).
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const bench = await startBenchStack();
try {
  const { stack } = bench;
  const { practitionerId, patientId } = demoSubjects(stack.seed!);
  const clinician = await stack.devIssuer!.sign(devPrincipal('clinician', { practitionerId }));
  const patient = await stack.devIssuer!.sign(devPrincipal('patient', { patientId }));
  const cases: [string, string, string][] = [
    [
      'clinician patient(id)',
      clinician,
      `{ patient(id: "${patientId}") { id name { text } birthDate telecom { value } } }`,
    ],
    [
      'patient me, appointments, balance',
      patient,
      '{ me { patient { id appointments(first: 10) { edges { node { localStart status practitioner { name { text } } } } } balance { formatted } } } }',
    ],
  ];
  console.log(`CPU per request, in-process stack, ${seconds} s each, 10 connections`);
  for (const [name, token, query] of cases) {
    const first = (await bench.post(token, query)) as { errors?: unknown };
    if (first.errors) throw new Error(`${name}: ${JSON.stringify(first.errors)}`);
    const cpu = process.cpuUsage();
    const r = await autocannon({
      url: stack.gatewayUrl,
      method: 'POST',
      connections: 10,
      duration: seconds,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    const used = process.cpuUsage(cpu);
    const perRequest = (used.user + used.system) / 1000 / Math.max(1, r.requests.total);
    console.log(
      `${name.padEnd(36)} ${String(Math.round(r.requests.average)).padStart(5)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non-2xx ${r.non2xx}  CPU ${perRequest.toFixed(2)} ms/request`,
    );
  }
} finally {
  await bench.stop();
}
