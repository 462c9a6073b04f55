import { IsOptional } from 'class-validator';
import { ArgsType, Field, Float, Int } from 'type-graphql';
import {
  DEFAULT_NEARBY_PAGE,
  MAX_NEARBY_PAGE,
  MAX_RADIUS_KM,
  MAX_SPECIALTY_LENGTH,
} from '../domain/search-limits.js';
import { CareServiceCode, FacilityKindCode } from './care-routing.enums.js';
import { PlaceInput } from './place.inputs.js';

// Limits are checked by the store (searchNearby) with messages naming the argument;
// @IsOptional gives class-validator the metadata it asks of every argument.
@ArgsType()
export class NearbyFacilitiesArgs {
  @Field(() => PlaceInput, { description: 'Where to search from: a point or a ZIP code.' })
  near!: PlaceInput;

  @Field(() => Float, {
    nullable: true,
    description: `Only facilities within this many kilometres (great-circle), more than 0 and at most ${MAX_RADIUS_KM}. Without it: nearest first over the whole directory.`,
  })
  @IsOptional()
  radiusKm?: number | null;

  @Field(() => [FacilityKindCode], {
    nullable: true,
    description: 'Only facilities of one of these kinds.',
  })
  @IsOptional()
  kinds?: FacilityKindCode[] | null;

  @Field(() => [CareServiceCode], {
    nullable: true,
    description: 'Only facilities offering every one of these services.',
  })
  @IsOptional()
  services?: CareServiceCode[] | null;

  @Field(() => String, {
    nullable: true,
    description: `Only facilities where a practitioner with an active schedule lists this specialty (case-insensitive, 1–${MAX_SPECIALTY_LENGTH} characters).`,
  })
  @IsOptional()
  specialty?: string | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'True: only facilities open now (an emergency department always is; others by their reported hours, in their own time zone; unknown hours are not known open). False or absent: no filter.',
  })
  @IsOptional()
  openNow?: boolean | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'True: leave out facilities that report being on diversion.',
  })
  @IsOptional()
  excludeDiversion?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description: `Page size, 1–${MAX_NEARBY_PAGE} (default ${DEFAULT_NEARBY_PAGE}).`,
  })
  @IsOptional()
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Continue after this cursor (a `pageInfo.endCursor` of the same search, with the same arguments).',
  })
  @IsOptional()
  after?: string | null;
}
