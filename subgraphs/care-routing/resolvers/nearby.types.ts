import { Field, Float, ObjectType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';
import { Facility } from './facility.types.js';

@ObjectType({ description: 'A facility found by a nearby search, with how far it is.' })
export class NearbyFacility {
  @Field(() => Facility, { description: 'The facility.' })
  facility!: Facility;

  @Field(() => Float, {
    description:
      'Great-circle distance from the search’s place, in kilometres (not road distance).',
  })
  distanceKm!: number;
}

@ObjectType({ description: 'A page of nearby facilities, nearest first (ties by facility id).' })
export class NearbyFacilityConnection extends Connection(
  NearbyFacility,
  'NearbyFacility',
  'nearby facility',
) {}
