import type { PurposeOfUse } from '../identity/principal.js';

/** A time range; either end may be open. Both bounds are inclusive, as in FHIR `Period`. */
export interface Period {
  start?: Date;
  end?: Date;
}

/** Who a provision names: a practitioner, an organisation, a client app or a role. */
export interface ProvisionActor {
  kind: 'practitioner' | 'organization' | 'client' | 'role';
  id: string;
}

/** One rule of a consent (FHIR `Consent.provision`), flattened. */
export interface Provision {
  type: 'permit' | 'deny';
  actors?: readonly ProvisionActor[];
  /** PurposeOfUse codes. */
  purposes?: readonly string[];
  /** FHIR resource types, or `*` for all. */
  dataClasses?: readonly string[];
  /**
   * Security labels (`meta.security` sensitivity codes such as `ETH`, `PSY`,
   * `HIV`) the provision is about: it matches only records carrying one of them.
   */
  securityLabels?: readonly string[];
  period?: Period;
}

/**
 * Labels whose records are disclosed only where a consent permits it by name
 * (opt-in): `ETH`, substance use disorder records under 42 CFR Part 2. Every
 * other label is opt-out like the rest of the record: a deny naming it hides it.
 */
export const CONSENT_REQUIRED_LABELS: ReadonlySet<string> = new Set(['ETH']);

/** A patient's consent in the FHIR R4 Consent shape, reduced to what a decision needs. */
export interface ConsentRecord {
  id: string;
  patientId: string;
  status: 'active' | 'inactive' | 'rejected' | 'entered-in-error';
  scope: 'patient-privacy' | 'research' | 'treatment';
  provisions: readonly Provision[];
  period?: Period;
}

/** The caller as consent sees it. */
export interface ConsentActor {
  practitionerId?: string;
  organizationId?: string;
  clientId: string;
  roles: readonly string[];
  sub: string;
}

/** One access to one patient's data, to be checked against that patient's consents. */
export interface AccessRequest {
  actor: ConsentActor;
  purpose: PurposeOfUse;
  /** The FHIR resource type being touched. */
  dataClass: string;
  /** The record's security labels (sensitivity codes); absent or empty for an unlabelled record. */
  labels?: readonly string[];
  /**
   * Whether the access discloses the record (a read; default true). Opt-in
   * labels restrict disclosure only: recording such a record needs no consent.
   */
  disclosure?: boolean;
  at: Date;
}

/** The outcome of `evaluateConsent`; `reason` carries no PHI. */
export interface ConsentDecision {
  decision: 'permit' | 'deny';
  /** The consent whose provision decided, when one did. */
  consentId?: string;
  reason: string;
}

/** True when `at` lies within the period (inclusive); an absent period covers all time. */
export function periodCovers(period: Period | undefined, at: Date): boolean {
  const t = at.getTime();
  return (
    (period?.start === undefined || period.start.getTime() <= t) &&
    (period?.end === undefined || t <= period.end.getTime())
  );
}

function applies(consent: ConsentRecord, at: Date): boolean {
  return consent.status === 'active' && periodCovers(consent.period, at);
}

// Absent and empty lists both mean "any": for a deny that errs on the side of denying.
function anyOrSome<T>(list: readonly T[] | undefined, test: (v: T) => boolean): boolean {
  return list === undefined || list.length === 0 || list.some(test);
}

function actorMatches(a: ProvisionActor, actor: ConsentActor): boolean {
  switch (a.kind) {
    case 'practitioner':
      return a.id === actor.practitionerId;
    case 'organization':
      return a.id === actor.organizationId;
    case 'client':
      return a.id === actor.clientId;
    case 'role':
      return actor.roles.includes(a.id);
  }
}

// ETREAT is a specialisation of TREAT in v3 PurposeOfUse, so a TREAT rule covers it too.
function purposeMatches(code: string, purpose: PurposeOfUse): boolean {
  return code === purpose || (code === 'TREAT' && purpose === 'ETREAT');
}

function provisionMatches(p: Provision, req: AccessRequest): boolean {
  return (
    periodCovers(p.period, req.at) &&
    anyOrSome(p.actors, (a) => actorMatches(a, req.actor)) &&
    anyOrSome(p.purposes, (c) => purposeMatches(c, req.purpose)) &&
    anyOrSome(p.dataClasses, (d) => d === '*' || d === req.dataClass) &&
    anyOrSome(p.securityLabels, (l) => req.labels?.includes(l) === true)
  );
}

// An opt-in label is permitted only by a provision that names it.
function namesLabel(p: Provision, label: string): boolean {
  return p.type === 'permit' && (p.securityLabels?.includes(label) ?? false);
}

/** A `research` consent speaks only to research; any other scope to every purpose. */
function governs(consent: ConsentRecord, purpose: PurposeOfUse): boolean {
  return consent.scope !== 'research' || purpose === 'HRESCH';
}

/**
 * Decides one access against a patient's consents (the caller passes only that patient's).
 *
 * - Opt-out model: with no matching provision the answer is permit. Access is still bounded
 *   by role, SMART scope and the patient compartment, which are checked elsewhere.
 * - A consent with scope `research` applies only to research (`HRESCH`), so a research
 *   opt-out never blocks care; consents of other scopes apply to every purpose.
 * - Only consents with status `active` whose period covers `at` apply; a revoked
 *   (`inactive`), `rejected` or `entered-in-error` consent has no effect.
 * - A provision matches when every dimension it lists matches (actors: any one listed actor;
 *   purposes; data classes; its own period). An absent or empty dimension matches anything.
 *   A `TREAT` purpose also matches `ETREAT`.
 * - Deny overrides: any matching deny wins over every matching permit, whatever the actor's
 *   specificity. A matching permit only names the consent in the result.
 * - Security labels: a provision that lists labels matches only records carrying one of them.
 *   A record with an opt-in label (`CONSENT_REQUIRED_LABELS`: substance use, 42 CFR Part 2)
 *   is denied unless a matching permit names that label.
 */
export function evaluateConsent(
  consents: readonly ConsentRecord[],
  req: AccessRequest,
): ConsentDecision {
  let permitId: string | undefined;
  const optIn =
    req.disclosure === false
      ? []
      : (req.labels ?? []).filter((l) => CONSENT_REQUIRED_LABELS.has(l));
  const named = new Set<string>();
  for (const consent of consents) {
    if (!applies(consent, req.at) || !governs(consent, req.purpose)) continue;
    for (const p of consent.provisions) {
      if (!provisionMatches(p, req)) continue;
      if (p.type === 'deny') {
        return { decision: 'deny', consentId: consent.id, reason: 'A consent denies this access' };
      }
      permitId ??= consent.id;
      for (const l of optIn) if (namesLabel(p, l)) named.add(l);
    }
  }
  if (optIn.some((l) => !named.has(l)))
    return { decision: 'deny', reason: "This record is disclosed only with the patient's consent" };
  return permitId === undefined
    ? { decision: 'permit', reason: 'No consent provision matches; opt-out default permits' }
    : { decision: 'permit', consentId: permitId, reason: 'A consent permits this access' };
}

/**
 * Whether any deny provision of `consent` names this actor (any purpose, data
 * class or period): such an actor must not be the one to revoke it.
 */
export function consentDeniesActor(consent: ConsentRecord, actor: ConsentActor): boolean {
  return consent.provisions.some(
    (p) =>
      p.type === 'deny' &&
      (p.actors?.length ?? 0) > 0 &&
      p.actors!.some((a) => actorMatches(a, actor)),
  );
}

/**
 * True when the patient has opted out of research at `at`: an applicable consent with scope
 * `research` holds a deny provision, in effect at `at`, whose purposes cover `HRESCH` (or are
 * absent). Actors and data classes are ignored on purpose: an opt-out keeps the whole patient
 * out of open data.
 */
export function isResearchOptOut(consents: readonly ConsentRecord[], at: Date): boolean {
  return consents.some(
    (c) =>
      c.scope === 'research' &&
      applies(c, at) &&
      c.provisions.some(
        (p) =>
          p.type === 'deny' &&
          periodCovers(p.period, at) &&
          anyOrSome(p.purposes, (code) => code === 'HRESCH'),
      ),
  );
}

/**
 * A consent as a database row holds it: provisions as stored JSON (their
 * period bounds as strings; a list or period the client sent as null stays null).
 */
export interface StoredConsent {
  id: string;
  patientId: string;
  status: ConsentRecord['status'];
  scope: ConsentRecord['scope'];
  provisions: readonly {
    type: Provision['type'];
    actors?: readonly ProvisionActor[] | null;
    purposes?: readonly string[] | null;
    dataClasses?: readonly string[] | null;
    securityLabels?: readonly string[] | null;
    period?: { start?: Date | string | null; end?: Date | string | null } | null;
  }[];
  periodStart?: Date | null;
  periodEnd?: Date | null;
}

/** A stored consent as the policy core reads it, with every period bound a Date. */
export function consentRecordOf(c: StoredConsent): ConsentRecord {
  const date = (v: Date | string | null | undefined) => (v == null ? undefined : new Date(v));
  // A null list means the same as an absent one ("any"), never a crash in evaluation.
  const list = <T>(v: readonly T[] | null | undefined) => v ?? undefined;
  return {
    id: c.id,
    patientId: c.patientId,
    status: c.status,
    scope: c.scope,
    provisions: c.provisions.map((p) => ({
      type: p.type,
      actors: list(p.actors),
      purposes: list(p.purposes),
      dataClasses: list(p.dataClasses),
      securityLabels: list(p.securityLabels),
      period: p.period ? { start: date(p.period.start), end: date(p.period.end) } : undefined,
    })),
    period: { start: c.periodStart ?? undefined, end: c.periodEnd ?? undefined },
  };
}
