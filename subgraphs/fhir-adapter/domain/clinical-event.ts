import type { ClinicalChangedData } from '../../contracts/clinical-events.js';
import type { ClinicalFacts } from './clinical-kinds.js';

/** The stored version an event speaks of: ids, version and the record's security labels. */
export interface ChangedVersion {
  id: string;
  type: string;
  patientId: string;
  version: number;
  labels: Iterable<string>;
}

/**
 * What `clinical.changed` says of a stored version: ids, codes (never their
 * display text), dates, status, labels and the facilities it names. Pure, so
 * the population tools publish exactly what the adapter would.
 */
export function clinicalChangedData(s: ChangedVersion, facts: ClinicalFacts): ClinicalChangedData {
  const codings = (list: ClinicalFacts['codes']) =>
    list
      .filter((c) => c.code)
      .slice(0, 50)
      .map((c) => ({ system: c.system, code: c.code! }));
  return {
    resourceId: s.id,
    resourceType: s.type,
    patientId: s.patientId,
    version: s.version,
    status: facts.status,
    codes: codings(facts.codes),
    categories: codings(facts.categories),
    start: facts.start,
    end: facts.end,
    labels: [...s.labels],
    enteredInError: facts.status === 'entered-in-error',
    facilities: [...facts.refs.locations, ...facts.refs.organizations]
      .filter((r) => r.length <= 300)
      .slice(0, 10),
  };
}
