import {
  ArrayMaxSize,
  IsEmail,
  IsOptional,
  Length,
  Matches,
  Validate,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { IsPastIsoDate } from '../../../platform/federation/validators.js';
import { ContactSystem, GenderCode } from './patient.types.js';

const TEXT = /^[\p{L}\p{M}\p{N} .,'()/#&-]+$/u;
const NO_CONTROL = /^[^\p{Cc}]+$/u;

@InputType({ description: 'A person name.' })
export class HumanNameInput {
  @Field(() => String, { description: 'Family name, 1–100 characters.' })
  @Length(1, 100)
  @Matches(TEXT)
  family!: string;

  @Field(() => [String], { description: 'Given names, up to 5 of 1–100 characters.' })
  @ArrayMaxSize(5)
  @Length(1, 100, { each: true })
  @Matches(TEXT, { each: true })
  given!: string[];
}

@InputType({ description: 'A phone number or email address.' })
export class ContactPointInput {
  @Field(() => ContactSystem, { description: 'Kind of contact point.' })
  system!: ContactSystem;

  @Field(() => String, { description: 'The number or address, up to 100 characters.' })
  @Length(3, 100)
  @ValidateIf((o: ContactPointInput) => o.system === ContactSystem.email)
  @IsEmail()
  value!: string;

  @Field(() => String, { nullable: true, description: 'home, work, mobile, temp or old.' })
  @IsOptional()
  @Matches(/^(home|work|mobile|temp|old)$/)
  use?: string;
}

@InputType({ description: 'A postal address.' })
export class AddressInput {
  @Field(() => [String], { description: 'Street lines, up to 4 of up to 200 characters.' })
  @ArrayMaxSize(4)
  @Length(1, 200, { each: true })
  line!: string[];

  @Field(() => String, { nullable: true, description: 'City.' })
  @IsOptional()
  @Length(1, 100)
  city?: string;

  @Field(() => String, { nullable: true, description: 'State or region.' })
  @IsOptional()
  @Length(1, 100)
  state?: string;

  @Field(() => String, { nullable: true, description: 'Postal code.' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9 -]{3,10}$/)
  postalCode?: string;

  @Field(() => String, { nullable: true, description: 'Country (ISO 3166 code or name).' })
  @IsOptional()
  @Length(2, 60)
  country?: string;
}

@InputType({ description: 'A new patient.' })
export class CreatePatientInput {
  @Field(() => String, { description: 'Medical record number: letters, digits and hyphens, 1–64.' })
  @Matches(/^[A-Za-z0-9-]{1,64}$/)
  mrn!: string;

  @Field(() => HumanNameInput, { description: 'Official name.' })
  @ValidateNested()
  name!: HumanNameInput;

  @Field(() => String, { description: 'Birth date, YYYY-MM-DD, not in the future.' })
  @Validate(IsPastIsoDate)
  birthDate!: string;

  @Field(() => GenderCode, { description: 'Administrative gender.' })
  gender!: GenderCode;

  @Field(() => [ContactPointInput], { nullable: true, description: 'Up to 10 contact points.' })
  @IsOptional()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  telecom?: ContactPointInput[];

  @Field(() => [AddressInput], { nullable: true, description: 'Up to 5 addresses.' })
  @IsOptional()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  address?: AddressInput[];

  @Field(() => ID, { nullable: true, description: 'Managing organisation id.' })
  @IsOptional()
  @Length(1, 64)
  managingOrganizationId?: string;
}

@InputType({ description: 'An identifier of the patient in some system.' })
export class IdentifierInput {
  @Field(() => String, {
    description: 'The namespace of the value (a URI or OID), 1–200 characters.',
  })
  @Length(1, 200)
  @Matches(/^\S+$/)
  system!: string;

  @Field(() => String, { description: 'The identifier, 1–100 characters.' })
  @Length(1, 100)
  @Matches(NO_CONTROL)
  value!: string;
}

/**
 * One patient of an import: the whole record (what `fromFhirPatient` in
 * seed.ts derives from a FHIR Patient, as `PatientData`) plus the caller's
 * key for it. Omitted lists are empty, not kept.
 */
@InputType({
  description:
    "A whole patient record from another system. It replaces the matched record's data; omitted lists are empty.",
})
export class ImportPatientInput extends CreatePatientInput {
  @Field(() => String, {
    description:
      "The caller's own key for this entry (such as `Patient/<source id>`), 1–200 characters, echoed back.",
  })
  @Length(1, 200)
  @Matches(NO_CONTROL)
  sourceKey!: string;

  @Field(() => [IdentifierInput], {
    nullable: true,
    description:
      "Up to 10 identifiers, kept as sent; omitted: the MRN under Carefed's MRN system, as createPatient does.",
  })
  @IsOptional()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  identifiers?: IdentifierInput[];
}

@InputType({ description: 'Changes to a patient; omitted fields stay as they are.' })
export class UpdatePatientInput {
  @Field(() => HumanNameInput, { nullable: true, description: 'Official name.' })
  @IsOptional()
  @ValidateNested()
  name?: HumanNameInput;

  @Field(() => String, { nullable: true, description: 'Birth date, YYYY-MM-DD.' })
  @IsOptional()
  @Validate(IsPastIsoDate)
  birthDate?: string;

  @Field(() => GenderCode, { nullable: true, description: 'Administrative gender.' })
  @IsOptional()
  gender?: GenderCode;

  @Field(() => [ContactPointInput], { nullable: true, description: 'Replaces all contact points.' })
  @IsOptional()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  telecom?: ContactPointInput[];

  @Field(() => [AddressInput], { nullable: true, description: 'Replaces all addresses.' })
  @IsOptional()
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  address?: AddressInput[];
}
