import 'reflect-metadata';
import { devPrincipal } from '../platform/identity/dev-issuer.js';
import { demoSubjects } from '../scripts/demo-tokens.js';
import { startBenchStack } from './in-process.js';

/**
 * Memory soak: sends a new operation text on every request (so every parsed
 * document and query plan is new) for SOAK_SECONDS (default 600) against the
 * in-process stack, and prints RSS and heap at start, every minute and at the
 * end. Fails (exit 1) when the heap, after a full GC, grows past the bound
 * SOAK_HEAP_BOUND_MB (default 256) above its start: what every bounded cache
 * (docs/performance.md, "Caches and their bounds") may hold together.
 * `npm run bench:soak` (runs node with --expose-gc).
 */
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const boundMb = Number(process.env.SOAK_HEAP_BOUND_MB ?? 256);
const connections = Number(process.env.SOAK_CONNECTIONS ?? 4);
const MB = 1024 * 1024;

const bench = await startBenchStack();
let failed = false;
try {
  const { stack } = bench;
  const { practitionerId, patientId } = demoSubjects(stack.seed!);
  const clinician = await stack.devIssuer!.sign(devPrincipal('clinician', { practitionerId }));
  const patient = await stack.devIssuer!.sign(devPrincipal('patient', { patientId }));
  /** The n-th distinct operation: new alias and operation names, alternating one and three subgraphs. */
  const operation = (n: number): [string, string] =>
    n % 2 === 0
      ? [
          clinician,
          `query Soak${n} { p${n}: patient(id: "${patientId}") { id name { text } birthDate } }`,
        ]
      : [
          patient,
          `query Soak${n} { m${n}: me { patient { id appointments(first: 3) { edges { node { localStart status } } } balance { formatted } } } }`,
        ];

  const sample = (label: string, requests: number, errors: number) => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    console.log(
      `${label.padEnd(8)} requests ${String(requests).padStart(7)}  errors ${errors}  rss ${(m.rss / MB).toFixed(0)} MB  heap used ${(m.heapUsed / MB).toFixed(0)} MB  heap total ${(m.heapTotal / MB).toFixed(0)} MB`,
    );
    return m.heapUsed;
  };
  console.log(
    `Soak: ${seconds} s of distinct operations, ${connections} at a time, gateway and subgraphs in this one process; bound: heap used (after GC) at most start + ${boundMb} MB${(globalThis as { gc?: unknown }).gc ? '' : ' (no --expose-gc: figures include garbage)'}`,
  );
  let sent = 0;
  let errors = 0;
  const start = sample('start', 0, 0);
  const ends = Date.now() + seconds * 1000;
  let nextMinute = Date.now() + 60_000;
  let minute = 0;
  const worker = async () => {
    while (Date.now() < ends) {
      const [token, query] = operation(sent++);
      const body = (await bench.post(token, query).catch(() => ({ errors: ['fetch'] }))) as {
        errors?: unknown;
      };
      if (body.errors) errors += 1;
    }
  };
  const timer = setInterval(() => {
    if (Date.now() < nextMinute) return;
    nextMinute += 60_000;
    minute += 1;
    sample(`${minute} min`, sent, errors);
  }, 1000);
  await Promise.all(Array.from({ length: connections }, worker));
  clearInterval(timer);
  const end = sample('end', sent, errors);
  const grown = (end - start) / MB;
  failed = grown > boundMb || errors > 0;
  console.log(
    `heap grew ${grown.toFixed(0)} MB over ${sent} distinct operations (bound ${boundMb} MB): ${failed ? 'FAILED' : 'within bound'}${errors ? `; ${errors} requests failed` : ''}`,
  );
} finally {
  await bench.stop();
}
process.exit(failed ? 1 : 0);
