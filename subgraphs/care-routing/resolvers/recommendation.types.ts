import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { CareServiceCode, UrgencyCode } from './care-routing.enums.js';
import { Facility, GeoPoint } from './facility.types.js';

@ObjectType({
  description: 'A postal address of the patient (the patient subgraph’s; only what routing uses).',
})
export class Address {
  @Directive('@external')
  @Field(() => String, { nullable: true, description: 'Postal code.' })
  postalCode?: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: 'A patient: care routing adds their care options and preferences.' })
export class Patient {
  @Field(() => ID, { description: 'Patient id.' })
  id!: string;

  @Directive('@external')
  @Field(() => [Address], {
    nullable: true,
    description: 'Postal addresses (the patient subgraph’s).',
  })
  address?: Address[] | null;
}

@InputType({ description: 'What care is needed.' })
export class CareNeedInput {
  @Field(() => UrgencyCode, { description: 'How urgent.' })
  urgency!: UrgencyCode;

  @Field(() => CareServiceCode, {
    nullable: true,
    description: 'A service the facility must offer.',
  })
  service?: CareServiceCode | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A specialty a practitioner there must have (NUCC name, e.g. "General Practice Physician").',
  })
  specialty?: string | null;

  @Field(() => Float, {
    nullable: true,
    description:
      'How far to look, in km (default by urgency: 100 emergency, 100 urgent, 150 routine).',
  })
  radiusKm?: number | null;

  @Field(() => Int, { nullable: true, description: 'How many recommendations (1–20, default 5).' })
  first?: number | null;
}

@InputType({
  description: 'Preferences for one request (a patient’s stored ones apply by themselves).',
})
export class CarePreferencesInput {
  @Field(() => [ID], { nullable: true, description: 'Facilities preferred (at most 20).' })
  preferredFacilityIds?: string[] | null;

  @Field(() => [ID], {
    nullable: true,
    description: 'Facilities to leave out of routine and urgent care (at most 20).',
  })
  avoidedFacilityIds?: string[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Leave out routine and urgent care farther than this many minutes (5–600).',
  })
  maxTravelMinutes?: number | null;
}

@ObjectType({ description: 'A patient’s care preferences.' })
export class CarePreferences {
  @Field(() => [ID], { description: 'Facilities preferred.' })
  preferredFacilityIds!: string[];

  @Field(() => [ID], { description: 'Facilities left out of routine and urgent care.' })
  avoidedFacilityIds!: string[];

  @Field(() => Int, {
    nullable: true,
    description: 'Farthest travel, in minutes, for routine and urgent care.',
  })
  maxTravelMinutes!: number | null;

  @Field(() => Int, { description: 'Version (0: none stored yet).' })
  version!: number;
}

@ObjectType({ description: 'One factor of a recommendation’s score.' })
export class ScoreFactor {
  @Field(() => String, {
    description: 'travel, capacity, emergencyWait, diversion, availability or preference.',
  })
  factor!: string;

  @Field(() => Float, { description: 'Its score, 0 (worst) to 1 (best).' })
  score!: number;

  @Field(() => Float, { description: 'Its weight for this urgency (configuration).' })
  weight!: number;

  @Field(() => Float, { description: 'weight × score: what it added to the total.' })
  contribution!: number;

  @Field(() => String, { description: 'What it saw, in words.' })
  detail!: string;

  @Field(() => Boolean, { description: 'Rests on a stale value (then counted as unknown).' })
  stale!: boolean;
}

@ObjectType({ description: 'A free slot of a fitting practitioner.' })
export class RecommendedSlot {
  @Field(() => Date, { description: 'Start (UTC).' })
  start!: Date;

  @Field(() => ID, { description: 'The practitioner (scheduling’s id).' })
  practitionerId!: string;
}

@ObjectType({ description: 'One recommended facility, with its score factor by factor and why.' })
export class CareRecommendation {
  @Field(() => Int, { description: '1 is best.' })
  rank!: number;

  @Field(() => Facility, { description: 'The facility.' })
  facility!: Facility;

  @Field(() => Float, { description: 'Total score: the sum of the factors’ contributions.' })
  score!: number;

  @Field(() => Float, { description: 'Great-circle distance in km.' })
  distanceKm!: number;

  @Field(() => Float, { description: 'Estimated travel time in minutes (see travelModel).' })
  travelMinutes!: number;

  @Field(() => Boolean, { nullable: true, description: 'Open now (null: hours unknown).' })
  openNow!: boolean | null;

  @Field(() => RecommendedSlot, {
    nullable: true,
    description: 'The next free slot of a fitting practitioner there, if one is known.',
  })
  nextFreeSlot!: RecommendedSlot | null;

  @Field(() => [ScoreFactor], { description: 'Every factor: score, weight, contribution, detail.' })
  factors!: ScoreFactor[];

  @Field(() => [String], {
    description:
      'The factors that put it ahead of the next one down, largest difference first (emergencyDepartment when that decided).',
  })
  decidingFactors!: string[];

  @Field(() => [String], { description: 'Why, in words: the deciding factors first.' })
  reasons!: string[];
}

@ObjectType({ description: 'A factor’s weight for the urgency asked.' })
export class FactorWeight {
  @Field(() => String, { description: 'The factor.' })
  factor!: string;

  @Field(() => Float, { description: 'Its weight.' })
  weight!: number;
}

@ObjectType({ description: 'Recommendations for a need, best first, with how they were scored.' })
export class CareRecommendations {
  @Field(() => UrgencyCode, { description: 'The urgency scored for.' })
  urgency!: UrgencyCode;

  @Field(() => GeoPoint, { description: 'Where travel was measured from.' })
  origin!: GeoPoint;

  @Field(() => String, {
    description:
      '`point`, or `postal-code` (the centroid of a ZIP code: the patient’s, or the one given).',
  })
  originSource!: string;

  @Field(() => String, { description: 'The travel-time model, in one sentence.' })
  travelModel!: string;

  @Field(() => [FactorWeight], { description: 'The weights used (configuration).' })
  weights!: FactorWeight[];

  @Field(() => [CareRecommendation], { description: 'Best first.' })
  recommendations!: CareRecommendation[];
}
