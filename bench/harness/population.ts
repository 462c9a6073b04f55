import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Config } from '../../platform/config/index.js';
import { loadServiceKeys } from '../../platform/crypto/service-keys.js';
import { familyBirthIndex, mrnIndex } from '../../subgraphs/patient/store/patient-codec.js';
import { schemaCipher } from '../bare/db.js';
import type { BenchDatabase } from './database.js';

const BATCH = 5000;
const FAMILIES = ['Smith', 'Garcia', 'Nguyen', 'Okafor', 'Müller', 'Kowalski', 'Tanaka', 'Silva'];

/**
 * Grows the population to `total` patients with generated rows, written
 * straight into the tables as Carefed writes them: `patient.patient` with
 * every PHI column encrypted by the same field cipher (bound to table,
 * column and row) and both blind indexes, one `patient.care_team_member`
 * link to a random practitioner each (so every clinician's list grows with
 * the population), and two past appointments each (`scheduling.appointment`,
 * one fulfilled, one cancelled). No versions, events or audit entries are
 * written for them. Batches of 5,000 rows, one INSERT … SELECT unnest(…)
 * per table. Returns how many patients it added.
 */
export async function growPopulation(
  db: BenchDatabase,
  config: Config,
  total: number,
): Promise<number> {
  const [{ n } = { n: '0' }] = await db.query<{ n: string }>(
    'SELECT count(*)::text AS n FROM patient.patient',
  );
  const add = total - Number(n);
  if (add <= 0) return 0;
  const started = Date.now();
  const pool = new pg.Pool({ connectionString: db.adminUrl, max: 2 });
  try {
    const keys = loadServiceKeys(config);
    const cipher = await schemaCipher(pool, 'patient', keys.kek);
    const schedules = (
      await pool.query<{ practitioner_id: string; facility_id: string; time_zone: string }>(
        'SELECT DISTINCT ON (practitioner_id) practitioner_id, facility_id, time_zone FROM scheduling.schedule WHERE active',
      )
    ).rows;
    // Past appointments, each in its own half hour, so no two overlap for any practitioner.
    const [{ slot } = { slot: 0 }] = (
      await pool.query<{ slot: number }>(
        "SELECT count(*)::int AS slot FROM scheduling.appointment WHERE created_by = 'bench-population'",
      )
    ).rows;
    const epoch = Date.UTC(2015, 0, 1);
    let nextSlot = slot;
    for (let done = 0; done < add; done += BATCH) {
      const size = Math.min(BATCH, add - done);
      const p: string[][] = Array.from({ length: 10 }, () => []);
      const links: string[][] = [[], [], []];
      const appts: string[][] = Array.from({ length: 8 }, () => []);
      for (let i = 0; i < size; i++) {
        const id = randomUUID();
        const k = Number(n) + done + i;
        const family = FAMILIES[k % FAMILIES.length]!;
        const data = {
          mrn: `GEN-${k}`,
          name: { family, given: [`Gen${k}`] },
          birth_date: `19${String(40 + (k % 60)).padStart(2, '0')}-0${1 + (k % 9)}-1${k % 10}`,
          gender: k % 2 ? 'female' : 'male',
          telecom: [{ system: 'phone', value: `555-${String(k).padStart(7, '0')}`, use: 'home' }],
          address: [
            { line: [`${k} Bench St`], city: 'Springfield', state: 'MA', postalCode: '01101' },
          ],
          identifiers: [],
        };
        const enc = (column: keyof typeof data) =>
          cipher.encryptSync(JSON.stringify(data[column]), {
            table: 'patient.patient',
            column,
            rowId: id,
          });
        [
          id,
          enc('mrn'),
          mrnIndex(keys.indexKey, data.mrn),
          familyBirthIndex(keys.indexKey, family, data.birth_date),
          enc('name'),
          enc('birth_date'),
          enc('gender'),
          enc('telecom'),
          enc('address'),
          enc('identifiers'),
        ].forEach((v, c) => p[c]!.push(v));
        const s = schedules[k % schedules.length]!;
        links[0]!.push(randomUUID());
        links[1]!.push(id);
        links[2]!.push(s.practitioner_id);
        for (const status of ['fulfilled', 'cancelled']) {
          const start = new Date(epoch + nextSlot++ * 1_800_000);
          [
            randomUUID(),
            id,
            s.practitioner_id,
            s.facility_id,
            s.time_zone,
            start.toISOString(),
            new Date(start.getTime() + 1_800_000).toISOString(),
            status,
          ].forEach((v, c) => appts[c]!.push(v));
        }
      }
      await pool.query(
        `INSERT INTO patient.patient (id, version, mrn, mrn_index, family_birth_index, name, birth_date, gender, telecom, address, identifiers, active, created_at, updated_at)
         SELECT id, 1, mrn, mi, fbi, nm, bd, g, t, a, ids, true, now(), now()
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
             AS u(id, mrn, mi, fbi, nm, bd, g, t, a, ids)`,
        p,
      );
      await pool.query(
        `INSERT INTO patient.care_team_member (id, patient_id, practitioner_id, role, since, added_by)
         SELECT id, pid, prid, 'primary-care', now(), 'bench-population'
           FROM unnest($1::uuid[], $2::uuid[], $3::text[]) AS u(id, pid, prid)`,
        links,
      );
      await pool.query(
        `INSERT INTO scheduling.appointment (id, patient_id, practitioner_id, facility_id, time_zone, starts_at, ends_at, status, created_by)
         SELECT id, pid, prid, fid, tz, s, e, st, 'bench-population'
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::text[])
             AS u(id, pid, prid, fid, tz, s, e, st)`,
        appts,
      );
    }
    await pool.query('ANALYZE patient.patient, patient.care_team_member, scheduling.appointment');
    console.log(`\nGenerated ${add} patients in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return add;
  } finally {
    await pool.end();
  }
}
