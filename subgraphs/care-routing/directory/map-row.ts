import { createHash } from 'node:crypto';
import type { CareServiceName } from '../domain/facility-kinds.js';
import type { DirectoryFile } from './directory-files.js';
import { facilityId } from './facility-id.js';
import type { FacilityInput, SkipReason } from './facility-input.js';
import {
  coordinates,
  count,
  normaliseName,
  phoneDigits,
  regionOf,
  stateCode,
  text,
  timeZoneOf,
  zip5,
} from './normalise.js';

/** A CSV record by its header's column names. */
export type CsvRecord = Readonly<Record<string, string | undefined>>;

/** What one row maps to: a facility (with whether its zone was known) or why it was left out. */
export type MappedRow =
  | { ok: true; facility: FacilityInput; knownTimeZone: boolean }
  | { ok: false; reason: SkipReason; key?: string };

/**
 * A VA facility's key: its station id is its parent station's, shared by the
 * station's outpatient clinics (1,481 rows, 1,246 ids), so the key is the id
 * and a digest of the facility's name (`402:5be2…`, 1,479 distinct).
 */
export function vaKey(station: string, name: string): string {
  const digest = createHash('sha256').update(normaliseName(name)).digest('hex').slice(0, 16);
  return `${station}:${digest}`;
}

/** The columns that differ between the two header shapes. */
function fields(spec: DirectoryFile, r: CsvRecord) {
  if (spec.shape === 'va') {
    const station = text(r.id, 40);
    const name = text(r.name);
    return {
      key: station && name ? vaKey(station, name) : null,
      npi: null,
      providerNumber: null,
      lat: r.LAT,
      lon: r.LON,
      beds: null,
      emergency: r.emergency?.trim().toLowerCase() === 'yes',
    };
  }
  const npi = text(r.npi);
  return {
    key: npi && npi.length <= 64 ? npi : null,
    npi: npi && /^[0-9]{10}$/.test(npi) ? npi : null,
    providerNumber: text(r.provider_num, 20),
    lat: r.lat,
    lon: r.lon,
    beds: count(r.bed_count),
    emergency: r.emergency?.trim().toLowerCase() === 'true',
  };
}

/**
 * One directory row as a facility. Left out (never guessed): rows without a
 * name, a key or usable coordinates. The `emergency` service is offered iff the
 * row's emergency column says so (CMS `true`, VA `yes`).
 */
export function mapDirectoryRow(spec: DirectoryFile, r: CsvRecord): MappedRow {
  const f = fields(spec, r);
  const name = text(r.name);
  if (!name) return { ok: false, reason: 'missing-name', key: f.key ?? undefined };
  if (name.length > 200) return { ok: false, reason: 'name-too-long', key: f.key ?? undefined };
  if (!f.key) return { ok: false, reason: 'missing-key' };
  const at = coordinates(f.lat, f.lon);
  if (!at.ok) return { ok: false, reason: at.reason, key: f.key };
  const state = stateCode(r.state);
  const zip = zip5(r.zip);
  const { timeZone, known } = timeZoneOf(state);
  const services: CareServiceName[] = [...spec.services];
  if (f.emergency) services.unshift('emergency');
  return {
    ok: true,
    knownTimeZone: known,
    facility: {
      id: facilityId(spec.source, f.key),
      source: spec.source,
      sourceKey: f.key,
      npi: f.npi,
      providerNumber: f.providerNumber,
      kind: spec.kind,
      name,
      line: text(r.address, 200),
      city: text(r.city, 100),
      state,
      zip,
      phone: phoneDigits(r.phone),
      lat: at.lat,
      lon: at.lon,
      beds: f.beds,
      emergency: f.emergency,
      region: regionOf(zip),
      timeZone,
      services,
    },
  };
}
