import { Directive, Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { CareServiceCode, FacilityKindCode } from './care-routing.enums.js';

@ObjectType({ description: 'A point on the earth (WGS 84 degrees).' })
export class GeoPoint {
  @Field(() => Float, { description: 'Degrees north (−90 to 90).' })
  latitude!: number;

  @Field(() => Float, { description: 'Degrees east (−180 to 180).' })
  longitude!: number;
}

@ObjectType({ description: 'A facility’s postal address.' })
export class FacilityAddress {
  @Field(() => String, { nullable: true, description: 'Street line.' })
  line!: string | null;

  @Field(() => String, { nullable: true, description: 'City.' })
  city!: string | null;

  @Field(() => String, { nullable: true, description: 'Two-letter state code.' })
  state!: string | null;

  @Field(() => String, { nullable: true, description: 'Five-digit ZIP code.' })
  postalCode!: string | null;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A healthcare facility of the directory (public data, no PHI): hospitals, urgent care, primary care, VA. Also resolvable by the FHIR Location id of a record or schedule that names it.',
})
export class Facility {
  @Field(() => ID, {
    description: 'Facility id (scheduling’s and pharmacy’s facility keys resolve to it).',
  })
  id!: string;

  @Field(() => String, { description: 'Name, as the directory lists it.' })
  name!: string;

  @Field(() => FacilityKindCode, { description: 'What it is.' })
  kind!: FacilityKindCode;

  @Field(() => String, { nullable: true, description: 'National Provider Identifier.' })
  npi!: string | null;

  @Field(() => FacilityAddress, { description: 'Postal address.' })
  address!: FacilityAddress;

  @Field(() => String, { nullable: true, description: 'Main telephone number.' })
  phone!: string | null;

  @Field(() => GeoPoint, { description: 'Where it is.' })
  location!: GeoPoint;

  @Field(() => Int, { nullable: true, description: 'Licensed beds, as the directory lists them.' })
  beds!: number | null;

  @Field(() => Boolean, { description: 'Whether it runs an emergency department.' })
  emergency!: boolean;

  @Field(() => [CareServiceCode], { description: 'Services it offers.' })
  services!: CareServiceCode[];

  @Field(() => [ID], {
    description:
      'FHIR Location ids (schedules, stock, the clinical record) that name this facility.',
  })
  locationIds!: string[];

  @Field(() => String, { description: 'Traffic region: the first three digits of its ZIP code.' })
  region!: string;

  @Field(() => String, { description: 'IANA time zone (from its state) its hours are kept in.' })
  timeZone!: string;
}
