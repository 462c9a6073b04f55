import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FacilityInput } from '../directory/facility-input.js';
import type { ZipCentroidInput } from '../directory/zip-centroids.js';

/** What an import wrote. */
export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** Rows a statement carries: the whole directory (~17k) in nine upserts. */
const CHUNK = 2000;

/** A row's content digest: everything but its id, services in a fixed order. */
export function facilityDigest(f: FacilityInput): string {
  const content = JSON.stringify({
    ...f,
    id: undefined,
    services: [...new Set(f.services)].sort(),
  });
  return createHash('sha256').update(content).digest('base64url');
}

const FACILITY_RECORD = `r(id text, source text, source_key text, npi text, provider_number text,
  kind text, name text, line text, city text, state text, zip text, phone text,
  lat double precision, lon double precision, beds integer, emergency boolean, region text,
  time_zone text, digest text)`;
const FACILITY_COLUMNS = `id, source, source_key, npi, provider_number, kind, name, line, city,
  state, zip, phone, lat, lon, beds, emergency, region, time_zone, digest`;
const UPDATED = FACILITY_COLUMNS.split(',')
  .map((c) => c.trim())
  .filter((c) => c !== 'id')
  .map((c) => `${c} = EXCLUDED.${c}`)
  .join(', ');

function facilityRecord(f: FacilityInput) {
  return {
    id: f.id,
    source: f.source,
    source_key: f.sourceKey,
    npi: f.npi,
    provider_number: f.providerNumber,
    kind: f.kind,
    name: f.name,
    line: f.line,
    city: f.city,
    state: f.state,
    zip: f.zip,
    phone: f.phone,
    lat: f.lat,
    lon: f.lon,
    beds: f.beds,
    emergency: f.emergency,
    region: f.region,
    time_zone: f.timeZone,
    digest: facilityDigest(f),
  };
}

/** Inserts new facilities (a concurrent import's are left to it); returns the ids written. */
async function insertFacilities(em: EntityManager, rows: readonly FacilityInput[]) {
  const written = await em.execute<{ id: string }[]>(
    `INSERT INTO facility (${FACILITY_COLUMNS}, updated_at)
     SELECT ${FACILITY_COLUMNS}, now() FROM json_to_recordset(?::json) AS ${FACILITY_RECORD}
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    [JSON.stringify(rows.map(facilityRecord))],
  );
  return written.map((w) => w.id);
}

/** Updates changed facilities (only where the digest still differs); returns the ids written. */
async function updateFacilities(em: EntityManager, rows: readonly FacilityInput[]) {
  const written = await em.execute<{ id: string }[]>(
    `UPDATE facility f SET ${UPDATED.replace(/EXCLUDED\./g, 'r.')}, updated_at = now()
       FROM json_to_recordset(?::json) AS ${FACILITY_RECORD}
      WHERE f.id = r.id AND f.digest IS DISTINCT FROM r.digest
     RETURNING f.id`,
    [JSON.stringify(rows.map(facilityRecord))],
  );
  return written.map((w) => w.id);
}

/** Replaces the services of the facilities written. */
async function replaceServices(em: EntityManager, rows: readonly FacilityInput[]) {
  if (rows.length === 0) return;
  await em.execute(
    'DELETE FROM facility_service WHERE facility_id IN (SELECT json_array_elements_text(?::json))',
    [JSON.stringify(rows.map((f) => f.id))],
  );
  const services = rows.flatMap((f) =>
    [...new Set(f.services)].map((s) => ({ facility_id: f.id, service: s })),
  );
  if (services.length)
    await em.execute(
      `INSERT INTO facility_service (facility_id, service)
       SELECT facility_id, service FROM json_to_recordset(?::json) AS r(facility_id text, service text)`,
      [JSON.stringify(services)],
    );
}

/** The stored digest of each of `ids` that exists. */
async function storedDigests(em: EntityManager, ids: readonly string[]) {
  const rows = await em.execute<{ id: string; digest: string }[]>(
    'SELECT id, digest FROM facility WHERE id IN (SELECT json_array_elements_text(?::json))',
    [JSON.stringify(ids)],
  );
  return new Map(rows.map((r) => [r.id, r.digest]));
}

/** Writes one chunk: new and changed facilities, then the services of exactly those. */
async function importChunk(em: EntityManager, rows: readonly FacilityInput[]) {
  const stored = await storedDigests(
    em,
    rows.map((f) => f.id),
  );
  const fresh = rows.filter((f) => !stored.has(f.id));
  const changed = rows.filter((f) => stored.has(f.id) && stored.get(f.id) !== facilityDigest(f));
  const created = fresh.length ? await insertFacilities(em, fresh) : [];
  const updated = changed.length ? await updateFacilities(em, changed) : [];
  const written = new Set([...created, ...updated]);
  await replaceServices(
    em,
    rows.filter((f) => written.has(f.id)),
  );
  return {
    created: created.length,
    updated: updated.length,
    unchanged: rows.length - written.size,
  };
}

/**
 * Upserts facilities and their services, idempotently: a row whose content
 * digest is unchanged is not written (its `updated_at` stays), a changed row
 * is updated with its services replaced, a new one created; in one
 * transaction, CHUNK rows a statement. Facilities absent from `rows` are left
 * alone (a directory file may be imported alone). Ids must be unique in `rows`.
 */
export async function importDirectory(
  em: EntityManager,
  rows: readonly FacilityInput[],
): Promise<ImportCounts> {
  const total: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
  if (rows.length === 0) return total;
  await em.transactional(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const c = await importChunk(tx, rows.slice(i, i + CHUNK));
      total.created += c.created;
      total.updated += c.updated;
      total.unchanged += c.unchanged;
    }
  });
  return total;
}

/** Rows a ZIP centroid statement carries. */
const ZIP_CHUNK = 5000;

/** Upserts ZIP centroids idempotently (an unchanged ZIP is not written); zips must be unique. */
export async function importZipCentroids(
  em: EntityManager,
  rows: readonly ZipCentroidInput[],
): Promise<ImportCounts> {
  const total: ImportCounts = { created: 0, updated: 0, unchanged: 0 };
  await em.transactional(async (tx) => {
    for (let i = 0; i < rows.length; i += ZIP_CHUNK) {
      const chunk = rows.slice(i, i + ZIP_CHUNK);
      const written = await tx.execute<{ created: boolean }[]>(
        `INSERT INTO zip_centroid (zip, lat, lon, state, place)
         SELECT zip, lat, lon, state, place FROM json_to_recordset(?::json)
           AS r(zip text, lat double precision, lon double precision, state text, place text)
         ON CONFLICT (zip) DO UPDATE SET lat = EXCLUDED.lat, lon = EXCLUDED.lon,
           state = EXCLUDED.state, place = EXCLUDED.place
           WHERE (zip_centroid.lat, zip_centroid.lon, zip_centroid.state, zip_centroid.place)
             IS DISTINCT FROM (EXCLUDED.lat, EXCLUDED.lon, EXCLUDED.state, EXCLUDED.place)
         RETURNING (xmax = 0) AS created`,
        [JSON.stringify(chunk)],
      );
      const created = written.filter((w) => w.created).length;
      total.created += created;
      total.updated += written.length - created;
      total.unchanged += chunk.length - written.length;
    }
  });
  return total;
}
