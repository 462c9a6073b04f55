import type { EntityManager } from '@mikro-orm/postgresql';
import { unavailable } from '../../../platform/errors/index.js';

/**
 * Waits until this subgraph's projection knows every patient in `ids`
 * (their `patient.registered` events applied): the kernel refuses writes
 * for patients it does not know. Polls every 50 ms; SERVICE_UNAVAILABLE
 * after `timeoutMs`.
 */
export async function waitForKnownPatients(
  em: EntityManager,
  ids: readonly string[],
  timeoutMs: number,
): Promise<void> {
  if (!ids.length) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await em.execute<{ missing: number }[]>(
      `SELECT count(*)::int AS missing FROM json_array_elements_text(?::json) AS w(id)
        WHERE NOT EXISTS (SELECT 1 FROM patient_projection p WHERE p.id = w.id::uuid)`,
      [JSON.stringify(ids)],
    );
    if (!row?.missing) return;
    if (Date.now() > deadline)
      throw unavailable(
        'Patients just registered have not reached the clinical record yet; retry shortly',
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}
