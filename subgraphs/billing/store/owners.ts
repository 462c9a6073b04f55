import type { EntityManager } from '@mikro-orm/postgresql';
import { SCHEMA } from './ledger.js';

/** The patient whose account a payment went to, or undefined when there is no such payment. */
export async function paymentPatient(
  em: EntityManager,
  paymentId: string,
): Promise<string | undefined> {
  const [row] = await em.execute<{ patient_id: string }[]>(
    `SELECT patient_id FROM ${SCHEMA}.payment WHERE id = ?`,
    [paymentId],
  );
  return row?.patient_id;
}
