import { registerEnumType } from 'type-graphql';

export enum PrescriptionStatusCode {
  active = 'active',
  onHold = 'on-hold',
  completed = 'completed',
  cancelled = 'cancelled',
  stopped = 'stopped',
  enteredInError = 'entered-in-error',
}
registerEnumType(PrescriptionStatusCode, {
  name: 'PrescriptionStatus',
  description:
    'FHIR MedicationRequest.status: onHold is on-hold, enteredInError is entered-in-error.',
});

export enum RouteCode {
  oral = 'oral',
  sublingual = 'sublingual',
  topical = 'topical',
  inhalation = 'inhalation',
  intravenous = 'intravenous',
  intramuscular = 'intramuscular',
  subcutaneous = 'subcutaneous',
  transdermal = 'transdermal',
  rectal = 'rectal',
  vaginal = 'vaginal',
  nasal = 'nasal',
  ophthalmic = 'ophthalmic',
  otic = 'otic',
}
registerEnumType(RouteCode, {
  name: 'Route',
  description: 'Route of administration (SNOMED CT in the FHIR resource).',
});

export enum DoseUnitCode {
  mg = 'mg',
  ug = 'ug',
  g = 'g',
  mL = 'mL',
  U = 'U',
  tablet = 'tablet',
  capsule = 'capsule',
  puff = 'puff',
  patch = 'patch',
  drop = 'drop',
  spray = 'spray',
  application = 'application',
  suppository = 'suppository',
  device = 'device',
}
registerEnumType(DoseUnitCode, {
  name: 'DoseUnit',
  description: 'Unit of one dose (UCUM mg, ug, g, mL, U; or the dose form’s unit).',
});

export enum PeriodUnitCode {
  h = 'h',
  d = 'd',
  wk = 'wk',
  mo = 'mo',
}
registerEnumType(PeriodUnitCode, {
  name: 'PeriodUnit',
  description: 'Unit of a dosing period: hours, days, weeks, months.',
});

export enum StatusActionCode {
  hold = 'hold',
  resume = 'resume',
  discontinue = 'discontinue',
  cancel = 'cancel',
  enteredInError = 'enteredInError',
}
registerEnumType(StatusActionCode, {
  name: 'PrescriptionStatusAction',
  description:
    'hold (on-hold), resume (active), discontinue (stopped), cancel (cancelled: before any dispense), enteredInError. Every action but resume needs a reason.',
});

export enum AlertKindCode {
  INTERACTION = 'INTERACTION',
  ALLERGY = 'ALLERGY',
  DUPLICATE_THERAPY = 'DUPLICATE_THERAPY',
  UNCHECKED = 'UNCHECKED',
}
registerEnumType(AlertKindCode, {
  name: 'SafetyAlertKind',
  description:
    'A drug-drug interaction, an allergy or intolerance match, the same ingredient twice, or a record that could not be checked (a code the catalogue cannot resolve).',
});

export enum AlertSeverityCode {
  CONTRAINDICATED = 'CONTRAINDICATED',
  HIGH = 'HIGH',
  MODERATE = 'MODERATE',
  MINOR = 'MINOR',
  INFO = 'INFO',
}
registerEnumType(AlertSeverityCode, {
  name: 'SafetyAlertSeverity',
  description:
    'CONTRAINDICATED and HIGH block the prescription unless overridden with a reason; the others come back with it.',
});
