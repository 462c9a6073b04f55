import { ArrayMaxSize, IsDate, IsOptional, Length, Matches, ValidateNested } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { ActorKind, ConsentScope, ProvisionType, Purpose } from './consent.types.js';

@InputType({ description: 'An actor a provision applies to.' })
export class ConsentActorInput {
  @Field(() => ActorKind, { description: 'practitioner, organization, client or role.' })
  kind!: ActorKind;

  @Field(() => ID, { description: 'Its id (or role name), up to 64 characters.' })
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9._:-]+$/)
  id!: string;
}

@InputType({ description: 'One permit or deny rule.' })
export class ConsentProvisionInput {
  @Field(() => ProvisionType, { description: 'permit or deny.' })
  type!: ProvisionType;

  @Field(() => [ConsentActorInput], {
    nullable: true,
    description: 'Who; omit for everyone (up to 20).',
  })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  actors?: ConsentActorInput[];

  @Field(() => [Purpose], { nullable: true, description: 'For what purposes; omit for all.' })
  @IsOptional()
  @ArrayMaxSize(8)
  purposes?: Purpose[];

  @Field(() => [String], {
    nullable: true,
    description: 'Which data classes (FHIR resource types, or *); omit for all.',
  })
  @IsOptional()
  @ArrayMaxSize(30)
  @Matches(/^([A-Z][A-Za-z]{1,63}|\*)$/, { each: true })
  dataClasses?: string[];

  @Field(() => [String], {
    nullable: true,
    description:
      'Which security labels it is about (HL7 sensitivity codes: ETH substance use, PSY mental health, HIV, STD, SEX reproductive health, SDV sexual and domestic violence, GDIS genetics); omit for all records. Substance-use (ETH) records are disclosed only where a permit names ETH.',
  })
  @IsOptional()
  @ArrayMaxSize(10)
  @Matches(/^[A-Z][A-Z0-9-]{1,39}$/, { each: true })
  securityLabels?: string[];
}

@InputType({ description: 'A consent to record for a patient.' })
export class RecordConsentInput {
  @Field(() => ConsentScope, {
    description: 'What it is about; a research deny is the research opt-out.',
  })
  scope!: ConsentScope;

  @Field(() => [ConsentProvisionInput], { description: 'Its rules, 1–20.' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  provisions!: ConsentProvisionInput[];

  @Field(() => Date, { nullable: true, description: 'When it starts to apply.' })
  @IsOptional()
  @IsDate()
  periodStart?: Date;

  @Field(() => Date, { nullable: true, description: 'When it stops applying.' })
  @IsOptional()
  @IsDate()
  periodEnd?: Date;
}
