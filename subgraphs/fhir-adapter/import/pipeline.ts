import { createHmac, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import {
  parseScopes,
  scopeAllows,
  scopeContexts,
  type PatientAccessDecision,
} from '../../../platform/authz/index.js';
import { executeBound } from '../../../platform/db/bound.js';
import { recordAccess, type AccessEvent } from '../../../platform/audit/request-audit.js';
import { blindIndex } from '../../../platform/crypto/index.js';
import type { Principal } from '../../../platform/identity/principal.js';
import { clinicalAccess, clinicalEvent, isSystemClient } from '../access.js';
import type { FhirContext } from '../context.js';
import { isClinicalType, type ClinicalType } from '../domain/clinical-kinds.js';
import { factsAndSegments, withLabels } from '../store/prepare.js';
import type { Segment } from '../../contracts/security-labels.js';
import { decideRecords } from '../../../platform/authz/index.js';
import {
  recordSources,
  writeResources,
  type FhirResource,
  type PreparedResource,
} from '../store/resource-writes.js';
import { validateResource } from '../validation/fhir-schema.js';
import type { ForeignResult } from './foreign.js';
import { patientGap, type FhirPatient } from '../../contracts/fhir-patient.js';
import { literalTarget, referencesIn, rewriteReferences, stableJson } from './references.js';
import {
  emptyReport,
  issue,
  tally,
  type EntryOutcome,
  type FhirIssue,
  type ImportEntry,
  type ImportReport,
} from './report.js';
import { waitForKnownPatients } from './known-patients.js';

/**
 * How entries commit: `transaction` all or nothing (FHIR transaction
 * bundle), `batch` each entry on its own (FHIR batch bundle), `bulk` in
 * chunks that each commit (NDJSON bulk import).
 */
export type ImportMode = 'transaction' | 'batch' | 'bulk';

export interface ImportRequest {
  /** The source system the ids belong to (the source map is per source). */
  source: string;
  mode: ImportMode;
  entries: readonly ImportEntry[];
}

export interface ImportResult {
  /** One per entry, in order. */
  outcomes: EntryOutcome[];
  report: ImportReport;
  /** False when a transaction wrote nothing because an entry failed. */
  committed: boolean;
}

/** Resources per transaction in `bulk` and `batch` modes. */
const CHUNK = 1000;

/** Who owns what Carefed does not keep here, and why an entry of it is not imported. */
const UNMAPPED: Readonly<Record<string, string>> = {
  Organization:
    'facilities are care routing’s directory (npm run care-routing:import); organisations are not kept',
  Location:
    'facilities are care routing’s directory (npm run care-routing:import); the record’s references to them are kept and resolved there',
  Coverage: 'coverage is recorded through billing; importing it is not built yet',
  Appointment: 'appointments are booked through scheduling; importing them is not built yet',
};
const FOREIGN = new Set(['Patient', 'Practitioner', 'PractitionerRole']);

/** An entry not yet decided (compared by identity). */
const PENDING: EntryOutcome = { kind: 'error', issues: [] };

interface Valid {
  index: number;
  entry: ImportEntry;
  resource: FhirResource;
  type: string;
  sourceKey: string | undefined;
}

/** The source map's key of a source id (keyed: the map holds no source id in the clear). */
const sourceKeyOf = (indexKey: Buffer, source: string, type: string, id: string): string =>
  blindIndex(indexKey, 'fhir.source', source, type, id);

/** A conditional reference by identifier (`Practitioner?identifier=system|value`) as `[type, query]`. */
const identifierTarget = (ref: string): [string, string] | undefined => {
  const m = /^([A-Z][A-Za-z]+)\?(identifier=[^&]+\|[^&|]+)$/.exec(ref);
  return m ? [m[1]!, m[2]!] : undefined;
};

/**
 * The source map's key of a practitioner's identifier: imports name
 * practitioners by NPI (Synthea's `Practitioner?identifier=…us-npi|…`), and
 * a later import (or a later step of this one) must find the one imported.
 */
const identifierKeyOf = (indexKey: Buffer, source: string, type: string, query: string): string =>
  blindIndex(indexKey, 'fhir.source.identifier', source, type, query);

/** Keyed hash of a resource's content as it came (keys sorted), to tell a change. */
const contentHashOf = (indexKey: Buffer, resource: unknown): string =>
  createHmac('sha256', indexKey)
    .update(`fhir.content\0${stableJson(resource)}`)
    .digest('hex');

function mayImportForeign(p: Principal, type: string): boolean {
  if (!p.roles.includes('admin') && !isSystemClient(p)) return false;
  const scopes = parseScopes(p.scopes);
  const contexts = scopeContexts(p);
  return (['c', 'u'] as const).every((permission) =>
    scopeAllows(scopes, { resourceType: type, permission, contexts }),
  );
}

const npiOf = (r: FhirResource): string | undefined =>
  (r.identifier as { system?: string; value?: string }[] | undefined)?.find(
    (i) => i.system === 'http://hl7.org/fhir/sid/us-npi',
  )?.value;

/**
 * The one import path: bundles, bulk NDJSON and the operator's CLI all come
 * here. Each resource is validated against the official R4 JSON Schema
 * first; resources other subgraphs own go to them through the graph;
 * references are resolved (within the import, then through the source map
 * of earlier imports); identical content is left alone and changed content
 * becomes a new version; every clinical write is decided by the kernel
 * (role, scope, compartment, consent, with its security labels) and audited
 * in the transaction that writes it.
 */
export async function importEntries(ctx: FhirContext, req: ImportRequest): Promise<ImportResult> {
  const { indexKey } = ctx.services;
  // Every entry starts pending (an error with no issue, "Not imported" if it stays so).
  const outcomes: EntryOutcome[] = req.entries.map(() => PENDING);
  const valid: Valid[] = [];
  req.entries.forEach((entry, index) => {
    const issues = entry.unreadable
      ? [issue('structure', 'Resource', entry.unreadable)]
      : validateResource(entry.resource);
    if (issues.length) {
      outcomes[index] = { kind: 'error', issues };
      return;
    }
    const resource = entry.resource as FhirResource;
    const type = resource.resourceType;
    const id = typeof resource.id === 'string' ? resource.id : entry.fullUrl;
    const sourceKey = id ? sourceKeyOf(indexKey, req.source, type, id) : undefined;
    if (UNMAPPED[type] !== undefined || (!isClinicalType(type) && !FOREIGN.has(type)))
      outcomes[index] =
        req.mode === 'transaction'
          ? {
              kind: 'error',
              issues: [
                issue(
                  'not-supported',
                  type,
                  `${type} is not imported: ${UNMAPPED[type] ?? 'not a resource type Carefed stores'}`,
                ),
              ],
            }
          : {
              kind: 'unmapped',
              type,
              reason: UNMAPPED[type] ?? 'not a resource type Carefed stores',
            };
    else if (FOREIGN.has(type) && !mayImportForeign(ctx.principal, type))
      outcomes[index] = {
        kind: 'error',
        issues: [
          issue(
            'forbidden',
            type,
            `Importing ${type} needs an importer (admin or system client) with ${type} create and update scopes`,
          ),
        ],
      };
    else valid.push({ index, entry, resource, type, sourceKey });
  });
  // A pending entry has not failed: only an entry given its own error fails a transaction.
  const failed = () => outcomes.some((o) => o.kind === 'error' && o !== PENDING);
  if (req.mode === 'transaction' && failed()) return finish(req, outcomes, false);

  // Earlier imports: the entries themselves, and every literal reference they make.
  const wanted = new Set<string>();
  for (const v of valid) {
    if (v.sourceKey) wanted.add(v.sourceKey);
    for (const ref of referencesIn(v.resource)) {
      const t = literalTarget(ref);
      if (t) wanted.add(sourceKeyOf(indexKey, req.source, t[0], t[1]));
      const q = identifierTarget(ref);
      if (q) wanted.add(identifierKeyOf(indexKey, req.source, q[0], q[1]));
    }
  }
  const known = await sourceMap(ctx.em, [...wanted]);

  // This import's own ids: fullUrl and Type/id of every valid entry, once its Carefed id is known.
  const byRef = new Map<string, string>();
  const byIdentifier = new Map<string, string>();
  const bind = (v: Valid, carefedId: string) => {
    const to = `${v.type === 'PractitionerRole' ? 'PractitionerRole' : v.type}/${carefedId}`;
    if (v.entry.fullUrl) byRef.set(v.entry.fullUrl, to);
    if (typeof v.resource.id === 'string') byRef.set(`${v.type}/${v.resource.id}`, to);
    for (const i of (v.resource.identifier as { system?: string; value?: string }[] | undefined) ??
      [])
      if (i.system && i.value) byIdentifier.set(`${v.type}?identifier=${i.system}|${i.value}`, to);
  };

  // Resources other subgraphs own first: clinical references point at them.
  const patients = valid.filter((v) => v.type === 'Patient');
  const practitioners = valid.filter((v) => v.type === 'Practitioner');
  const roles = valid.filter((v) => v.type === 'PractitionerRole');
  const foreignDone = await writeForeign(
    ctx,
    req,
    { patients, practitioners, roles },
    outcomes,
    bind,
  );
  if (req.mode === 'transaction' && failed()) return finish(req, outcomes, false);
  await recordSources(
    ctx.em,
    foreignDone.flatMap((f) => {
      const row = {
        type: f.v.type,
        carefed_id: f.id,
        content_hash: contentHashOf(indexKey, f.v.resource),
      };
      // Practitioners are named by identifier (NPI) more often than by id: keep both.
      const identifiers =
        f.v.type === 'Practitioner'
          ? ((f.v.resource.identifier as { system?: string; value?: string }[] | undefined) ?? [])
          : [];
      return [
        { ...row, source_key: f.v.sourceKey! },
        ...identifiers
          .filter((i) => i.system && i.value)
          .map((i) => ({
            ...row,
            source_key: identifierKeyOf(
              indexKey,
              req.source,
              f.v.type,
              `identifier=${i.system}|${i.value}`,
            ),
          })),
      ];
    }),
    ctx.now,
  );

  // Clinical resources: Carefed ids (kept from earlier imports), unchanged ones left alone.
  const clinical = valid.filter((v) => isClinicalType(v.type));
  const fresh: (Valid & { id: string; hash: string; existing: boolean })[] = [];
  for (const v of clinical) {
    const hash = contentHashOf(indexKey, v.resource);
    const before = v.sourceKey ? known.get(v.sourceKey) : undefined;
    const id = before?.carefedId ?? randomUUID();
    bind(v, id);
    if (before && before.contentHash === hash) {
      outcomes[v.index] = { kind: 'unchanged', type: v.type, id };
      continue;
    }
    fresh.push({ ...v, id, hash, existing: before !== undefined });
  }
  const resolve = (ref: string): string | undefined => {
    const own = byRef.get(ref) ?? byIdentifier.get(ref);
    if (own) return own;
    const t = literalTarget(ref);
    const hit = t && known.get(sourceKeyOf(indexKey, req.source, t[0], t[1]));
    if (hit) return `${t[0]}/${hit.carefedId}`;
    const q = identifierTarget(ref);
    const byId = q && known.get(identifierKeyOf(indexKey, req.source, q[0], q[1]));
    return byId ? `${q[0]}/${byId.carefedId}` : undefined;
  };
  const prepared: (PreparedResource & { index: number; existing: boolean })[] = [];
  for (const v of fresh) {
    const resource = rewriteReferences(v.resource, resolve);
    const { facts, segments } = factsAndSegments(resource);
    const target = facts.patientRef ? literalTarget(facts.patientRef) : undefined;
    if (target?.[0] !== 'Patient' || !/^[0-9a-f-]{36}$/.test(target[1])) {
      outcomes[v.index] = {
        kind: 'error',
        issues: [
          issue(
            'not-found',
            `${v.type}.subject`,
            'The patient it is about is not in this import, nor in an earlier one from this source',
          ),
        ],
      };
      continue;
    }
    prepared.push({
      index: v.index,
      existing: v.existing,
      id: v.id,
      type: v.type as ClinicalType,
      patientId: target[1],
      resource: resource,
      facts,
      segments,
      source: v.sourceKey ? { key: v.sourceKey, contentHash: v.hash } : undefined,
    });
  }
  inheritNoteSegments(prepared);
  for (const p of prepared) p.resource = withLabels(p.resource, p.segments);
  if (req.mode === 'transaction' && failed()) return finish(req, outcomes, false);

  // Patients registered (or matched) reach this subgraph by event: wait until it knows them.
  const created = foreignDone.filter((f) => f.v.type === 'Patient').map((f) => f.id);
  // A large registration queues behind itself in the access-fact lane: allow it time.
  await waitForKnownPatients(
    ctx.em,
    created,
    Math.max(ctx.services.accessFactsMaxLagMs * 2, 60_000),
  );

  const chunks = req.mode === 'transaction' ? [prepared] : chunked(prepared, CHUNK);
  for (const chunk of chunks) {
    const ok = await writeChunk(ctx, chunk, outcomes, req.mode === 'transaction');
    if (!ok) {
      for (const p of prepared)
        if (outcomes[p.index]!.kind !== 'error')
          outcomes[p.index] = {
            kind: 'error',
            issues: [
              issue('processing', p.type, 'Not written: another entry of this transaction failed'),
            ],
          };
      return finish(req, outcomes, false);
    }
  }
  return finish(req, outcomes, true);
}

/**
 * A clinical note (DocumentReference) repeats what its encounter recorded:
 * it carries the security labels of every resource of the same encounter
 * in this import (a note listing a substance-use diagnosis is as sensitive
 * as the diagnosis).
 */
function inheritNoteSegments(prepared: PreparedResource[]): void {
  const byEncounter = new Map<string, Set<Segment>>();
  for (const p of prepared) {
    const e = p.facts.refs.encounter;
    if (!e || !p.segments.length) continue;
    const set = byEncounter.get(e) ?? new Set<Segment>();
    for (const s of p.segments) set.add(s);
    byEncounter.set(e, set);
  }
  for (const p of prepared)
    if (p.type === 'DocumentReference' && p.facts.refs.encounter)
      p.segments = [
        ...new Set([...p.segments, ...(byEncounter.get(p.facts.refs.encounter) ?? [])]),
      ];
}

async function writeForeign(
  ctx: FhirContext,
  req: ImportRequest,
  groups: { patients: Valid[]; practitioners: Valid[]; roles: Valid[] },
  outcomes: EntryOutcome[],
  bind: (v: Valid, id: string) => void,
): Promise<{ v: Valid; id: string; outcome: ForeignResult['outcome'] }[]> {
  const done: { v: Valid; id: string; outcome: ForeignResult['outcome'] }[] = [];
  const apply = (list: Valid[], results: ForeignResult[]) => {
    const byKey = new Map(results.map((r) => [r.sourceKey, r]));
    for (const v of list) {
      const r = byKey.get(v.sourceKey!);
      if (!r) {
        outcomes[v.index] = {
          kind: 'error',
          issues: [issue('processing', v.type, 'The owning subgraph did not answer for it')],
        };
        continue;
      }
      bind(v, r.id);
      outcomes[v.index] = {
        kind:
          r.outcome === 'CREATED' ? 'created' : r.outcome === 'UPDATED' ? 'updated' : 'unchanged',
        type: v.type,
        id: r.id,
      };
      done.push({ v, id: r.id, outcome: r.outcome });
    }
  };
  const withKey = (list: Valid[]) =>
    list.filter((v) => {
      if (v.sourceKey) return true;
      outcomes[v.index] = {
        kind: 'error',
        issues: [
          issue(
            'required',
            `${v.type}.id`,
            'A resource another subgraph owns needs an id or a fullUrl to be matched again',
          ),
        ],
      };
      return false;
    });
  const fail = (list: Valid[], err: unknown) => {
    const code = (err as { extensions?: { code?: string } }).extensions?.code;
    ctx.log.warn({ err: (err as Error).message, code }, 'foreign import failed');
    for (const v of list)
      outcomes[v.index] = {
        kind: 'error',
        issues: [
          issue(
            code === 'FORBIDDEN' ? 'forbidden' : 'processing',
            v.type,
            `The ${v.type === 'Patient' ? 'patient' : 'scheduling'} subgraph refused or failed the import (${code ?? 'unavailable'})`,
          ),
        ],
      };
  };
  const patients = withKey(groups.patients).filter((v) => {
    const gap = patientGap(v.resource as unknown as FhirPatient);
    if (gap) outcomes[v.index] = { kind: 'error', issues: [issue('required', 'Patient', gap)] };
    return !gap;
  });
  for (const part of chunked(patients, 100)) {
    try {
      apply(
        part,
        await ctx.services.foreign.patients(
          part.map((v) => ({ sourceKey: v.sourceKey!, resource: v.resource })),
        ),
      );
    } catch (err) {
      fail(part, err);
    }
  }
  const practitioners = withKey(groups.practitioners);
  const rolesOf = new Map<string, Valid[]>();
  for (const role of groups.roles) {
    const named = role.resource.practitioner as
      { reference?: string; identifier?: { system?: string; value?: string } } | undefined;
    const ref = named?.reference ?? '';
    // A logical reference (Synthea's) names the practitioner by identifier, not by reference.
    const npi =
      /us-npi\|(\d+)$/.exec(ref)?.[1] ??
      (named?.identifier?.system === 'http://hl7.org/fhir/sid/us-npi'
        ? named.identifier.value
        : undefined);
    const owner = practitioners.find((p) =>
      npi
        ? npiOf(p.resource) === npi
        : ref === `Practitioner/${String(p.resource.id)}` || ref === p.entry.fullUrl,
    );
    if (!owner) {
      outcomes[role.index] = {
        kind: 'unmapped',
        type: 'PractitionerRole',
        reason: 'its practitioner is not in this import',
      };
      continue;
    }
    rolesOf.set(owner.sourceKey!, [...(rolesOf.get(owner.sourceKey!) ?? []), role]);
  }
  for (const part of chunked(practitioners, 200)) {
    try {
      const results = await ctx.services.foreign.practitioners(
        part.map((v) => ({
          sourceKey: v.sourceKey!,
          practitioner: v.resource,
          roles: (rolesOf.get(v.sourceKey!) ?? []).map((r) => r.resource),
        })),
      );
      apply(part, results);
      // A role is folded into its practitioner: it shares the practitioner's outcome.
      const byKey = new Map(results.map((r) => [r.sourceKey, r]));
      for (const p of part)
        for (const role of rolesOf.get(p.sourceKey!) ?? []) {
          const r = byKey.get(p.sourceKey!);
          if (r)
            outcomes[role.index] = {
              kind:
                r.outcome === 'CREATED'
                  ? 'created'
                  : r.outcome === 'UPDATED'
                    ? 'updated'
                    : 'unchanged',
              type: 'PractitionerRole',
              id: r.id,
            };
        }
    } catch (err) {
      fail([...part, ...part.flatMap((p) => rolesOf.get(p.sourceKey!) ?? [])], err);
    }
  }
  return done;
}

/** Decides, audits and writes one chunk in one transaction; false if a transaction must fail. */
async function writeChunk(
  ctx: FhirContext,
  all: readonly (PreparedResource & { index: number; existing: boolean })[],
  outcomes: EntryOutcome[],
  allOrNothing: boolean,
): Promise<boolean> {
  if (!all.length) return true;
  let chunk = all;
  const refused = new Error('refused');
  let denials: AccessEvent[] = [];
  try {
    await ctx.em.fork().transactional(async (em: EntityManager) => {
      // A source id that now names another patient (or type) than the resource it became is the
      // source's error: refused for that entry, never a move of the record to another patient.
      const moved = new Set(
        (
          await executeBound<{ id: string }>(
            em,
            `SELECT r.id FROM resource r
               JOIN json_to_recordset(?::json) AS w(id uuid, patient_id uuid, type text) ON w.id = r.id
              WHERE r.patient_id <> w.patient_id OR r.type <> w.type`,
            [
              JSON.stringify(
                chunk.map((p) => ({ id: p.id, patient_id: p.patientId, type: p.type })),
              ),
            ],
          )
        ).map((r) => r.id),
      );
      for (const p of chunk)
        if (moved.has(p.id))
          outcomes[p.index] = {
            kind: 'error',
            issues: [
              issue(
                'conflict',
                `${p.type}.subject`,
                'This source id was imported for another patient or type',
              ),
            ],
          };
      if (moved.size && allOrNothing) throw refused;
      chunk = chunk.filter((p) => !moved.has(p.id));
      const tx = { ...ctx, em, accessFacts: ctx.accessFactsFor(em) };
      const decisions: PatientAccessDecision[] = [];
      // One decision batch per (type, permission): the facts are read once for the chunk.
      const groups = new Map<string, number[]>();
      chunk.forEach((p, i) => {
        const k = `${p.type}|${p.existing ? 'u' : 'c'}`;
        groups.set(k, [...(groups.get(k) ?? []), i]);
      });
      for (const [k, idx] of groups) {
        const [type, permission] = k.split('|') as [ClinicalType, 'c' | 'u'];
        const ds = await decideRecords(
          tx,
          idx.map((i) => ({ patientId: chunk[i]!.patientId, labels: chunk[i]!.segments })),
          clinicalAccess(type, permission),
        );
        idx.forEach((i, j) => (decisions[i] = ds[j]!));
      }
      const allowed = chunk.filter((_, i) => decisions[i]!.allowed);
      chunk.forEach((p, i) => {
        if (!decisions[i]!.allowed)
          outcomes[p.index] = {
            kind: 'error',
            issues: [
              issue('forbidden', p.type, 'Not permitted to record this resource for this patient'),
            ],
          };
      });
      if (allOrNothing && allowed.length < chunk.length) {
        // The refusals are audited on their own, after the rollback.
        denials = chunk.flatMap((p, i) =>
          decisions[i]!.allowed
            ? []
            : [clinicalEvent(p, decisions[i]!, p.type, p.existing ? 'update' : 'create', p.id)],
        );
        throw refused;
      }
      const stored = await writeResources(em, ctx.services, allowed, ctx.principal.sub, ctx.now);
      await recordAccess(
        tx,
        chunk.map((p, i) =>
          clinicalEvent(p, decisions[i]!, p.type, p.existing ? 'update' : 'create', p.id),
        ),
      );
      stored.forEach((s, i) => {
        outcomes[allowed[i]!.index] = {
          kind: s.created ? 'created' : 'updated',
          type: s.type,
          id: s.id,
          version: s.version,
        };
      });
    });
    return true;
  } catch (err) {
    if (err !== refused) throw err;
    await recordAccess(ctx, denials);
    return false;
  }
}

function finish(req: ImportRequest, outcomes: EntryOutcome[], committed: boolean): ImportResult {
  const report = emptyReport();
  outcomes.forEach((o, i) => tally(report, req.entries[i]!.location, o));
  return { outcomes, report, committed };
}

function chunked<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

async function sourceMap(
  em: EntityManager,
  keys: readonly string[],
): Promise<Map<string, { carefedId: string; contentHash: string }>> {
  if (!keys.length) return new Map();
  const rows = await executeBound<{ source_key: string; carefed_id: string; content_hash: string }>(
    em,
    `SELECT source_key, carefed_id, content_hash FROM source_map
      WHERE source_key IN (SELECT json_array_elements_text(?::json))`,
    [JSON.stringify(keys)],
  );
  return new Map(
    rows.map((r) => [r.source_key, { carefedId: r.carefed_id, contentHash: r.content_hash }]),
  );
}

export type { FhirIssue };
