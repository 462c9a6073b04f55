import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher } from '../../../platform/crypto/index.js';
import type { ClinicalType } from '../domain/clinical-kinds.js';
import type { Segment } from '../../contracts/security-labels.js';
import { bodyContext } from './resource-cipher.js';
import { categoryToken, codeToken, segmentsOfTokens } from './resource-index.js';
import type { FhirResource } from './resource-writes.js';

/** A stored resource as read: its row (ciphertext body) with the segments decoded. */
export interface ResourceRecord {
  id: string;
  type: ClinicalType;
  patientId: string;
  version: number;
  status: string | null;
  lastUpdated: Date;
  labels: Segment[];
  body: string;
}

/** A resource decrypted: what the GraphQL mappers read. */
export interface ClinicalRow extends Omit<ResourceRecord, 'body'> {
  resource: FhirResource;
}

/** The columns a read selects (the body stays ciphertext until the kernel has allowed it). */
export const RESOURCE_COLUMNS =
  'r.id, r.type, r.patient_id, r.version, r.status, r.last_updated, r.label_index, r.body';

/** A raw row of `RESOURCE_COLUMNS` as a record. */
export function recordOf(indexKey: Buffer, r: Record<string, unknown>): ResourceRecord {
  return {
    id: String(r.id),
    type: String(r.type) as ClinicalType,
    patientId: String(r.patient_id),
    version: Number(r.version),
    status: (r.status as string | null) ?? null,
    lastUpdated: new Date(r.last_updated as string | Date),
    labels: segmentsOfTokens(indexKey, (r.label_index as string[] | null) ?? []),
    body: String(r.body),
  };
}

/** Decrypts an allowed record (its key loaded if need be). */
export async function decryptRecord(
  em: EntityManager,
  cipher: FieldCipher,
  rec: ResourceRecord,
): Promise<ClinicalRow> {
  const ctx = bodyContext(rec.id);
  const text = cipher.decryptSync(rec.body, ctx) ?? (await cipher.decrypt(em, rec.body, ctx));
  return {
    id: rec.id,
    type: rec.type,
    patientId: rec.patientId,
    version: rec.version,
    status: rec.status,
    lastUpdated: rec.lastUpdated,
    labels: rec.labels,
    resource: JSON.parse(text) as FhirResource,
  };
}

/** Statuses of a resource still going on: with no end, it overlaps any later range. */
const ONGOING = `('active', 'recurrence', 'relapse', 'in-progress', 'on-hold')`;

/** A clinician's filter over one patient's resources of one type. */
export interface ClinicalFilterArgs {
  status?: readonly string[] | null;
  category?: { system?: string | null; code: string } | null;
  code?: { system?: string | null; code: string } | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * The filter as SQL conditions over `resource r`: the types; the statuses
 * asked for (by default everything but `entered-in-error`); a code or
 * category through its blind index; a date range overlapping the
 * resource's clinical period.
 */
export function clinicalConditions(
  indexKey: Buffer,
  types: readonly ClinicalType[],
  f: ClinicalFilterArgs | null | undefined,
): { sql: string; params: unknown[] }[] {
  const out: { sql: string; params: unknown[] }[] = [
    {
      sql: 'r.type IN (SELECT json_array_elements_text(?::json))',
      params: [JSON.stringify(types)],
    },
  ];
  if (f?.status?.length)
    out.push({
      sql: 'r.status IN (SELECT json_array_elements_text(?::json))',
      params: [JSON.stringify(f.status)],
    });
  else out.push({ sql: "r.status IS DISTINCT FROM 'entered-in-error'", params: [] });
  if (f?.code)
    out.push({
      sql: 'r.code_index @> ARRAY[?]::text[]',
      params: [codeToken(indexKey, f.code.code, f.code.system)],
    });
  if (f?.category)
    out.push({
      sql: 'r.category_index @> ARRAY[?]::text[]',
      params: [categoryToken(indexKey, f.category.code, f.category.system)],
    });
  if (f?.from)
    out.push({
      sql: `(coalesce(r.end_at, r.start_at, r.sort_at) >= ?::timestamptz
          OR (r.end_at IS NULL AND r.status IN ${ONGOING}))`,
      params: [f.from.toISOString()],
    });
  if (f?.to)
    out.push({
      sql: 'coalesce(r.start_at, r.sort_at) <= ?::timestamptz',
      params: [f.to.toISOString()],
    });
  return out;
}
