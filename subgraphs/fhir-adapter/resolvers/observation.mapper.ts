import type { ClinicalRow } from './clinical-row.js';
import type {
  DiagnosticReport,
  Observation,
  ObservationComponent,
  ObservationValue,
} from './observation.types.js';
import { clinicalBase } from './clinical-base.js';
import {
  bool,
  concept,
  concepts,
  int,
  list,
  obj,
  period,
  pointPeriod,
  quantity,
  range,
  refId,
  refIds,
  str,
  type Json,
} from './fhir-read.js';

export function toObservation(row: ClinicalRow): Observation {
  const r = row.resource;
  return {
    ...clinicalBase(row),
    categories: concepts(r.category),
    code: concept(r.code),
    effective: effective(r),
    issued: str(r.issued),
    value: observationValue(r),
    dataAbsentReason: concept(r.dataAbsentReason),
    components: list(r.component).flatMap((c) => component(obj(c)) ?? []),
    interpretations: concepts(r.interpretation),
    referenceRanges: list(r.referenceRange).flatMap((x) => {
      const rr = obj(x);
      if (!rr) return [];
      const out = { low: quantity(rr.low), high: quantity(rr.high), text: str(rr.text) };
      return out.low || out.high || out.text ? [out] : [];
    }),
    encounterId: refId(r.encounter, 'Encounter'),
  };
}

export function toDiagnosticReport(row: ClinicalRow): DiagnosticReport {
  const r = row.resource;
  return {
    ...clinicalBase(row),
    categories: concepts(r.category),
    code: concept(r.code),
    effective: effective(r),
    issued: str(r.issued),
    resultIds: refIds(list(r.result), 'Observation'),
    conclusion: str(r.conclusion),
    encounterId: refId(r.encounter, 'Encounter'),
  };
}

/** effective[x] as a period: a period as recorded, a single dateTime or instant as start = end. */
export function effective(r: Json) {
  return (
    period(r.effectivePeriod) ?? pointPeriod(r.effectiveDateTime) ?? pointPeriod(r.effectiveInstant)
  );
}

/** value[x] of an observation or component; null when absent or of a kind not typed here. */
export function observationValue(r: Json): ObservationValue | null {
  const value: ObservationValue = {
    quantity: quantity(r.valueQuantity),
    codeableConcept: concept(r.valueCodeableConcept),
    string: str(r.valueString),
    boolean: bool(r.valueBoolean),
    integer: int(r.valueInteger),
    range: range(r.valueRange),
    dateTime: str(r.valueDateTime) ?? str(r.valueTime),
    period: period(r.valuePeriod),
  };
  return Object.values(value).some((v) => v !== null) ? value : null;
}

function component(c: Json | null): ObservationComponent | null {
  if (!c) return null;
  return {
    code: concept(c.code),
    value: observationValue(c),
    dataAbsentReason: concept(c.dataAbsentReason),
    interpretations: concepts(c.interpretation),
  };
}
