import type { EntityManager } from '@mikro-orm/postgresql';
import type { FieldCipher } from '../../../platform/crypto/index.js';
import { executeBound } from '../../../platform/db/bound.js';
import { conflict } from '../../../platform/errors/index.js';
import { publishMany } from '../../../platform/events/publish-many.js';
import { consumersOfEvent } from '../../subscriptions.js';
import { CLINICAL_CHANGED, clinicalChangedData } from '../../contracts/clinical-events.js';
import type { ClinicalFacts, ClinicalType } from '../domain/clinical-kinds.js';
import type { Segment } from '../../contracts/security-labels.js';
import { indexOf } from './resource-index.js';
import { bodyContext, versionContext } from './resource-cipher.js';

/** A FHIR resource as JSON. */
export type FhirResource = Record<string, unknown> & { resourceType: string };

/** One clinical resource ready to store: its final content (references rewritten) and what it was indexed from. */
export interface PreparedResource {
  id: string;
  type: ClinicalType;
  patientId: string;
  /** The content; `id` and `meta` (version, time, security labels) are set here. */
  resource: FhirResource;
  facts: ClinicalFacts;
  segments: Segment[];
  /** The version a clinician's change replaces (optimistic versioning); absent for imports. */
  expectedVersion?: number;
  /** Where it came from: the source map's key and the content's hash. */
  source?: { key: string; contentHash: string };
}

/** One version written. */
export interface StoredVersion {
  id: string;
  type: ClinicalType;
  patientId: string;
  version: number;
  lastUpdated: Date;
  created: boolean;
  resource: FhirResource;
  segments: Segment[];
}

/** What writing needs: the schema's cipher and the blind-index key. */
export interface WriteDeps {
  cipher: FieldCipher;
  indexKey: Buffer;
}

/**
 * Writes new versions of `items` inside the caller's transaction, in five
 * statements however many: the current versions read and locked, the
 * current rows upserted, every version appended (history is never
 * rewritten), the source map updated and one `clinical.changed` per version
 * published. A clinician's change whose `expectedVersion` is not the current
 * one is CONFLICT with `currentVersion`. Access and audit are the caller's,
 * decided on the same transaction.
 */
export async function writeResources(
  em: EntityManager,
  deps: WriteDeps,
  items: readonly PreparedResource[],
  actor: string,
  now: Date,
): Promise<StoredVersion[]> {
  if (!items.length) return [];
  if (!em.isInTransaction()) throw new Error('writeResources must run inside a transaction');
  await deps.cipher.keyring.refreshIfStale(em);
  const current = new Map(
    (
      await em.execute<{ id: string; version: number; patient_id: string; type: string }[]>(
        `SELECT id, version, patient_id, type FROM resource
          WHERE id IN (SELECT json_array_elements_text(?::json)::uuid) FOR UPDATE`,
        [JSON.stringify(items.map((i) => i.id))],
      )
    ).map((r) => [r.id, r]),
  );
  const lastUpdated = now.toISOString();
  const stored: StoredVersion[] = items.map((item) => {
    const was = current.get(item.id);
    if (was && (was.patient_id !== item.patientId || was.type !== item.type))
      throw conflict('This resource belongs to another patient or type');
    if (item.expectedVersion !== undefined && (was?.version ?? 0) !== item.expectedVersion)
      throw conflict('The resource changed since you read it', {
        currentVersion: was?.version ?? 0,
      });
    const version = (was?.version ?? 0) + 1;
    const meta = (item.resource.meta ?? {}) as Record<string, unknown>;
    const resource: FhirResource = {
      ...item.resource,
      id: item.id,
      meta: { ...meta, versionId: String(version), lastUpdated },
    };
    return {
      id: item.id,
      type: item.type,
      patientId: item.patientId,
      version,
      lastUpdated: now,
      created: !was,
      resource,
      segments: item.segments,
    };
  });
  const rows = stored.map((s, i) => {
    const item = items[i]!;
    const index = indexOf(deps.indexKey, item.facts, item.segments);
    const text = JSON.stringify(s.resource);
    return {
      current: {
        id: s.id,
        type: s.type,
        patient_id: s.patientId,
        version: s.version,
        status: item.facts.status,
        sort_at: (index.start ?? index.end ?? now).toISOString(),
        start_at: index.start?.toISOString() ?? null,
        end_at: index.end?.toISOString() ?? null,
        code_index: index.codes,
        category_index: index.categories,
        label_index: index.labels,
        body: deps.cipher.encryptSync(text, bodyContext(s.id)),
        last_updated: lastUpdated,
        updated_by: actor,
      },
      version: {
        id: s.id,
        version: s.version,
        body: deps.cipher.encryptSync(text, versionContext(s.id, s.version)),
        last_updated: lastUpdated,
        updated_by: actor,
      },
    };
  });
  await executeBound(
    em,
    `INSERT INTO resource (id, type, patient_id, version, status, sort_at, start_at, end_at,
        code_index, category_index, label_index, body, last_updated, updated_by)
     SELECT r.id, r.type, r.patient_id, r.version, r.status, r.sort_at, r.start_at, r.end_at,
        ARRAY(SELECT json_array_elements_text(r.code_index)),
        ARRAY(SELECT json_array_elements_text(r.category_index)),
        ARRAY(SELECT json_array_elements_text(r.label_index)),
        r.body, r.last_updated, r.updated_by
       FROM json_to_recordset(?::json) AS r(id uuid, type text, patient_id uuid, version int,
        status text, sort_at timestamptz, start_at timestamptz, end_at timestamptz,
        code_index json, category_index json, label_index json, body text,
        last_updated timestamptz, updated_by text)
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status,
        sort_at = EXCLUDED.sort_at, start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
        code_index = EXCLUDED.code_index, category_index = EXCLUDED.category_index,
        label_index = EXCLUDED.label_index, body = EXCLUDED.body,
        last_updated = EXCLUDED.last_updated, updated_by = EXCLUDED.updated_by`,
    [JSON.stringify(rows.map((r) => r.current))],
  );
  await executeBound(
    em,
    `INSERT INTO resource_version (id, version, body, last_updated, updated_by)
     SELECT * FROM json_to_recordset(?::json)
       AS r(id uuid, version int, body text, last_updated timestamptz, updated_by text)`,
    [JSON.stringify(rows.map((r) => r.version))],
  );
  const sourced = items.flatMap((item) =>
    item.source
      ? [
          {
            source_key: item.source.key,
            type: item.type,
            carefed_id: item.id,
            content_hash: item.source.contentHash,
          },
        ]
      : [],
  );
  await recordSources(em, sourced, now);
  await publishMany(
    em,
    'fhir',
    stored.map((s, i) => ({
      type: CLINICAL_CHANGED.type,
      aggregateId: s.id,
      data: clinicalChangedData(
        { id: s.id, type: s.type, patientId: s.patientId, version: s.version, labels: s.segments },
        items[i]!.facts,
      ),
      occurredAt: now,
    })),
    consumersOfEvent,
  );
  return stored;
}

/** Maps source ids to the Carefed ids they became (and the content last imported). */
export async function recordSources(
  em: EntityManager,
  rows: readonly { source_key: string; type: string; carefed_id: string; content_hash: string }[],
  now: Date,
): Promise<void> {
  if (!rows.length) return;
  await executeBound(
    em,
    `INSERT INTO source_map (source_key, type, carefed_id, content_hash, imported_at)
     SELECT r.source_key, r.type, r.carefed_id, r.content_hash, ?::timestamptz
       FROM json_to_recordset(?::json) AS r(source_key text, type text, carefed_id text, content_hash text)
     ON CONFLICT (source_key) DO UPDATE SET carefed_id = EXCLUDED.carefed_id,
       content_hash = EXCLUDED.content_hash, imported_at = EXCLUDED.imported_at`,
    [now.toISOString(), JSON.stringify(rows)],
  );
}
