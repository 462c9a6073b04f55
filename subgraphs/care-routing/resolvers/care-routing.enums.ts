import { registerEnumType } from 'type-graphql';

export enum FacilityKindCode {
  hospital = 'hospital',
  urgentCare = 'urgent-care',
  primaryCare = 'primary-care',
  veterans = 'veterans',
}
registerEnumType(FacilityKindCode, {
  name: 'FacilityKind',
  description:
    'What a facility is: a hospital, an urgent care centre, a primary care practice (for women or children in the directory), or a VA facility.',
});

export enum CareServiceCode {
  emergency = 'emergency',
  urgentCare = 'urgent-care',
  primaryCare = 'primary-care',
  womensHealth = 'womens-health',
  paediatrics = 'paediatrics',
  veteransCare = 'veterans-care',
  inpatient = 'inpatient',
}
registerEnumType(CareServiceCode, {
  name: 'CareService',
  description: 'A service a facility offers (practitioners’ specialties are listed beside them).',
});

export enum UrgencyCode {
  emergency = 'emergency',
  urgent = 'urgent',
  routine = 'routine',
}
registerEnumType(UrgencyCode, {
  name: 'Urgency',
  description:
    'How urgent a need is: emergency (now, emergency department), urgent (today), routine (the next free appointment).',
});
