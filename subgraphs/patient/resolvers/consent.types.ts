import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum ConsentStatus {
  active = 'active',
  inactive = 'inactive',
}
registerEnumType(ConsentStatus, {
  name: 'ConsentStatus',
  description: 'active, or inactive once revoked.',
});

export enum ConsentScope {
  patient_privacy = 'patient-privacy',
  research = 'research',
  treatment = 'treatment',
}
registerEnumType(ConsentScope, { name: 'ConsentScope', description: 'What the consent is about.' });

export enum ProvisionType {
  permit = 'permit',
  deny = 'deny',
}
registerEnumType(ProvisionType, {
  name: 'ProvisionType',
  description: 'Whether a provision permits or denies.',
});

export enum ActorKind {
  practitioner = 'practitioner',
  organization = 'organization',
  client = 'client',
  role = 'role',
}
registerEnumType(ActorKind, { name: 'ConsentActorKind', description: 'Who a provision is about.' });

export enum Purpose {
  TREAT = 'TREAT',
  ETREAT = 'ETREAT',
  HPAYMT = 'HPAYMT',
  HOPERAT = 'HOPERAT',
  HRESCH = 'HRESCH',
  PATRQT = 'PATRQT',
  HSYSADMIN = 'HSYSADMIN',
  HACCRED = 'HACCRED',
}
registerEnumType(Purpose, { name: 'PurposeOfUse', description: 'HL7 v3 purpose of use.' });

@ObjectType({ description: 'An actor a provision applies to.' })
export class ConsentActor {
  @Field(() => ActorKind, { description: 'Kind of actor.' })
  kind!: ActorKind;

  @Field(() => ID, { description: 'Practitioner, organisation or client id, or a role name.' })
  id!: string;
}

@ObjectType({ description: 'One permit or deny rule of a consent (FHIR Consent.provision).' })
export class ConsentProvision {
  @Field(() => ProvisionType, { description: 'permit or deny.' })
  type!: ProvisionType;

  @Field(() => [ConsentActor], { description: 'Actors it applies to; empty means everyone.' })
  actors!: ConsentActor[];

  @Field(() => [Purpose], { description: 'Purposes it applies to; empty means all.' })
  purposes!: Purpose[];

  @Field(() => [String], {
    description: 'Data classes (FHIR resource types) it applies to; empty means all.',
  })
  dataClasses!: string[];

  @Field(() => [String], {
    description: 'Security labels (sensitivity codes) it applies to; empty means every record.',
  })
  securityLabels!: string[];
}

@ObjectType({
  description: 'A patient’s consent (FHIR R4 Consent), enforced on every access to their data.',
})
export class Consent {
  @Field(() => ID, { description: 'Consent id.' })
  id!: string;

  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => ConsentStatus, { description: 'active or inactive (revoked).' })
  status!: ConsentStatus;

  @Field(() => ConsentScope, { description: 'What it is about.' })
  scope!: ConsentScope;

  @Field(() => [ConsentProvision], { description: 'Its rules.' })
  provisions!: ConsentProvision[];

  @Field(() => Date, { nullable: true, description: 'Start of the period it applies to.' })
  periodStart?: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the period it applies to.' })
  periodEnd?: Date | null;

  @Field(() => Date, { description: 'When it was recorded.' })
  recordedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it was revoked.' })
  revokedAt?: Date | null;
}
