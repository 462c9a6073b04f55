import type { EntityManager } from '@mikro-orm/postgresql';
import type { ConsentChangedData } from '../../../platform/authz/access-facts/events.js';
import { executeBound } from '../../../platform/db/bound.js';
import { HOLDS_TIME, type AppointmentEventData } from '../../contracts/appointment-events.js';
import type { ClinicalChangedData } from '../../contracts/clinical-events.js';
import type { PatientProfileChangedData } from '../../contracts/patient-events.js';
import type { PharmacyDispensedData } from '../../contracts/pharmacy-events.js';
import type { ScheduleChangedData } from '../../contracts/schedule-events.js';
import { conditionCategory, safeCode } from '../domain/codes.js';
import type { Pseudonyms } from '../domain/pseudonyms.js';
import { deniesResearch } from '../domain/research-consent.js';
import { safeZip3, storedBirthYear, yearOf } from '../domain/safe-harbor.js';

/**
 * De-identification at ingestion: events become de-identified facts in the
 * caller's transaction (the event's delivery, or one batch of a bulk load),
 * a few statements per batch whatever its size. A patient who opted out of
 * research is never admitted again.
 */
export interface Ingest {
  em: EntityManager;
  ids: Pseudonyms;
  now: Date;
}

/** The newest of each key (a batch may carry several versions of one thing). */
function newest<T>(items: readonly T[], key: (t: T) => string, version: (t: T) => number): T[] {
  const out = new Map<string, T>();
  for (const it of items) {
    const k = key(it);
    const held = out.get(k);
    if (!held || version(held) < version(it)) out.set(k, it);
  }
  return [...out.values()];
}

/**
 * Keeps a subject row for each pseudonym that did not opt out, and returns
 * the ones admitted (an opted-out pseudonym is left out). Two statements.
 */
async function admit(em: EntityManager, pseudonyms: readonly string[]): Promise<Set<string>> {
  const list = JSON.stringify([...new Set(pseudonyms)]);
  if (list === '[]') return new Set();
  await executeBound(
    em,
    `INSERT INTO subject (pseudonym)
     SELECT p FROM json_array_elements_text(?::json) AS p
      WHERE NOT EXISTS (SELECT 1 FROM research_opt_out o WHERE o.pseudonym = p)
     ON CONFLICT (pseudonym) DO NOTHING`,
    [list],
  );
  const out = await executeBound<{ p: string }>(
    em,
    `SELECT p FROM json_array_elements_text(?::json) AS p
      WHERE NOT EXISTS (SELECT 1 FROM research_opt_out o WHERE o.pseudonym = p)`,
    [list],
  );
  return new Set(out.map((r) => r.p));
}

/** `patient.profile-changed`: year of birth (none past 89), sex, ZIP3 (Safe Harbor's `000`). */
export async function ingestProfiles(
  x: Ingest,
  events: readonly PatientProfileChangedData[],
): Promise<void> {
  const rows = newest(
    events,
    (d) => d.patientId,
    (d) => d.version,
  ).map((d) => {
    const born = storedBirthYear(d.birthYear, x.now.getUTCFullYear());
    return {
      pseudonym: x.ids.patient(d.patientId),
      birth_year: born.birthYear,
      aged_90_plus: born.aged90Plus,
      sex: d.sex,
      zip3: safeZip3(d.zip3),
      profile_version: d.version,
    };
  });
  const admitted = await admit(
    x.em,
    rows.map((r) => r.pseudonym),
  );
  const kept = rows.filter((r) => admitted.has(r.pseudonym));
  if (!kept.length) return;
  await executeBound(
    x.em,
    `UPDATE subject s SET birth_year = r.birth_year, aged_90_plus = r.aged_90_plus, sex = r.sex,
        zip3 = r.zip3, profile_version = r.profile_version
       FROM json_to_recordset(?::json) AS r(pseudonym text, birth_year smallint,
        aged_90_plus boolean, sex text, zip3 text, profile_version integer)
      WHERE s.pseudonym = r.pseudonym AND s.profile_version < r.profile_version`,
    [JSON.stringify(kept)],
  );
}

/** One de-identified fact as written. */
interface FactRow {
  key: string;
  pseudonym: string;
  resource_type: string;
  status: string | null;
  codes: string[];
  category: string | null;
  class: string | null;
  year: number;
  facilities: string[];
  quantity: number | null;
  version: number;
}

/** What one event adds to a weekly series (0 when it no longer counts). */
interface CountRow {
  key: string;
  series: 'admissions' | 'appointments' | 'dispensing';
  /** Null: the fact's facility region (admissions). */
  series_key: string | null;
  at: string;
  amount: number;
  version: number;
}

/** The facility regions the facts' references name (one statement for the batch). */
async function regionsOf(
  em: EntityManager,
  facts: readonly FactRow[],
): Promise<Map<string, string>> {
  const refs = [...new Set(facts.flatMap((f) => f.facilities))];
  if (!refs.length) return new Map();
  const rows = await executeBound<{ facility_ref: string; region: string }>(
    em,
    `SELECT facility_ref, region FROM facility_region
      WHERE facility_ref IN (SELECT json_array_elements_text(?::json))`,
    [JSON.stringify(refs)],
  );
  return new Map(rows.map((r) => [r.facility_ref, r.region]));
}

/**
 * Writes facts (a newer version replaces an older; the facility region from
 * the directory's regions) and their series counts, for admitted patients
 * only. Three statements.
 */
async function writeFacts(
  x: Ingest,
  facts: readonly FactRow[],
  counts: readonly CountRow[],
): Promise<void> {
  const admitted = await admit(
    x.em,
    facts.map((f) => f.pseudonym),
  );
  const kept = newest(
    facts.filter((f) => admitted.has(f.pseudonym)),
    (f) => f.key,
    (f) => f.version,
  );
  if (!kept.length) return;
  const regions = await regionsOf(x.em, kept);
  await executeBound(
    x.em,
    `INSERT INTO fact (key, pseudonym, resource_type, status, codes, category, class, year,
        region, quantity, version)
     SELECT r.key, r.pseudonym, r.resource_type, r.status,
        ARRAY(SELECT json_array_elements_text(r.codes)), r.category, r.class, r.year,
        r.region, r.quantity, r.version
       FROM json_to_recordset(?::json) AS r(key text, pseudonym text, resource_type text,
        status text, codes json, category text, class text, year smallint, region text,
        quantity integer, version integer)
     ON CONFLICT (key) DO UPDATE SET status = EXCLUDED.status, codes = EXCLUDED.codes,
        category = EXCLUDED.category, class = EXCLUDED.class, year = EXCLUDED.year,
        region = EXCLUDED.region, quantity = EXCLUDED.quantity, version = EXCLUDED.version
      WHERE fact.version < EXCLUDED.version`,
    [
      JSON.stringify(
        kept.map(({ facilities, ...f }) => ({
          ...f,
          region: facilities.map((r) => regions.get(r)).find((r) => r !== undefined) ?? null,
        })),
      ),
    ],
  );
  const keys = new Set(kept.map((f) => f.key));
  const countRows = newest(
    counts.filter((c) => keys.has(c.key)),
    (c) => c.key,
    (c) => c.version,
  );
  if (!countRows.length) return;
  // A count's key is a keyed hash of its fact's: no join ties a week to a pseudonym.
  const rows = countRows.map((c) => ({ ...c, fact_key: c.key, key: x.ids.of('series', c.key) }));
  // The week of the instant in UTC (Monday); an admission's key is its region, read from its fact.
  await executeBound(
    x.em,
    `INSERT INTO series_count (key, series, series_key, week, amount, version)
     SELECT r.key, r.series,
        coalesce(r.series_key, (SELECT f.region FROM fact f WHERE f.key = r.fact_key), 'unknown'),
        date_trunc('week', r.at AT TIME ZONE 'UTC')::date, r.amount, r.version
       FROM json_to_recordset(?::json) AS r(key text, fact_key text, series text,
        series_key text, at timestamptz, amount integer, version integer)
     ON CONFLICT (key) DO UPDATE SET series_key = EXCLUDED.series_key, week = EXCLUDED.week,
        amount = EXCLUDED.amount, version = EXCLUDED.version
      WHERE series_count.version < EXCLUDED.version`,
    [JSON.stringify(rows)],
  );
}

const FULL_DATE = /^\d{4}-\d{2}-\d{2}/;
const STATUS = /^[a-z-]{1,40}$/;

/**
 * `clinical.changed`: the resource's type, status, allowed codes (never
 * text), condition category, encounter class, year and facility region; an
 * entered-in-error resource is removed (and no longer counted). An inpatient
 * encounter counts as an admission in the week it started, per facility
 * region.
 */
export async function ingestClinical(
  x: Ingest,
  events: readonly ClinicalChangedData[],
): Promise<void> {
  const removed = events.filter((d) => d.enteredInError);
  if (removed.length) {
    const keys = JSON.stringify(removed.map((d) => x.ids.of('resource', d.resourceId)));
    await executeBound(
      x.em,
      'DELETE FROM fact WHERE key IN (SELECT json_array_elements_text(?::json))',
      [keys],
    );
    await executeBound(
      x.em,
      'UPDATE series_count SET amount = 0 WHERE key IN (SELECT json_array_elements_text(?::json))',
      [JSON.stringify(removed.map((d) => x.ids.of('series', x.ids.of('resource', d.resourceId))))],
    );
  }
  const facts: FactRow[] = [];
  const counts: CountRow[] = [];
  for (const d of events) {
    const year = yearOf(d.start) ?? yearOf(d.end);
    if (d.enteredInError || year === null) continue;
    const key = x.ids.of('resource', d.resourceId);
    const codes = [...new Set(d.codes.map((c) => safeCode(c.system, c.code)))].filter(
      (c): c is string => c !== null,
    );
    const classCode =
      d.categories
        .map((c) => safeCode(c.system, c.code))
        .find((c) => c?.startsWith('act|'))
        ?.slice(4) ?? null;
    facts.push({
      key,
      pseudonym: x.ids.patient(d.patientId),
      resource_type: d.resourceType,
      status: d.status && STATUS.test(d.status) ? d.status : null,
      codes,
      category: d.resourceType === 'Condition' ? conditionCategory(codes) : null,
      class: classCode,
      year,
      facilities: d.facilities,
      quantity: null,
      version: d.version,
    });
    if (d.resourceType === 'Encounter' && classCode === 'IMP' && d.start && FULL_DATE.test(d.start))
      counts.push({
        key,
        series: 'admissions',
        series_key: null,
        at: d.start,
        amount: d.status === 'cancelled' ? 0 : 1,
        version: d.version,
      });
  }
  await writeFacts(x, facts, counts);
}

/** Appointment events: a fact of its year, and the week's demand for the practitioner's specialty. */
export async function ingestAppointments(
  x: Ingest,
  events: readonly AppointmentEventData[],
): Promise<void> {
  if (!events.length) return;
  const specialties = new Map(
    (
      await executeBound<{ practitioner_id: string; specialty: string }>(
        x.em,
        `SELECT DISTINCT ON (practitioner_id) practitioner_id, specialty FROM practitioner_specialty
          WHERE practitioner_id IN (SELECT json_array_elements_text(?::json))
          ORDER BY practitioner_id, version DESC, schedule_id`,
        [JSON.stringify([...new Set(events.map((d) => d.practitionerId))])],
      )
    ).map((r) => [r.practitioner_id, r.specialty]),
  );
  const facts: FactRow[] = [];
  const counts: CountRow[] = [];
  for (const d of events) {
    const key = x.ids.of('appointment', d.appointmentId);
    facts.push({
      key,
      pseudonym: x.ids.patient(d.patientId),
      resource_type: 'Appointment',
      status: d.status,
      codes: [],
      category: null,
      class: null,
      year: yearOf(d.start)!,
      facilities: [d.facilityId],
      quantity: null,
      version: d.version,
    });
    counts.push({
      key,
      series: 'appointments',
      series_key: specialties.get(d.practitionerId) ?? 'unspecified',
      at: d.start,
      amount: HOLDS_TIME.includes(d.status) ? 1 : 0,
      version: d.version,
    });
  }
  await writeFacts(x, facts, counts);
}

/** `pharmacy.dispensed`: a fact of its year with drug and quantity, and the week's units per drug. */
export async function ingestDispenses(
  x: Ingest,
  events: readonly PharmacyDispensedData[],
): Promise<void> {
  const facts: FactRow[] = [];
  const counts: CountRow[] = [];
  for (const d of events) {
    const key = x.ids.of('dispense', d.dispenseId);
    facts.push({
      key,
      pseudonym: x.ids.patient(d.patientId),
      resource_type: 'MedicationDispense',
      status: 'completed',
      codes: [`rxnorm|${d.drugRxcui}`],
      category: null,
      class: null,
      year: yearOf(d.dispensedAt)!,
      facilities: [d.facilityId],
      quantity: d.quantity,
      version: 1,
    });
    counts.push({
      key,
      series: 'dispensing',
      series_key: d.drugRxcui,
      at: d.dispensedAt,
      amount: d.quantity,
      version: 1,
    });
  }
  await writeFacts(x, facts, counts);
}

/** `schedule.changed`: the practitioner's first listed specialty, for appointment demand. */
export async function ingestSchedule(x: Ingest, d: ScheduleChangedData): Promise<void> {
  await x.em.execute(
    `INSERT INTO practitioner_specialty (schedule_id, practitioner_id, specialty, version)
     VALUES (?, ?, ?, ?)
     ON CONFLICT (schedule_id) DO UPDATE SET practitioner_id = EXCLUDED.practitioner_id,
        specialty = EXCLUDED.specialty, version = EXCLUDED.version
      WHERE practitioner_specialty.version < EXCLUDED.version`,
    [d.scheduleId, d.practitionerId, d.specialties[0] ?? 'unspecified', d.version],
  );
}

/**
 * `consent.changed`: a consent that denies research opts its patient out:
 * their subject row and every fact go (within the one delivery), and
 * nothing of theirs is admitted again until no consent denies it any more.
 */
export async function ingestConsent(x: Ingest, d: ConsentChangedData): Promise<void> {
  const pseudonym = x.ids.patient(d.patientId);
  const [row] = await x.em.execute<{ out: boolean }[]>(
    `WITH up AS (
       INSERT INTO research_consent (consent_key, pseudonym, denies) VALUES (?, ?, ?)
       ON CONFLICT (consent_key) DO UPDATE SET denies = EXCLUDED.denies RETURNING consent_key, denies)
     SELECT (SELECT denies FROM up) OR EXISTS (
       SELECT 1 FROM research_consent c
        WHERE c.pseudonym = ? AND c.denies AND c.consent_key <> (SELECT consent_key FROM up)) AS out`,
    [x.ids.of('consent', d.consentId), pseudonym, deniesResearch(d, x.now), pseudonym],
  );
  if (row?.out) {
    await x.em.execute(
      'INSERT INTO research_opt_out (pseudonym) VALUES (?) ON CONFLICT DO NOTHING',
      [pseudonym],
    );
    await x.em.execute('DELETE FROM subject WHERE pseudonym = ?', [pseudonym]);
  } else {
    await x.em.execute('DELETE FROM research_opt_out WHERE pseudonym = ?', [pseudonym]);
  }
}
