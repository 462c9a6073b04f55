import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { key, newPatient } from '../support/billing.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The ledger is append-only even for billing's own login: after migrations
 * the stack hands `billing.ledger_entry` and its trigger functions to a role
 * that cannot log in (platform/db/guard.ts), so the service role can read and
 * insert, but neither update, delete, truncate, drop or disable the triggers,
 * nor replace the functions they run.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('billing-ledger-guard');
});
afterAll(() => t?.stop());

/** Runs `sql` as the billing service role (the subgraph's own connection). */
const asBilling = (sql: string) => t.stack.subgraph('billing').orm.em.fork().execute(sql);

describe('the billing ledger under its NOLOGIN owner', () => {
  it('is owned by the guard role, with its trigger functions', async () => {
    const [table] = await t.sql<{ owner: string; login: boolean }>(
      `SELECT c.relowner::regrole::text AS owner, r.rolcanlogin AS login
         FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
        WHERE c.oid = 'billing.ledger_entry'::regclass`,
    );
    expect(table).toEqual({ owner: `${t.config.DB_ROLE_PREFIX}_billing_guard`, login: false });
    const functions = await t.sql<{ proname: string; owner: string }>(
      `SELECT proname, proowner::regrole::text AS owner FROM pg_proc
        WHERE pronamespace = 'billing'::regnamespace AND proname LIKE 'ledger_entry_%' ORDER BY proname`,
    );
    expect(functions).toEqual([
      { proname: 'ledger_entry_check_reversal', owner: table!.owner },
      { proname: 'ledger_entry_immutable', owner: table!.owner },
    ]);
  });

  it('owns the schema too, where the service still creates (and drops) its own tables', async () => {
    const [schema] = await t.sql<{ owner: string }>(
      "SELECT nspowner::regrole::text AS owner FROM pg_namespace WHERE nspname = 'billing'",
    );
    expect(schema!.owner).toBe(`${t.config.DB_ROLE_PREFIX}_billing_guard`);
    await asBilling('CREATE TABLE billing.guard_probe (id int)');
    await asBilling('DROP TABLE billing.guard_probe');
  });

  it('still takes payments (the service reads and appends)', async () => {
    const patientId = await newPatient(t, 'guard');
    const r = await t.gql<{ takePayment: { id: string } }>(
      await t.token('billing'),
      'mutation ($i: TakePaymentInput!) { takePayment(input: $i) { id } }',
      { i: { patientId, amount: { amount: '7.00', currency: 'USD' }, idempotencyKey: key() } },
    );
    expect(r.errors).toBeUndefined();
    const [row] = await asBilling(
      `SELECT count(*)::text AS n FROM billing.ledger_entry WHERE account_patient_id = '${patientId}'`,
    );
    expect(row).toEqual({ n: '1' });
  });

  it.each([
    ['drop a trigger', 'DROP TRIGGER ledger_entry_no_update ON billing.ledger_entry'],
    ['disable the triggers', 'ALTER TABLE billing.ledger_entry DISABLE TRIGGER ALL'],
    [
      'replace a trigger function',
      `CREATE OR REPLACE FUNCTION billing.ledger_entry_immutable() RETURNS trigger
         LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
    ],
    ['update an entry', 'UPDATE billing.ledger_entry SET amount_minor = 1'],
    ['delete entries', 'DELETE FROM billing.ledger_entry'],
    ['truncate the ledger', 'TRUNCATE billing.ledger_entry CASCADE'],
    ['drop the ledger', 'DROP TABLE billing.ledger_entry CASCADE'],
    ['drop its schema', 'DROP SCHEMA billing CASCADE'],
  ])('refuses the service role to %s', async (_what, sql) => {
    const before = await t.sql<{ n: string }>(
      'SELECT count(*)::text AS n FROM billing.ledger_entry',
    );
    await expect(asBilling(sql)).rejects.toMatchObject({ code: '42501' });
    expect(await t.sql('SELECT count(*)::text AS n FROM billing.ledger_entry')).toEqual(before);
    const [triggers] = await t.sql<{ n: string }>(
      `SELECT count(*)::text AS n FROM pg_trigger
        WHERE tgrelid = 'billing.ledger_entry'::regclass AND NOT tgisinternal AND tgenabled = 'O'`,
    );
    expect(triggers!.n).toBe('3');
  });
});
