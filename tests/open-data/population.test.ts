import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openSubgraphTestStore,
  type SubgraphTestStore,
} from '../../platform/testing/subgraph-test-store.js';
import { sharedDataDir } from '../../subgraphs/fhir-adapter/population/data-dir.js';
import type { Resource } from '../../subgraphs/fhir-adapter/population/fhir.js';
import {
  DEFAULT_UNTIL,
  generatePatient,
} from '../../subgraphs/fhir-adapter/population/generate.js';
import { loadReferenceData } from '../../subgraphs/fhir-adapter/population/reference-data.js';
import { checkQuestion } from '../../subgraphs/open-data/domain/count-question.js';
import { seededRandom } from '../../subgraphs/open-data/domain/dp/mechanism.js';
import { checkKAnonymity } from '../../subgraphs/open-data/domain/k-anonymity-check.js';
import { pseudonymsOf } from '../../subgraphs/open-data/domain/pseudonyms.js';
import { entities } from '../../subgraphs/open-data/entities/index.js';
import { migrations } from '../../subgraphs/open-data/migrations/index.js';
import { SCHEMA } from '../../subgraphs/open-data/server.js';
import { answerCount } from '../../subgraphs/open-data/store/answers.js';
import {
  FORECAST_HORIZON,
  FORECAST_SERIES,
  refreshForecasts,
} from '../../subgraphs/open-data/store/forecasts.js';
import { publishRelease } from '../../subgraphs/open-data/store/releases.js';
import { feedPopulation, type FeedSummary } from '../support/open-data-population/feed.js';
import { SPECIALTY_OF_ENCOUNTER_TYPE } from '../support/open-data-population/events.js';

/**
 * Open data at population scale: 10,000 generated patients (seed 7, five
 * years to the generator's fixed 2026-01-01) fed through open data's own
 * ingestion, then the store, both releases, a differentially private answer
 * and the forecasts checked against what the generator produced (read here
 * independently of the production mappings) and against the store itself.
 */
const PATIENTS = 10_000;
const SEED = 7;
const YEARS = 5;
const UNTIL_YEAR = new Date(DEFAULT_UNTIL * 1000).getUTCFullYear();
/** Safe Harbor's restricted three-digit ZIP prefixes, written out again here on purpose. */
const RESTRICTED = [
  '036',
  '059',
  '063',
  '102',
  '203',
  '556',
  '692',
  '790',
  '821',
  '823',
  '830',
  '831',
  '878',
  '879',
  '884',
  '890',
  '893',
];
/** The timestamp columns open data may hold: none of them is a date of a patient's care. */
const ALLOWED_TIME_COLUMNS = [
  // The platform's keyring and the migration log (no patient data).
  'data_key.created_at',
  'mikro_orm_migrations.executed_at',
  // The event inbox (keyed hashes of event ids, tied to no pseudonym) and the unused outbox.
  'inbox.processed_at',
  'outbox.occurred_at',
  'data_use_agreement.published_at',
  'dua_acceptance.accepted_at',
  'forecast.computed_at',
  'privacy_budget.created_at',
  'privacy_budget.updated_at',
  'privacy_ledger.answered_at',
  'release.created_at',
];

/**
 * The shapes the generator's identifiers take: UUIDs (patient and resource
 * ids), dates, phone numbers and SSNs, street lines, and names (Synthea-style,
 * a word and digits).
 */
const IDENTIFIER_SHAPES =
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{4}-\d{2}-\d{2}|\d{3}-\d{2,3}-\d{4}|\d{1,4} [A-Z][a-z]+ [A-Z][a-z]+|[A-Z][A-Za-z']*\d+/g;

/** What the test keeps of one generated patient. */
interface Generated {
  id: string;
  names: string[];
  birthDate: string;
  gender: string;
  postalCode: string;
  line: string;
  phone: string;
  ssn: string;
  /** Resources other than the Patient. */
  resources: number;
}

interface GeneratedPatient extends Resource {
  birthDate: string;
  gender: string;
  name: { family: string; given: string[] }[];
  telecom: { value: string }[];
  identifier: { system?: string; value: string }[];
  address: { line: string[]; postalCode: string }[];
}

type Coded = { coding?: { system?: string; code?: string }[] };

let store: SubgraphTestStore;
const ids = pseudonymsOf(randomBytes(32));
const NOW = new Date(DEFAULT_UNTIL * 1000);
const generated: Generated[] = [];
const resourceIds = new Set<string>();
/** Facts the generator implies, per resource type (Appointment and MedicationDispense derived). */
const expectedFacts = new Map<string, number>();
let feed: FeedSummary;
let feedSeconds = 0;

const rows = <T>(sql: string, params: unknown[] = []) =>
  store.orm.em.fork().execute<T[]>(sql, params);
const bump = (m: Map<string, number>, k: string, n = 1) => m.set(k, (m.get(k) ?? 0) + n);

/** The generator's output, read straight from the resources (no production mapping). */
function generateIndependently(): void {
  const ref = loadReferenceData(sharedDataDir());
  const opts = { seed: SEED, years: YEARS, until: DEFAULT_UNTIL };
  for (let i = 0; i < PATIENTS; i++) {
    const found: Resource[] = [];
    generatePatient(ref, opts, i, (r) => found.push(r));
    const p = found.find((r) => r.resourceType === 'Patient') as GeneratedPatient;
    for (const r of found) {
      if (r !== p) resourceIds.add(r.id);
      if (r === p) continue;
      bump(expectedFacts, r.resourceType);
      const type = (r.type as Coded[] | undefined)?.[0]?.coding?.[0]?.code ?? '';
      if (
        r.resourceType === 'Encounter' &&
        (r.class as { code?: string }).code === 'AMB' &&
        SPECIALTY_OF_ENCOUNTER_TYPE[type]
      )
        bump(expectedFacts, 'Appointment');
      if (r.resourceType === 'MedicationRequest') bump(expectedFacts, 'MedicationDispense');
    }
    generated.push({
      id: p.id,
      names: p.name.flatMap((n) => [n.family, ...n.given]),
      birthDate: p.birthDate,
      gender: p.gender,
      postalCode: p.address[0]!.postalCode,
      line: p.address[0]!.line[0]!,
      phone: p.telecom[0]!.value,
      ssn: p.identifier.find((x) => x.system === 'http://hl7.org/fhir/sid/us-ssn')!.value,
      resources: found.length - 1,
    });
  }
}

beforeAll(async () => {
  store = await openSubgraphTestStore('opendata_population', {
    schema: SCHEMA,
    entities,
    migrations,
  });
  const started = performance.now();
  feed = await feedPopulation(store.orm.em.fork(), ids, {
    patients: PATIENTS,
    seed: SEED,
    years: YEARS,
  });
  feedSeconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `population.test: fed ${PATIENTS} patients in ${feedSeconds.toFixed(1)} s` +
      (feedSeconds > 120 ? ' (over the 120 s aimed for)' : '') +
      '\n',
  );
  const generating = performance.now();
  generateIndependently();
  process.stdout.write(
    `population.test: generated them again in ${((performance.now() - generating) / 1000).toFixed(1)} s\n`,
  );
}, 300_000);
afterAll(async () => store?.close(), 60_000);

describe('open data at population scale (10,000 generated patients)', () => {
  it('fed every patient', () => {
    expect(feed.patients).toBe(PATIENTS);
    expect(feed.events.profiles).toBe(PATIENTS);
    expect(generated).toHaveLength(PATIENTS);
    expect(feedSeconds).toBeGreaterThan(0);
  }, 30_000);

  it('keeps Safe Harbor over the whole store: years of birth to 89, ZIP3 with restricted prefixes as 000', async () => {
    const subjects = await rows<{
      pseudonym: string;
      birth_year: number | null;
      aged_90_plus: boolean;
      sex: string;
      zip3: string | null;
    }>('SELECT pseudonym, birth_year, aged_90_plus, sex, zip3 FROM subject');
    expect(subjects).toHaveLength(PATIENTS);
    for (const s of subjects) {
      if (s.birth_year !== null) expect(UNTIL_YEAR - s.birth_year).toBeLessThanOrEqual(89);
      expect(s.zip3 === null || /^\d{3}$/.test(s.zip3)).toBe(true);
      expect(RESTRICTED).not.toContain(s.zip3);
    }
    const byPseudonym = new Map(subjects.map((s) => [s.pseudonym, s]));
    let restricted = 0;
    let over89 = 0;
    for (const g of generated) {
      const s = byPseudonym.get(ids.patient(g.id));
      expect(s).toBeDefined();
      const prefix = g.postalCode.slice(0, 3);
      if (RESTRICTED.includes(prefix)) restricted++;
      expect(s!.zip3).toBe(RESTRICTED.includes(prefix) ? '000' : prefix);
      const born = Number(g.birthDate.slice(0, 4));
      if (UNTIL_YEAR - born > 89) over89++;
      expect(s!.birth_year).toBe(UNTIL_YEAR - born > 89 ? null : born);
      expect(s!.aged_90_plus).toBe(UNTIL_YEAR - born > 89);
      expect(s!.sex).toBe(g.gender);
    }
    // The population does exercise both rules.
    expect(restricted).toBeGreaterThan(0);
    expect(over89).toBeGreaterThan(0);
    const [zero] = await rows<{ n: number }>(
      "SELECT count(*)::int AS n FROM subject WHERE zip3 = '000'",
    );
    expect(zero!.n).toBe(restricted);
  }, 30_000);

  it('holds facts by year only, and no time column but the allowed ones of non-patient tables', async () => {
    const columns = await rows<{ c: string; data_type: string }>(
      `SELECT table_name || '.' || column_name AS c, data_type FROM information_schema.columns
        WHERE table_schema = ? AND (data_type LIKE 'timestamp%' OR data_type LIKE 'time %'
          OR data_type IN ('date', 'time', 'interval', 'abstime'))
        ORDER BY 1`,
      [SCHEMA],
    );
    // series_count.week: weekly event counts for the forecasts (see the linkage test below).
    expect(columns.map((c) => c.c)).toEqual([...ALLOWED_TIME_COLUMNS, 'series_count.week'].sort());
    const factColumns = await rows<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = ? AND table_name = 'fact' AND column_name = 'year'`,
      [SCHEMA],
    );
    expect(factColumns).toEqual([{ column_name: 'year', data_type: 'smallint' }]);
    const [span] = await rows<{ lo: number; hi: number }>(
      'SELECT min(year)::int AS lo, max(year)::int AS hi FROM fact',
    );
    expect(span!.hi).toBeLessThanOrEqual(UNTIL_YEAR);
    expect(span!.lo).toBeGreaterThanOrEqual(1900);
  }, 30_000);

  // A count's key is a keyed hash of its fact's: no join gives a pseudonym a week.
  it('ties no weekly count to a patient (series_count.key never a fact key)', async () => {
    const [linked] = await rows<{ n: number }>(
      'SELECT count(*)::int AS n FROM series_count c JOIN fact f ON f.key = c.key',
    );
    expect(linked!.n).toBe(0);
  }, 30_000);

  it('keeps no generated id, name, birth date, street line, phone or SSN in any table', async () => {
    await publishRelease(store.orm.em.fork(), 'tables', 'population-test', NOW);
    await publishRelease(store.orm.em.fork(), 'records', 'population-test', NOW);
    await refreshForecasts(store.orm.em.fork(), NOW);
    const tokens = new Set<string>([...resourceIds]);
    for (const g of generated) {
      tokens.add(g.id);
      tokens.add(g.phone);
      tokens.add(g.ssn);
      for (const n of g.names) tokens.add(n);
      // Births before the window: a later birth date can be a forecast's week (a Monday).
      if (Number(g.birthDate.slice(0, 4)) < UNTIL_YEAR - YEARS - 1) tokens.add(g.birthDate);
    }
    for (const g of generated) tokens.add(g.line);
    /** Every substring of a shape an identifier takes that is one of the generated identifiers. */
    const leaks = (text: string) =>
      [...text.matchAll(IDENTIFIER_SHAPES)].filter((m) => tokens.has(m[0]));
    // The scan finds each kind of identifier where one is written.
    const planted = generated[3]!;
    expect(
      leaks(
        `(${planted.id},${planted.birthDate},"{${planted.names[0]}}",x ${planted.line}.,${planted.phone} ${planted.ssn})`,
      ).map((m) => m[0]),
    ).toEqual(
      Number(planted.birthDate.slice(0, 4)) < UNTIL_YEAR - YEARS - 1
        ? [
            planted.id,
            planted.birthDate,
            planted.names[0],
            planted.line,
            planted.phone,
            planted.ssn,
          ]
        : [planted.id, planted.names[0], planted.line, planted.phone, planted.ssn],
    );
    const tables = await rows<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables
        WHERE table_schema = ? AND table_type = 'BASE TABLE' ORDER BY 1`,
      [SCHEMA],
    );
    expect(tables.map((t) => t.t)).toEqual(expect.arrayContaining(['fact', 'subject', 'release']));
    const hits: string[] = [];
    let scanned = 0;
    for (const { t } of tables) {
      // The fact table in sixteen slices (by the first hex digit of its key), so no string is huge.
      const slices = t === 'fact' ? [...'0123456789abcdef'] : [null];
      for (const slice of slices) {
        const [dump] = await rows<{ text: string | null }>(
          `SELECT string_agg(x::text, E'\\n') AS text FROM ${SCHEMA}.${t} x
            ${slice ? 'WHERE left(x.key, 1) = ?' : ''}`,
          slice ? [slice] : [],
        );
        const text = dump?.text ?? '';
        scanned += text.length;
        hits.push(...leaks(text).map((m) => `${t}: ${m[0]}`));
      }
    }
    expect(hits).toEqual([]);
    expect(scanned).toBeGreaterThan(10_000_000);
  }, 120_000);

  it('has a pseudonym for every patient and the facts the generator implies, per resource type', async () => {
    const [subjects] = await rows<{ n: number; with_facts: number }>(
      `SELECT count(*)::int AS n,
          (SELECT count(DISTINCT pseudonym)::int FROM fact) AS with_facts FROM subject`,
    );
    expect(subjects!.n).toBe(PATIENTS);
    expect(subjects!.with_facts).toBe(generated.filter((g) => g.resources > 0).length);
    const facts = await rows<{ resource_type: string; n: number }>(
      'SELECT resource_type, count(*)::int AS n FROM fact GROUP BY 1 ORDER BY 1',
    );
    // Every generated resource carries a date, so every one is a fact: exact.
    expect(Object.fromEntries(facts.map((f) => [f.resource_type, Number(f.n)]))).toEqual(
      Object.fromEntries(expectedFacts),
    );
    expect(feed.events.clinical + feed.events.appointments + feed.events.dispenses).toBe(
      [...expectedFacts.values()].reduce((a, b) => a + b, 0),
    );
  }, 30_000);

  it('publishes count tables whose released cells are the true counts, none in 1..10', async () => {
    const release = await publishRelease(store.orm.em.fork(), 'tables', 'population-test', NOW);
    expect(release).not.toBeNull();
    const method = JSON.parse(release!.method) as { years: [number, number] };
    const [from, to] = method.years;
    const [file] = await rows<{ csv: string }>('SELECT csv FROM release WHERE id = ?', [
      release!.id,
    ]);
    const lines = parse<{
      table: string;
      row: string;
      column: string;
      count: string;
      status: 'released' | 'suppressed';
    }>(file!.csv, { columns: true });
    const truth = await trueTables(from, to);
    expect(new Set(lines.map((l) => l.table))).toEqual(new Set(Object.keys(truth)));
    let released = 0;
    let suppressed = 0;
    for (const l of lines) {
      if (l.status === 'suppressed') {
        expect(l.count).toBe('');
        suppressed++;
        continue;
      }
      const n = Number(l.count);
      expect(Number.isInteger(n)).toBe(true);
      expect(n === 0 || n >= 11, `${l.table} ${l.row} ${l.column}: ${n}`).toBe(true);
      expect(n, `${l.table} ${l.row} ${l.column}`).toBe(truthOf(truth[l.table]!, l.row, l.column));
      released++;
    }
    expect(released).toBeGreaterThan(suppressed);
    // Totals agree with the released cells wherever a whole row or column is released.
    for (const table of Object.keys(truth)) {
      const of = lines.filter((l) => l.table === table);
      const check = (
        line: (l: (typeof of)[number]) => boolean,
        total: (l: (typeof of)[number]) => boolean,
      ) => {
        const cells = of.filter(line);
        const t = of.find(total);
        if (t?.status === 'released' && cells.every((c) => c.status === 'released'))
          expect(cells.reduce((s, c) => s + Number(c.count), 0)).toBe(Number(t.count));
      };
      for (const row of new Set(of.map((l) => l.row)))
        check(
          (l) => l.row === row && l.column !== 'TOTAL',
          (l) => l.row === row && l.column === 'TOTAL',
        );
      for (const col of new Set(of.map((l) => l.column)))
        check(
          (l) => l.column === col && l.row !== 'TOTAL',
          (l) => l.column === col && l.row === 'TOTAL',
        );
    }
  }, 60_000);

  it('publishes k-anonymous records (k = 11) in CSV and NDJSON, at least 90% of candidates', async () => {
    const release = await publishRelease(store.orm.em.fork(), 'records', 'population-test', NOW);
    expect(release).not.toBeNull();
    const [file] = await rows<{ csv: string; ndjson: string; candidates: number }>(
      "SELECT csv, ndjson, (method->>'candidates')::int AS candidates FROM release WHERE id = ?",
      [release!.id],
    );
    const csvRows = parse<Record<string, string>>(file!.csv, { columns: true });
    expect(csvRows.length).toBe(release!.rowCount);
    expect(csvRows.length).toBeGreaterThanOrEqual(0.9 * file!.candidates);
    expect(file!.candidates).toBeGreaterThan(0.9 * PATIENTS);
    const csvVerdict = checkKAnonymity(csvRows, ['age_band', 'sex', 'zip3', 'period'], 11);
    expect(csvVerdict).toMatchObject({ ok: true, violations: 0 });

    const resources = file!.ndjson
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as NdjsonResource);
    const patients = resources.filter((r) => r.resourceType === 'Patient');
    expect(patients).toHaveLength(csvRows.length);
    const ext = (r: NdjsonResource, name: string) =>
      r.extension?.find((e) => e.url.endsWith(`/${name}`))?.valueString ?? '';
    const ndjsonRows = patients.map((p) => ({
      age_band: ext(p, 'age-band'),
      sex: p.gender ?? '(none)',
      zip3: p.address?.[0]?.postalCode ?? '',
      period: ext(p, 'period'),
    }));
    expect(checkKAnonymity(ndjsonRows, ['age_band', 'sex', 'zip3', 'period'], 11).ok).toBe(true);
    // The two files carry the same rows in the same order (a sex generalised away has no gender).
    expect(ndjsonRows).toEqual(
      csvRows.map((r) => ({
        age_band: r.age_band,
        sex: ['female', 'male', 'other'].includes(r.sex!) ? r.sex : '(none)',
        zip3: r.zip3,
        period: r.period,
      })),
    );
    const patientIds = new Set(patients.map((p) => `Patient/${p.id}`));
    const conditions = resources.filter((r) => r.resourceType === 'Condition');
    expect(conditions.length).toBe(
      csvRows.reduce(
        (n, r) => n + (r.condition_categories ? r.condition_categories.split(';').length : 0),
        0,
      ),
    );
    expect(conditions.length).toBeGreaterThan(0);
    for (const c of conditions) expect(patientIds.has(c.subject!.reference)).toBe(true);
    expect(file!.csv).not.toMatch(/[0-9a-f]{64}/);
    expect(file!.ndjson).not.toMatch(/[0-9a-f]{64}/);
  }, 60_000);

  it('answers a count question within twice its 95% margin of the true counts', async () => {
    const q = checkQuestion(
      {
        filter: { conditionCategories: ['E00-E89'] },
        groupBy: ['YEAR', 'SEX'],
        yearFrom: UNTIL_YEAR - YEARS,
        yearTo: UNTIL_YEAR - 1,
        epsilon: 1,
      },
      10,
    );
    const answer = await answerCount(store.orm.em.fork(), q, seededRandom(42));
    const truth = await rows<{ year: string; sex: string; n: number }>(
      `SELECT f.year::text AS year, s.sex, count(DISTINCT f.pseudonym)::int AS n
         FROM fact f JOIN subject s ON s.pseudonym = f.pseudonym
        WHERE f.category = 'E00-E89' AND f.year BETWEEN ? AND ? GROUP BY 1, 2`,
      [q.yearFrom, q.yearTo],
    );
    const at = new Map(truth.map((t) => [`${t.year}|${t.sex}`, Number(t.n)]));
    expect(answer.cells).toHaveLength(YEARS * 4);
    expect(answer.margin95).toBeGreaterThan(0);
    // The cohort is large enough that the answer is not just noise.
    expect([...at.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(answer.margin95 * 10);
    for (const c of answer.cells) {
      const trueCount = at.get(c.values.join('|')) ?? 0;
      expect(Math.abs(c.count - trueCount), c.values.join('|')).toBeLessThanOrEqual(
        answer.margin95 * 2,
      );
    }
  }, 30_000);

  it('forecasts all three series, 12 ordered points each, backtested, small weeks withheld', async () => {
    const made = await refreshForecasts(store.orm.em.fork(), NOW);
    expect(new Set(made.map((f) => f.series))).toEqual(new Set(FORECAST_SERIES));
    const weekly = await rows<{ series: string; series_key: string; week: string; n: number }>(
      `SELECT series, series_key, to_char(week, 'YYYY-MM-DD') AS week, sum(amount)::int AS n
         FROM series_count GROUP BY 1, 2, 3`,
    );
    const trueWeek = new Map(
      weekly.map((w) => [`${w.series}|${w.series_key}|${w.week}`, Number(w.n)]),
    );
    let withheld = 0;
    for (const f of made) {
      expect(f.points).toHaveLength(FORECAST_HORIZON);
      expect(FORECAST_HORIZON).toBe(12);
      for (const p of f.points) {
        // Intervals of whole counts, nested; the mean within half a count of the 80% one (a
        // sparse count's mean, say 0.1, lies outside its interval [0, 0], rightly).
        expect(p.lower95).toBeLessThanOrEqual(p.lower80);
        expect(p.lower80).toBeLessThanOrEqual(p.upper80);
        expect(p.upper80).toBeLessThanOrEqual(p.upper95);
        expect(p.mean).toBeGreaterThanOrEqual(Math.max(0, p.lower80 - 0.5));
        expect(p.mean).toBeLessThanOrEqual(p.upper80 + 0.5);
      }
      if (f.history.length >= 104) {
        expect(f.backtest).not.toBeNull();
        for (const a of [f.backtest!.model, f.backtest!.baseline]) {
          expect(Number.isFinite(a.mae), `${f.series} ${f.key}`).toBe(true);
          expect(Number.isFinite(a.mase), `${f.series} ${f.key}`).toBe(true);
        }
      }
      for (const h of f.history) {
        const n = trueWeek.get(`${f.series}|${f.key}|${h.week}`) ?? 0;
        expect(h.count).toBe(n > 0 && n < 11 ? null : n);
        if (h.count === null) withheld++;
      }
    }
    expect(made.filter((f) => f.history.length >= 104).length).toBeGreaterThan(0);
    expect(withheld).toBeGreaterThan(0);
    const [stored] = await rows<{ n: number }>('SELECT count(*)::int AS n FROM forecast');
    expect(stored!.n).toBe(made.length);
  }, 60_000);
});

interface NdjsonResource {
  resourceType: string;
  id: string;
  gender?: string;
  address?: { postalCode?: string }[];
  extension?: { url: string; valueString?: string }[];
  subject?: { reference: string };
}

/** True counts per table: cell key `row|column`, computed here from the store. */
async function trueTables(from: number, to: number): Promise<Record<string, Map<string, number>>> {
  const band = (year: number, born: number | null, aged: boolean): string | null => {
    if (aged) return '90+';
    if (born === null || year < born) return null;
    const age = year - born;
    return age >= 90 ? '90+' : `${Math.floor(age / 5) * 5}-${Math.floor(age / 5) * 5 + 4}`;
  };
  const byAge = async (where: string) => {
    const found = await rows<{ year: number; birth_year: number | null; aged: boolean; n: number }>(
      `SELECT f.year, s.birth_year, s.aged_90_plus AS aged, count(DISTINCT f.pseudonym)::int AS n
         FROM fact f JOIN subject s ON s.pseudonym = f.pseudonym
        WHERE f.year BETWEEN ? AND ? ${where} GROUP BY 1, 2, 3`,
      [from, to],
    );
    const out = new Map<string, number>();
    for (const r of found) {
      const b = band(r.year, r.birth_year, r.aged);
      if (b) bump(out, `${r.year}|${b}`, Number(r.n));
    }
    return out;
  };
  const byColumn = async (column: string, where = '') =>
    new Map(
      (
        await rows<{ k: string; n: number }>(
          `SELECT f.year || '|' || ${column} AS k, count(DISTINCT f.pseudonym)::int AS n
             FROM fact f JOIN subject s ON s.pseudonym = f.pseudonym
            WHERE f.year BETWEEN ? AND ? ${where} GROUP BY 1`,
          [from, to],
        )
      ).map((r) => [r.k, Number(r.n)]),
    );
  return {
    'patients-by-year-age': await byAge(''),
    'patients-by-year-sex': await byColumn('s.sex'),
    'patients-by-year-condition': await byColumn('f.category', 'AND f.category IS NOT NULL'),
    'admissions-patients-by-year-age': await byAge(
      "AND f.resource_type = 'Encounter' AND f.class = 'IMP'",
    ),
  };
}

/** A cell's or total's true value (totals: sums of the true cells of the row, column or table). */
function truthOf(cells: Map<string, number>, row: string, column: string): number {
  let sum = 0;
  for (const [k, n] of cells) {
    const [r, c] = k.split('|');
    if ((row === 'TOTAL' || r === row) && (column === 'TOTAL' || c === column)) sum += n;
  }
  return sum;
}
