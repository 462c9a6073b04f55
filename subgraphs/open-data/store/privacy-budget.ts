import { createHash, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { conflict } from '../../../platform/errors/index.js';
import type { JsonValue } from '../../../platform/events/index.js';
import { canonicalJson } from '../../../platform/identity/operation-hash.js';
import { MAX_TOTAL_MICRO, requireMicro } from '../domain/dp/budget.js';

/**
 * The per-researcher privacy budget and its append-only ledger, and the data
 * use agreement researchers accept (tables: Migration20261220110000Privacy).
 * Arguments that are malformed throw a RangeError (the caller's BAD_USER_INPUT);
 * a state that refuses the call throws CONFLICT.
 */

const RESEARCHER = /^[A-Za-z0-9._:@|-]{1,200}$/;
/** The most ledger entries one read returns. */
export const MAX_LEDGER_PAGE = 100;

function requireResearcher(researcher: string): string {
  if (!RESEARCHER.test(researcher))
    throw new RangeError('researcher must be 1 to 200 letters, digits or ._:@|-');
  return researcher;
}

/** A bigint column (node-pg reads it as a string) as a safe integer. */
function micro(value: string | number): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`micro-epsilon ${value} is out of range`);
  return n;
}

/** SHA-256 hex of the canonical JSON of a question: what a retry must repeat. */
export const questionDigest = (question: JsonValue): string =>
  createHash('sha256').update(canonicalJson(question)).digest('hex');

/** Gives `researcher` a budget of `totalMicro` unless they already have one (which is kept as is). */
export async function ensureBudget(
  em: EntityManager,
  researcher: string,
  totalMicro: bigint | number,
): Promise<void> {
  const total = requireMicro(Number(totalMicro), 'totalMicro');
  if (total === 0 || total > MAX_TOTAL_MICRO)
    throw new RangeError(`totalMicro must be from 1 to ${MAX_TOTAL_MICRO}`);
  await em.execute(
    `INSERT INTO privacy_budget (researcher, total_micro) VALUES (?, ?)
     ON CONFLICT (researcher) DO NOTHING`,
    [requireResearcher(researcher), total],
  );
}

/** A researcher's budget in micro-epsilon. */
export interface Budget {
  totalMicro: number;
  spentMicro: number;
  remainingMicro: number;
}

/** The researcher's budget, or null when they have none. */
export async function budgetOf(em: EntityManager, researcher: string): Promise<Budget | null> {
  const [row] = await em.execute<{ total_micro: string; spent_micro: string }[]>(
    'SELECT total_micro, spent_micro FROM privacy_budget WHERE researcher = ?',
    [requireResearcher(researcher)],
  );
  if (!row) return null;
  const totalMicro = micro(row.total_micro);
  const spentMicro = micro(row.spent_micro);
  return { totalMicro, spentMicro, remainingMicro: totalMicro - spentMicro };
}

/** What `spendAndAnswer` did. */
export type SpendResult<A> =
  /** Answered: spent now, or (`replay`) the stored answer of an earlier call with the same key. */
  | { kind: 'answered'; answer: A; epsilonMicro: number; replay: boolean }
  /** Not answered and nothing spent: the budget (or its absence) does not cover the ε asked. */
  | { kind: 'exhausted'; remainingMicro: number }
  /** The request key was used before for another question or another ε. */
  | { kind: 'conflict' };

export interface SpendAndAnswer<A extends JsonValue> {
  researcher: string;
  /** The caller's idempotency key: a retry with it gets the first answer back, free. */
  requestKey: string;
  /** The canonical question (no patient data): a retry must ask the same. */
  question: JsonValue;
  epsilonMicro: number;
  /** Computes the noisy answer; called only once the spend is made. */
  answer: () => A | Promise<A>;
}

/**
 * Spends `epsilonMicro` of the researcher's budget and records the answer, or
 * replays the recorded one: each (researcher, requestKey) spends exactly once,
 * however many calls race. Runs in the caller's READ COMMITTED transaction:
 *
 * 1. A transaction-scoped advisory lock on (researcher, requestKey) makes
 *    calls with the same key take turns. The lock is held until commit, so a
 *    later turn's next statement sees the earlier turn's committed ledger row
 *    (or, if it rolled back, no row and no spend).
 * 2. With a ledger row for the key: the same question and ε replay its answer
 *    without spending; anything else is a conflict.
 * 3. One conditional UPDATE spends (`spent + ε <= total`); its row lock makes
 *    calls with different keys take turns on the budget, so the sum of the
 *    spends never passes the total. No row updated: exhausted, nothing written.
 * 4. The answer is computed and the ledger row inserted; the answer returned
 *    is the row's, read back, so the first caller and every replay get the
 *    same JSON.
 *
 * The budget row stays locked until the caller commits, so one researcher's
 * answers are computed one at a time (other researchers are not held up).
 * If `answer` throws, or anything after the spend fails, the caller's
 * transaction rolls back and with it the spend. Under REPEATABLE READ the
 * snapshot could predate a concurrent winner's commit: the insert then fails
 * on the unique key and rolls back, so even there nothing is spent twice.
 */
export async function spendAndAnswer<A extends JsonValue>(
  em: EntityManager,
  args: SpendAndAnswer<A>,
): Promise<SpendResult<A>> {
  if (!em.isInTransaction()) throw new Error('spendAndAnswer runs inside the caller’s transaction');
  const researcher = requireResearcher(args.researcher);
  if (args.requestKey.length < 1 || args.requestKey.length > 200)
    throw new RangeError('requestKey must be 1 to 200 characters');
  const epsilonMicro = requireMicro(args.epsilonMicro, 'epsilonMicro');
  if (epsilonMicro === 0) throw new RangeError('epsilonMicro must be at least 1');
  const digest = questionDigest(args.question);

  await em.execute('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [
    JSON.stringify(['opendata:privacy', researcher, args.requestKey]),
  ]);
  const [earlier] = await em.execute<
    { question_digest: string; epsilon_micro: string; answer: A }[]
  >(
    `SELECT question_digest, epsilon_micro, answer FROM privacy_ledger
     WHERE researcher = ? AND request_key = ?`,
    [researcher, args.requestKey],
  );
  if (earlier) {
    if (earlier.question_digest !== digest || micro(earlier.epsilon_micro) !== epsilonMicro)
      return { kind: 'conflict' };
    return { kind: 'answered', answer: earlier.answer, epsilonMicro, replay: true };
  }

  const spent = await em.execute<{ spent_micro: string }[]>(
    `UPDATE privacy_budget SET spent_micro = spent_micro + ?, updated_at = now()
     WHERE researcher = ? AND spent_micro + ? <= total_micro
     RETURNING spent_micro`,
    [epsilonMicro, researcher, epsilonMicro],
  );
  if (spent.length === 0)
    return {
      kind: 'exhausted',
      remainingMicro: (await budgetOf(em, researcher))?.remainingMicro ?? 0,
    };

  const answer = await args.answer();
  const [stored] = await em.execute<{ answer: A }[]>(
    `INSERT INTO privacy_ledger
       (id, researcher, request_key, question_digest, question, epsilon_micro, answer)
     VALUES (?, ?, ?, ?, ?::jsonb, ?, ?::jsonb)
     RETURNING answer`,
    [
      randomUUID(),
      researcher,
      args.requestKey,
      digest,
      JSON.stringify(args.question),
      epsilonMicro,
      JSON.stringify(answer),
    ],
  );
  return { kind: 'answered', answer: stored!.answer, epsilonMicro, replay: false };
}

/** One answered question, as the ledger holds it. */
export interface LedgerEntry {
  id: string;
  requestKey: string;
  questionDigest: string;
  question: JsonValue;
  epsilonMicro: number;
  answer: JsonValue;
  answeredAt: Date;
}

/** The researcher's `first` most recent ledger entries, newest first. */
export async function ledgerOf(
  em: EntityManager,
  researcher: string,
  first: number,
): Promise<LedgerEntry[]> {
  if (!Number.isSafeInteger(first) || first < 1 || first > MAX_LEDGER_PAGE)
    throw new RangeError(`first must be from 1 to ${MAX_LEDGER_PAGE}`);
  const rows = await em.execute<
    {
      id: string;
      request_key: string;
      question_digest: string;
      question: JsonValue;
      epsilon_micro: string;
      answer: JsonValue;
      answered_at: string;
    }[]
  >(
    `SELECT id, request_key, question_digest, question, epsilon_micro, answer, answered_at
     FROM privacy_ledger WHERE researcher = ?
     ORDER BY answered_at DESC, id DESC LIMIT ?`,
    [requireResearcher(researcher), first],
  );
  return rows.map((r) => ({
    id: r.id,
    requestKey: r.request_key,
    questionDigest: r.question_digest,
    question: r.question,
    epsilonMicro: micro(r.epsilon_micro),
    answer: r.answer,
    answeredAt: new Date(r.answered_at),
  }));
}

/** A published data use agreement. */
export interface Agreement {
  version: number;
  title: string;
  body: string;
  /** SHA-256 hex of the body: what an acceptance can be checked against. */
  sha256: string;
  publishedAt: Date;
}

type AgreementRow = Omit<Agreement, 'publishedAt'> & { published_at: string };
const toAgreement = ({ published_at, ...a }: AgreementRow): Agreement => ({
  ...a,
  publishedAt: new Date(published_at),
});

/**
 * Publishes agreement `version`. Publishing the same title and body again is
 * a no-op; another text under a published version is a CONFLICT (a version's
 * text never changes once researchers may have accepted it: publish a new one).
 */
export async function publishAgreement(
  em: EntityManager,
  agreement: { version: number; title: string; body: string },
): Promise<void> {
  const { version, title, body } = agreement;
  if (!Number.isSafeInteger(version) || version < 1 || version > 2 ** 31 - 1)
    throw new RangeError('version must be a whole number of at least 1');
  if (title.length < 1 || title.length > 200)
    throw new RangeError('title must be 1 to 200 characters');
  if (body.length < 1) throw new RangeError('body must not be empty');
  const sha256 = createHash('sha256').update(body).digest('hex');
  await em.execute(
    `INSERT INTO data_use_agreement (version, title, body, sha256) VALUES (?, ?, ?, ?)
     ON CONFLICT (version) DO NOTHING`,
    [version, title, body, sha256],
  );
  const [row] = await em.execute<{ title: string; sha256: string }[]>(
    'SELECT title, sha256 FROM data_use_agreement WHERE version = ?',
    [version],
  );
  if (row?.sha256 !== sha256 || row.title !== title)
    throw conflict(`Data use agreement version ${version} is published with another text`);
}

/** The agreement in force: the highest version published, or null before the first. */
export async function currentAgreement(em: EntityManager): Promise<Agreement | null> {
  const [row] = await em.execute<AgreementRow[]>(
    `SELECT version, title, body, sha256, published_at FROM data_use_agreement
     ORDER BY version DESC LIMIT 1`,
  );
  return row ? toAgreement(row) : null;
}

/**
 * Records that `researcher` accepts agreement `version`, which must be the
 * current one (CONFLICT otherwise: accept the current text). Accepting again
 * returns the first acceptance's time.
 */
export async function acceptAgreement(
  em: EntityManager,
  researcher: string,
  version: number,
): Promise<{ acceptedAt: Date }> {
  requireResearcher(researcher);
  // Insert only while `version` is the newest, in one statement: a concurrent publish cannot slip between.
  await em.execute(
    `INSERT INTO dua_acceptance (researcher, version)
     SELECT ?, version FROM data_use_agreement
     WHERE version = ? AND version = (SELECT max(version) FROM data_use_agreement)
     ON CONFLICT (researcher, version) DO NOTHING`,
    [researcher, version],
  );
  const [row] = await em.execute<{ accepted_at: string; current: boolean }[]>(
    `SELECT accepted_at, version = (SELECT max(version) FROM data_use_agreement) AS current
     FROM dua_acceptance WHERE researcher = ? AND version = ?`,
    [researcher, version],
  );
  if (!row?.current)
    throw conflict('Only the current data use agreement can be accepted: read and accept it');
  return { acceptedAt: new Date(row.accepted_at) };
}

/** Whether `researcher` has accepted the agreement now in force (false before any is published). */
export async function hasAcceptedCurrent(em: EntityManager, researcher: string): Promise<boolean> {
  const [row] = await em.execute<{ accepted: boolean }[]>(
    `SELECT EXISTS (
       SELECT 1 FROM dua_acceptance
       WHERE researcher = ? AND version = (SELECT max(version) FROM data_use_agreement)
     ) AS accepted`,
    [requireResearcher(researcher)],
  );
  return row?.accepted === true;
}
