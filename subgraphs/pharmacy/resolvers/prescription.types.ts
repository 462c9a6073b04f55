import { GraphQLJSONObject } from 'graphql-scalars';
import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';
import {
  AlertKindCode,
  AlertSeverityCode,
  DoseUnitCode,
  PeriodUnitCode,
  PrescriptionStatusCode,
  RouteCode,
} from './pharmacy.enums.js';

@ObjectType({ description: 'An active ingredient (RxNorm IN where the catalogue has its RxCUI).' })
export class Ingredient {
  @Field(() => ID, {
    description: 'The ingredient’s RxCUI, or `carefed:<name>` where our data gives none.',
  })
  id!: string;

  @Field(() => String, { description: 'The ingredient’s name.' })
  name!: string;
}

@Directive('@key(fields: "rxcui")')
@ObjectType({ description: 'A clinical drug of the catalogue (RxNorm SCD, SBD or pack).' })
export class Drug {
  @Field(() => ID, { description: 'RxNorm RxCUI.' })
  rxcui!: string;

  @Field(() => String, { description: 'RxNorm name.' })
  name!: string;

  @Field(() => String, { description: 'RxNorm term type: SCD, SBD, GPCK or BPCK.' })
  termType!: string;

  @Field(() => String, { nullable: true, description: 'Dose form, e.g. Oral Tablet.' })
  doseForm!: string | null;

  @Field(() => String, { nullable: true, description: 'Strength as RxNorm writes it.' })
  strength!: string | null;

  @Field(() => [Ingredient], { description: 'Active ingredients (empty when unknown).' })
  ingredients!: Ingredient[];

  @Field(() => Boolean, {
    description:
      'Whether any ingredient appears in the interaction data: false means interaction checks cannot warn about this drug.',
  })
  interactionCoverage!: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'Price per dispensed unit, in minor units (cents), as a decimal string.',
  })
  unitPriceMinor!: string | null;

  @Field(() => String, { description: 'ISO 4217 currency of the price.' })
  currency!: string;
}

@ObjectType({ description: 'A page of drugs, by name.' })
export class DrugConnection extends Connection(Drug, 'Drug', 'drug') {}

@ObjectType({ description: 'One dose.' })
export class Dose {
  @Field(() => Float, { description: 'Amount.' })
  value!: number;

  @Field(() => DoseUnitCode, { description: 'Unit.' })
  unit!: DoseUnitCode;
}

@ObjectType({ description: '`times` doses every `period` `unit`.' })
export class Frequency {
  @Field(() => Int, { description: 'Doses per period.' })
  times!: number;

  @Field(() => Int, { description: 'Period length.' })
  period!: number;

  @Field(() => PeriodUnitCode, { description: 'Period unit.' })
  unit!: PeriodUnitCode;
}

@ObjectType({ description: 'Why the drug is prescribed.' })
export class Indication {
  @Field(() => String, { nullable: true, description: 'Code system (ICD-10-CM, SNOMED CT).' })
  system!: string | null;

  @Field(() => String, { nullable: true, description: 'Code.' })
  code!: string | null;

  @Field(() => String, { nullable: true, description: 'In words.' })
  text!: string | null;
}

@ObjectType({ description: 'One source’s statement of an interaction.' })
export class AlertSource {
  @Field(() => String, { description: 'The data set, e.g. ONC-HIGH-PRIORITY or WORLDVISTA-ANSM.' })
  source!: string;

  @Field(() => String, { description: 'The source’s row or pair id.' })
  ref!: string;

  @Field(() => String, { description: 'Severity on Carefed’s scale, as this source states it.' })
  severity!: string;

  @Field(() => String, { nullable: true, description: 'Mechanism or effect, from the source.' })
  mechanism!: string | null;

  @Field(() => String, { nullable: true, description: 'Advice, from the source.' })
  advice!: string | null;
}

@ObjectType({ description: 'What an alert was raised against.' })
export class AlertSubject {
  @Field(() => ID, {
    description: 'The prescription, outside medication or allergy (clinical record id).',
  })
  ref!: string;

  @Field(() => String, { description: 'prescription, outside or allergy.' })
  source!: string;
}

@ObjectType({
  description:
    'A safety alert raised when prescribing, with its reasons: severity, the ingredients involved, what it was raised against and each source’s statement.',
})
export class SafetyAlert {
  @Field(() => String, {
    description: 'Stable code of this alert; name it in `overrides` to override a blocking one.',
  })
  code!: string;

  @Field(() => AlertKindCode, { description: 'What kind of alert.' })
  kind!: AlertKindCode;

  @Field(() => AlertSeverityCode, { description: 'The stricter of the sources’ severities.' })
  severity!: AlertSeverityCode;

  @Field(() => Boolean, { description: 'Blocks the prescription unless overridden with a reason.' })
  blocking!: boolean;

  @Field(() => String, { description: 'In words (drugs and ingredients only).' })
  message!: string;

  @Field(() => [Ingredient], { description: 'The prescribed drug’s ingredients involved.' })
  ingredients!: Ingredient[];

  @Field(() => AlertSubject, { nullable: true, description: 'What it was raised against.' })
  against!: AlertSubject | null;

  @Field(() => [AlertSource], { description: 'Each source’s statement, the stricter first.' })
  sources!: AlertSource[];
}

@ObjectType({ description: 'An alert as recorded with a prescription version, and any override.' })
export class RecordedAlert {
  @Field(() => String, { description: 'The alert’s code.' })
  code!: string;

  @Field(() => AlertKindCode, { description: 'What kind of alert.' })
  kind!: AlertKindCode;

  @Field(() => AlertSeverityCode, { description: 'Its severity.' })
  severity!: AlertSeverityCode;

  @Field(() => Boolean, { description: 'Whether it blocked.' })
  blocking!: boolean;

  @Field(() => String, { description: 'In words.' })
  message!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The prescriber’s reason for overriding it; null when not overridden.',
  })
  overrideReason!: string | null;
}

@Directive('@key(fields: "id", resolvable: false)')
@ObjectType({ description: 'A practitioner (resolved by the scheduling subgraph).' })
export class Practitioner {
  @Field(() => ID, { description: 'Practitioner id.' })
  id!: string;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A prescription (FHIR MedicationRequest): what, how much and how often, for how long, why; every change a new version.',
})
export class Prescription {
  @Field(() => ID, { description: 'Prescription id.' })
  id!: string;

  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => PrescriptionStatusCode, { description: 'Status.' })
  status!: PrescriptionStatusCode;

  @Field(() => Int, { description: 'Version (pass it as expectedVersion to change it).' })
  version!: number;

  @Field(() => ID, { description: 'The drug’s RxCUI.' })
  drugRxcui!: string;

  @Field(() => Int, { description: 'Units per fill.' })
  quantity!: number;

  @Field(() => Int, { description: 'Fills allowed after the first.' })
  refills!: number;

  @Field(() => Date, { description: 'Dispensable until.' })
  validUntil!: Date;

  @Field(() => Date, { description: 'When it was written.' })
  authoredAt!: Date;

  @Field(() => Date, { description: 'When this version was written.' })
  updatedAt!: Date;

  @Field(() => Dose, { description: 'One dose.' })
  dose!: Dose;

  @Field(() => RouteCode, { description: 'Route.' })
  route!: RouteCode;

  @Field(() => Frequency, { description: 'How often.' })
  frequency!: Frequency;

  @Field(() => Boolean, { description: 'Taken as needed (PRN).' })
  asNeeded!: boolean;

  @Field(() => Int, { nullable: true, description: 'Days of treatment.' })
  durationDays!: number | null;

  @Field(() => Indication, { nullable: true, description: 'Why.' })
  indication!: Indication | null;

  @Field(() => String, { nullable: true, description: 'The prescriber’s notes.' })
  notes!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Why it is on hold, stopped, cancelled or entered in error.',
  })
  statusReason!: string | null;

  @Field(() => [RecordedAlert], { description: 'The alerts shown when this version was written.' })
  alerts!: RecordedAlert[];

  @Field(() => [String], { description: 'Security labels (e.g. ETH).' })
  securityLabels!: string[];

  @Field(() => GraphQLJSONObject, {
    description: 'The prescription as a FHIR R4 MedicationRequest.',
  })
  fhir!: Record<string, unknown>;

  /** Internal. */
  prescriberId!: string | null;
  renewalOfId!: string | null;
}

@ObjectType({ description: 'A page of prescriptions, newest first.' })
export class PrescriptionConnection extends Connection(
  Prescription,
  'Prescription',
  'prescription',
) {}

@ObjectType({
  description:
    'The result of prescribing: the prescription, or blocked (nothing written) with the alerts to override; lesser alerts come back either way.',
})
export class PrescribeResult {
  @Field(() => Prescription, {
    nullable: true,
    description: 'The prescription; null when blocked.',
  })
  prescription!: Prescription | null;

  @Field(() => Boolean, {
    description: 'True when a blocking alert was not overridden: nothing was written.',
  })
  blocked!: boolean;

  @Field(() => [SafetyAlert], { description: 'Every alert, most severe first.' })
  alerts!: SafetyAlert[];
}

@ObjectType({
  description: 'A medication from outside Carefed’s prescriptions (the clinical record).',
})
export class OutsideMedication {
  @Field(() => ID, { description: 'The clinical record’s resource id.' })
  resourceId!: string;

  @Field(() => String, { description: 'MedicationRequest or MedicationStatement.' })
  resourceType!: string;

  @Field(() => String, { nullable: true, description: 'Its status.' })
  status!: string | null;

  @Field(() => [String], { description: 'Its codes as system|code.' })
  codes!: string[];

  @Field(() => String, { nullable: true, description: 'When it started (FHIR date).' })
  start!: string | null;

  /** Internal: the RxNorm code, when it has one. */
  rxcui!: string | null;
}

@ObjectType({
  description:
    'One entry of a patient’s active medication list: a Carefed prescription or an outside medication.',
})
export class MedicationListEntry {
  @Field(() => String, { description: 'prescription or outside.' })
  source!: string;

  @Field(() => Prescription, { nullable: true, description: 'The prescription.' })
  prescription!: Prescription | null;

  @Field(() => OutsideMedication, { nullable: true, description: 'The outside medication.' })
  outside!: OutsideMedication | null;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A patient, with the prescriptions and medications pharmacy holds.' })
export class Patient {
  @Field(() => ID, { description: 'Patient id.' })
  id!: string;
}
