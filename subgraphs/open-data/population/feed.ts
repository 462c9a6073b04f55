import type { EntityManager } from '@mikro-orm/postgresql';
import { sharedDataDir } from '../../fhir-adapter/population/data-dir.js';
import type { Resource } from '../../fhir-adapter/population/fhir.js';
import { DEFAULT_UNTIL, generatePatient } from '../../fhir-adapter/population/generate.js';
import {
  loadReferenceData,
  type ReferenceData,
} from '../../fhir-adapter/population/reference-data.js';
import { loadFacilityRegions, readFacilityRegions } from '../directory/facility-regions.js';
import type { Pseudonyms } from '../domain/pseudonyms.js';
import {
  ingestAppointments,
  ingestClinical,
  ingestDispenses,
  ingestProfiles,
  ingestSchedule,
} from '../store/ingest.js';
import { patientEvents, populationSchedules, type PopulationEvents } from './population-events.js';

export interface FeedOptions {
  patients: number;
  seed: number;
  years?: number;
  /** Epoch seconds the history ends at (default the generator's fixed 2026-01-01). */
  until?: number;
  /** Patients per transaction (default 200). */
  batch?: number;
  ref?: ReferenceData;
}

export interface FeedSummary {
  patients: number;
  profiles: number;
  clinical: number;
  appointments: number;
  dispenses: number;
}

/**
 * Generates a population and ingests the events its producers would publish
 * (population-events.ts) through open data's own ingestion, in batches of
 * patients, each batch one transaction. What a store holds afterwards is what
 * event delivery would have left.
 */
export async function feedPopulation(
  em: EntityManager,
  ids: Pseudonyms,
  opts: FeedOptions,
): Promise<FeedSummary> {
  const ref = opts.ref ?? loadReferenceData(sharedDataDir());
  const gen = { seed: opts.seed, years: opts.years ?? 5, until: opts.until ?? DEFAULT_UNTIL };
  const now = new Date(gen.until * 1000);
  const summary: FeedSummary = {
    patients: 0,
    profiles: 0,
    clinical: 0,
    appointments: 0,
    dispenses: 0,
  };
  await em.fork().transactional(async (tem) => {
    // The facility directory's regions, as the seed loads them: admissions per region.
    await loadFacilityRegions(tem, readFacilityRegions());
    for (const s of populationSchedules()) await ingestSchedule({ em: tem, ids, now }, s);
  });
  const size = opts.batch ?? 200;
  for (let first = 0; first < opts.patients; first += size) {
    const events: PopulationEvents = {
      profiles: [],
      clinical: [],
      appointments: [],
      dispenses: [],
    };
    for (let i = first; i < Math.min(opts.patients, first + size); i++) {
      const resources: Resource[] = [];
      generatePatient(ref, gen, i, (r) => resources.push(r));
      const e = patientEvents(resources);
      events.profiles.push(...e.profiles);
      events.clinical.push(...e.clinical);
      events.appointments.push(...e.appointments);
      events.dispenses.push(...e.dispenses);
      summary.patients++;
    }
    await em.fork().transactional(async (tem) => {
      const x = { em: tem, ids, now };
      await ingestProfiles(x, events.profiles);
      await ingestClinical(x, events.clinical);
      await ingestAppointments(x, events.appointments);
      await ingestDispenses(x, events.dispenses);
    });
    summary.profiles += events.profiles.length;
    summary.clinical += events.clinical.length;
    summary.appointments += events.appointments.length;
    summary.dispenses += events.dispenses.length;
  }
  return summary;
}
