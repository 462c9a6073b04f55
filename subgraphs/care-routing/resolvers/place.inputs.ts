import { IsOptional } from 'class-validator';
import { Field, Float, InputType } from 'type-graphql';

// Ranges and the either/or rule are checked by parsePlace (store/places.ts), whose
// messages name the field; @IsOptional gives class-validator the metadata it asks of every field.
@InputType({
  description:
    'Where to search from: a point (latitude and longitude, WGS 84 degrees) or a US ZIP code (its centroid), exactly one of the two.',
})
export class PlaceInput {
  @Field(() => Float, { nullable: true, description: 'Degrees north, −90 to 90 (with longitude).' })
  @IsOptional()
  latitude?: number | null;

  @Field(() => Float, { nullable: true, description: 'Degrees east, −180 to 180 (with latitude).' })
  @IsOptional()
  longitude?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A five-digit ZIP code, or ZIP+4 (12345-6789: the first five are used); searched from its centroid.',
  })
  @IsOptional()
  postalCode?: string | null;
}
