import type { ClinicalRow } from './clinical-row.js';
import type {
  CarePlan,
  CarePlanActivity,
  DocumentContent,
  DocumentReference,
} from './document.types.js';
import { MedicationRecordKind, type MedicationRecord } from './medication-history.types.js';
import { clinicalBase, reasons } from './clinical-base.js';
import {
  concept,
  concepts,
  int,
  list,
  num,
  obj,
  period,
  pointPeriod,
  quantity,
  refId,
  refIds,
  referenceConcepts,
  str,
  type Json,
} from './fhir-read.js';

export function toDocumentReference(row: ClinicalRow): DocumentReference {
  const r = row.resource;
  const context = obj(r.context);
  return {
    ...clinicalBase(row),
    docStatus: str(r.docStatus),
    type: concept(r.type),
    categories: concepts(r.category),
    date: str(r.date),
    description: str(r.description),
    period: period(context?.period),
    contents: list(r.content).flatMap((c) => content(obj(obj(c)?.attachment)) ?? []),
    encounterId: refIds(list(context?.encounter), 'Encounter')[0] ?? null,
  };
}

export function toCarePlan(row: ClinicalRow): CarePlan {
  const r = row.resource;
  return {
    ...clinicalBase(row),
    intent: str(r.intent),
    categories: concepts(r.category),
    period: period(r.period),
    title: str(r.title),
    description: str(r.description),
    activities: list(r.activity).flatMap((a) => activity(obj(obj(a)?.detail)) ?? []),
    encounterId: refId(r.encounter, 'Encounter'),
  };
}

/** A MedicationRequest (an order) or MedicationStatement (reported use), as one medication-history shape. */
export function toMedicationRecord(row: ClinicalRow): MedicationRecord {
  const r = row.resource;
  const request = row.type === 'MedicationRequest';
  return {
    ...clinicalBase(row),
    kind: request ? MedicationRecordKind.REQUEST : MedicationRecordKind.STATEMENT,
    medication:
      concept(r.medicationCodeableConcept) ?? referenceConcepts(r.medicationReference)[0] ?? null,
    categories: concepts(r.category),
    intent: str(r.intent),
    authoredOn: str(r.authoredOn),
    effective: period(r.effectivePeriod) ?? pointPeriod(r.effectiveDateTime),
    dosageText: list(request ? r.dosageInstruction : r.dosage).flatMap(
      (d) => dosageLine(obj(d)) ?? [],
    ),
    reasons: reasons(r),
    requesterId: refId(request ? r.requester : r.informationSource, 'Practitioner'),
    encounterId: refId(request ? r.encounter : r.context, 'Encounter'),
  };
}

function content(a: Json | null): DocumentContent | null {
  if (!a) return null;
  const contentType = str(a.contentType);
  return {
    contentType,
    title: str(a.title),
    size: int(a.size),
    language: str(a.language),
    text: attachmentText(contentType, str(a.data)),
    url: str(a.url),
  };
}

/** Inline text/* data decoded by its charset (UTF-8 unless stated); null for other types or an unknown charset. */
export function attachmentText(contentType: string | null, data: string | null): string | null {
  if (!contentType || !data || !/^text\//i.test(contentType)) return null;
  const charset = /;\s*charset="?([^";]+)"?/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset.trim()).decode(Buffer.from(data, 'base64'));
  } catch {
    return null;
  }
}

function activity(detail: Json | null): CarePlanActivity | null {
  if (!detail) return null;
  const out = {
    code: concept(detail.code),
    status: str(detail.status),
    description: str(detail.description),
  };
  return out.code || out.status || out.description ? out : null;
}

const UNIT_WORDS: Record<string, string> = {
  s: 'second',
  min: 'minute',
  h: 'hour',
  d: 'day',
  wk: 'week',
  mo: 'month',
  a: 'year',
};

/**
 * A dosage's text, or when it has none a short summary of its dose, timing
 * and route, e.g. "1 tablet, 2 times per 1 day, as needed" (Synthea writes no text).
 */
export function dosageLine(d: Json | null): string | null {
  if (!d) return null;
  const text = str(d.text);
  if (text) return text;
  const dose = list(d.doseAndRate)
    .map((x) => quantity(obj(x)?.doseQuantity))
    .find((q) => q?.value !== null && q?.value !== undefined);
  const timing = obj(d.timing);
  const repeat = obj(timing?.repeat);
  const frequency = num(repeat?.frequency);
  const every = num(repeat?.period);
  const unit = UNIT_WORDS[str(repeat?.periodUnit) ?? ''];
  const parts = [
    dose ? [dose.value, dose.unit ?? dose.code].filter((p) => p !== null).join(' ') : null,
    concept(timing?.code)?.text ?? null,
    frequency !== null && every !== null && unit
      ? `${frequency} ${frequency === 1 ? 'time' : 'times'} per ${every} ${unit}${every === 1 ? '' : 's'}`
      : null,
    concept(d.route)?.text ?? null,
    d.asNeededBoolean === true ? 'as needed' : null,
    str(d.patientInstruction),
  ].filter((p): p is string => p !== null && p !== '');
  return parts.length ? parts.join(', ') : null;
}
