import { registerEnumType } from 'type-graphql';

export enum AllergyTypeCode {
  allergy = 'allergy',
  intolerance = 'intolerance',
}
registerEnumType(AllergyTypeCode, {
  name: 'AllergyType',
  description: 'An immune-mediated allergy, or a non-immune intolerance.',
});

export enum AllergyCategoryCode {
  food = 'food',
  medication = 'medication',
  environment = 'environment',
  biologic = 'biologic',
}
registerEnumType(AllergyCategoryCode, {
  name: 'AllergyCategory',
  description: 'The kind of substance.',
});

export enum AllergyCriticalityCode {
  low = 'low',
  high = 'high',
  unableToAssess = 'unable-to-assess',
}
registerEnumType(AllergyCriticalityCode, {
  name: 'AllergyCriticality',
  description: 'Potential for a serious reaction (unableToAssess is FHIR unable-to-assess).',
});

export enum AllergyClinicalStatusCode {
  active = 'active',
  inactive = 'inactive',
  resolved = 'resolved',
}
registerEnumType(AllergyClinicalStatusCode, {
  name: 'AllergyClinicalStatus',
  description: 'Whether the allergy is current.',
});

export enum AllergyVerificationStatusCode {
  unconfirmed = 'unconfirmed',
  confirmed = 'confirmed',
  refuted = 'refuted',
}
registerEnumType(AllergyVerificationStatusCode, {
  name: 'AllergyVerificationStatus',
  description: 'How certain it is (entered in error has its own mutation).',
});

export enum ReactionSeverityCode {
  mild = 'mild',
  moderate = 'moderate',
  severe = 'severe',
}
registerEnumType(ReactionSeverityCode, {
  name: 'ReactionSeverity',
  description: 'How severe a reaction was.',
});

export enum ConditionCategoryCode {
  problemListItem = 'problem-list-item',
  encounterDiagnosis = 'encounter-diagnosis',
}
registerEnumType(ConditionCategoryCode, {
  name: 'ConditionCategory',
  description:
    'A problem-list item (problemListItem) or a diagnosis of one encounter (encounterDiagnosis).',
});

export enum ConditionClinicalStatusCode {
  active = 'active',
  recurrence = 'recurrence',
  relapse = 'relapse',
  inactive = 'inactive',
  remission = 'remission',
  resolved = 'resolved',
}
registerEnumType(ConditionClinicalStatusCode, {
  name: 'ConditionClinicalStatus',
  description: 'Whether the condition is current.',
});

export enum ConditionVerificationStatusCode {
  unconfirmed = 'unconfirmed',
  provisional = 'provisional',
  differential = 'differential',
  confirmed = 'confirmed',
  refuted = 'refuted',
}
registerEnumType(ConditionVerificationStatusCode, {
  name: 'ConditionVerificationStatus',
  description: 'How certain the diagnosis is (entered in error has its own mutation).',
});
