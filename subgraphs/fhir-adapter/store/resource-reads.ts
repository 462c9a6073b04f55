import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher } from '../../../platform/crypto/index.js';
import { segmentsOfLabels } from '../../contracts/security-labels.js';
import { labelsOn } from './prepare.js';
import { versionContext } from './resource-cipher.js';
import {
  recordOf,
  RESOURCE_COLUMNS,
  type ClinicalRow,
  type ResourceRecord,
} from './resource-rows.js';
import type { FhirResource } from './resource-writes.js';

/** The current version of resource `id` (body still encrypted), or undefined. */
export async function resourceRecord(
  em: EntityManager,
  indexKey: Buffer,
  id: string,
): Promise<ResourceRecord | undefined> {
  const [row] = await em.execute<Record<string, unknown>[]>(
    `SELECT ${RESOURCE_COLUMNS} FROM resource r WHERE r.id = ?::uuid`,
    [id],
  );
  return row ? recordOf(indexKey, row) : undefined;
}

/**
 * Every version of a resource, newest first, decrypted, each with the
 * segments its own labels name (an old version may have carried a label the
 * current one does not).
 */
export async function resourceVersions(
  em: EntityManager,
  cipher: FieldCipher,
  current: ResourceRecord,
): Promise<ClinicalRow[]> {
  const rows = await em.execute<{ version: number; body: string; last_updated: string | Date }[]>(
    'SELECT version, body, last_updated FROM resource_version WHERE id = ?::uuid ORDER BY version DESC',
    [current.id],
  );
  return Promise.all(
    rows.map(async (r) => {
      const ctx = versionContext(current.id, r.version);
      const text = cipher.decryptSync(r.body, ctx) ?? (await cipher.decrypt(em, r.body, ctx));
      const resource = JSON.parse(text) as FhirResource;
      return {
        id: current.id,
        type: current.type,
        patientId: current.patientId,
        version: r.version,
        status: null,
        lastUpdated: new Date(r.last_updated),
        labels: segmentsOfLabels(labelsOn(resource)),
        resource,
      };
    }),
  );
}
