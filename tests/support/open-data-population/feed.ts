import type { EntityManager } from '@mikro-orm/postgresql';
import { sharedDataDir } from '../../../subgraphs/fhir-adapter/population/data-dir.js';
import type { Resource } from '../../../subgraphs/fhir-adapter/population/fhir.js';
import {
  DEFAULT_UNTIL,
  generatePatient,
} from '../../../subgraphs/fhir-adapter/population/generate.js';
import {
  loadReferenceData,
  type ReferenceData,
} from '../../../subgraphs/fhir-adapter/population/reference-data.js';
import {
  loadFacilityRegions,
  readFacilityRegions,
} from '../../../subgraphs/open-data/directory/facility-regions.js';
import type { Pseudonyms } from '../../../subgraphs/open-data/domain/pseudonyms.js';
import {
  ingestAppointments,
  ingestClinical,
  ingestDispenses,
  ingestProfiles,
  ingestSchedule,
  type Ingest,
} from '../../../subgraphs/open-data/store/ingest.js';
import { patientEvents, populationSchedules, type PopulationEvents } from './events.js';

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

type Kind = keyof PopulationEvents;
const KINDS: readonly Kind[] = ['profiles', 'clinical', 'appointments', 'dispenses'];

export interface FeedSummary {
  patients: number;
  /** Events ingested per kind. */
  events: Record<Kind, number>;
  /** Milliseconds: generating, each kind's ingestion, and the rest of the transactions. */
  ms: { generate: number; commit: number } & Record<Kind, number>;
  /** Facility regions loaded from the directory (0 when already there). */
  regions: number;
}

/** One kind's events through its ingestion. */
function ingest(x: Ingest, e: PopulationEvents, kind: Kind): Promise<void> {
  switch (kind) {
    case 'profiles':
      return ingestProfiles(x, e.profiles);
    case 'clinical':
      return ingestClinical(x, e.clinical);
    case 'appointments':
      return ingestAppointments(x, e.appointments);
    case 'dispenses':
      return ingestDispenses(x, e.dispenses);
  }
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
  const zero = { profiles: 0, clinical: 0, appointments: 0, dispenses: 0 };
  const summary: FeedSummary = {
    patients: 0,
    events: { ...zero },
    ms: { ...zero, generate: 0, commit: 0 },
    regions: 0,
  };
  await em.fork().transactional(async (tem) => {
    // The facility directory's regions, as the seed loads them: admissions per region.
    summary.regions = await loadFacilityRegions(tem, readFacilityRegions());
    for (const s of populationSchedules()) await ingestSchedule({ em: tem, ids, now }, s);
  });
  const size = opts.batch ?? 200;
  for (let first = 0; first < opts.patients; first += size) {
    const started = performance.now();
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
      for (const k of KINDS) (events[k] as unknown[]).push(...e[k]);
      summary.patients++;
    }
    summary.ms.generate += performance.now() - started;
    const begun = performance.now();
    let kindsMs = 0;
    await em.fork().transactional(async (tem) => {
      for (const k of KINDS) {
        const at = performance.now();
        await ingest({ em: tem, ids, now }, events, k);
        const took = performance.now() - at;
        summary.ms[k] += took;
        kindsMs += took;
        summary.events[k] += events[k].length;
      }
    });
    summary.ms.commit += performance.now() - begun - kindsMs;
  }
  return summary;
}
