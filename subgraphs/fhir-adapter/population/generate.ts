import path from 'node:path';
import { allergies, seasonalImmunizations, visitImmunizations, visitProcedures } from './care.js';
import { REPO_ROOT } from './data-dir.js';
import { conditionResource, encounterResource } from './encounter.js';
import type { Resource } from './fhir.js';
import { medicationRequest, medicationStatements } from './medication.js';
import { visitObservations } from './observation.js';
import { patientResource } from './patient.js';
import { drawPerson, type Window } from './person.js';
import { Rng } from './prng.js';
import type { ReferenceData } from './reference-data.js';
import { planVisits } from './timeline.js';
import { NdjsonWriter, RESOURCE_TYPES } from './writer.js';

export interface PopulationOptions {
  patients: number;
  seed: number;
  /** Years of history before `until`. */
  years: number;
  /** The reference instant the history ends at (epoch seconds); never the wall clock. */
  until: number;
}

/** 2026-01-01T00:00:00Z: the default end of the history, fixed so output never depends on the day it runs. */
export const DEFAULT_UNTIL = Date.UTC(2026, 0, 1) / 1000;

/** `.data/population/<N>-<seed>` under the repository root. */
export function defaultOutDir(patients: number, seed: number): string {
  return path.join(REPO_ROOT, '.data', 'population', `${patients}-${seed}`);
}

export function windowOf(opts: Pick<PopulationOptions, 'years' | 'until'>): Window {
  const end = new Date(opts.until * 1000);
  const start = Date.UTC(
    end.getUTCFullYear() - opts.years,
    end.getUTCMonth(),
    end.getUTCDate(),
    end.getUTCHours(),
    end.getUTCMinutes(),
    end.getUTCSeconds(),
  );
  return { start: start / 1000, until: opts.until };
}

/**
 * Every resource of patient `index`, in the order written. The patient has its
 * own PRNG stream (seed, index), so it is the same in any population size.
 */
export function generatePatient(
  ref: ReferenceData,
  opts: Pick<PopulationOptions, 'seed' | 'years' | 'until'>,
  index: number,
  emit: (r: Resource) => void,
): void {
  const rng = new Rng(opts.seed, index + 1);
  const w = windowOf(opts);
  const p = drawPerson(rng, ref, w);
  emit(patientResource(rng, p, w));
  const visits = planVisits(rng, ref, p, w);
  const diagnosedAt = new Map<string, number>();
  for (const v of visits) {
    emit(encounterResource(p, v));
    for (const dx of v.diagnoses) {
      emit(conditionResource(p, v, dx));
      const cat = dx.coding.code.slice(0, 3);
      if (!diagnosedAt.has(cat)) diagnosedAt.set(cat, v.start);
    }
    const known = (cat: string) => (diagnosedAt.get(cat) ?? Infinity) <= v.start;
    visitObservations(rng, p, v, known).forEach(emit);
    visitProcedures(rng, ref, p, v).forEach(emit);
    visitImmunizations(rng, p, v).forEach(emit);
    for (const o of v.orders) emit(medicationRequest(rng, ref, p, v, o));
  }
  seasonalImmunizations(rng, p, w).forEach(emit);
  allergies(rng, p, visits).forEach(emit);
  medicationStatements(rng, ref, p, visits).forEach(emit);
}

export interface PopulationSummary {
  dir: string;
  counts: Record<string, number>;
  total: number;
  seconds: number;
}

/** Writes a population as Bulk Data NDJSON under `dir`, streaming patient by patient. */
export async function writePopulation(
  ref: ReferenceData,
  opts: PopulationOptions,
  dir: string,
): Promise<PopulationSummary> {
  const started = performance.now();
  const writer = new NdjsonWriter(dir);
  for (let i = 0; i < opts.patients; i++) {
    generatePatient(ref, opts, i, (r) => writer.write(r));
    if (i % 64 === 63) await writer.drain();
  }
  await writer.close();
  const counts = Object.fromEntries(RESOURCE_TYPES.map((t) => [t, writer.counts.get(t) ?? 0]));
  return {
    dir,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    seconds: (performance.now() - started) / 1000,
  };
}
