import DataLoader from 'dataloader';
import { groupBy } from '../../platform/data/group-by.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../platform/identity/principal.js';
import {
  BreakGlassGrantEntity,
  CareTeamMember,
  ConsentRecordEntity,
  PatientVersion,
} from './entities/index.js';

/**
 * Per-request batch loaders: however many patients a query touches, each kind
 * of fact costs one SQL statement.
 */
export function createLoaders(em: EntityManager, principal: Principal, now: Date) {
  return {
    /** Whether each id is a patient (the kernel's existence fact), without loading the record. */
    exists: new DataLoader<string, boolean>(async (ids) => {
      const rows = await em.execute<{ id: string }[]>(
        'SELECT id FROM patient WHERE id IN (SELECT json_array_elements_text(?::json)::uuid)',
        [JSON.stringify([...new Set(ids)])],
      );
      const found = new Set(rows.map((r) => r.id));
      return ids.map((id) => found.has(id));
    }),
    careTeam: new DataLoader<string, CareTeamMember[]>(async (ids) =>
      groupBy(
        ids,
        await em.find(
          CareTeamMember,
          { patientId: { $in: [...ids] }, until: null },
          { orderBy: { since: 'asc' } },
        ),
        (r) => r.patientId,
      ),
    ),
    consents: new DataLoader<string, ConsentRecordEntity[]>(async (ids) =>
      groupBy(
        ids,
        await em.find(
          ConsentRecordEntity,
          { patientId: { $in: [...ids] } },
          { orderBy: { recordedAt: 'desc' } },
        ),
        (r) => r.patientId,
      ),
    ),
    /** The caller's own unexpired break-the-glass grants, by patient. */
    myGrants: new DataLoader<string, BreakGlassGrantEntity[]>(async (ids) =>
      principal.practitionerId
        ? groupBy(
            ids,
            await em.find(BreakGlassGrantEntity, {
              patientId: { $in: [...ids] },
              practitionerId: principal.practitionerId,
              expiresAt: { $gt: now },
            }),
            (r) => r.patientId,
          )
        : ids.map(() => []),
    ),
    versions: new DataLoader<string, PatientVersion[]>(async (ids) =>
      groupBy(
        ids,
        await em.find(
          PatientVersion,
          { patientId: { $in: [...ids] } },
          { orderBy: { version: 'desc' } },
        ),
        (r) => r.patientId,
      ),
    ),
  };
}

export type PatientLoaders = ReturnType<typeof createLoaders>;
