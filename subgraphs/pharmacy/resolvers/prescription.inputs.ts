import {
  ArrayMaxSize,
  IsOptional,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { DoseUnitCode, PeriodUnitCode, RouteCode } from './pharmacy.enums.js';

@InputType({ description: 'One dose.' })
export class DoseInput {
  @Field(() => Float, { description: 'Amount, more than 0 and at most 100,000.' })
  @Min(0.000001)
  @Max(100000)
  value!: number;

  @Field(() => DoseUnitCode, { description: 'Unit.' })
  unit!: DoseUnitCode;
}

@InputType({ description: '`times` doses every `period` `unit` (twice a day: 2, 1, d).' })
export class FrequencyInput {
  @Field(() => Int, { description: 'Doses per period, 1 to 24.' })
  @Min(1)
  @Max(24)
  times!: number;

  @Field(() => Int, { description: 'Period length, 1 to 365.' })
  @Min(1)
  @Max(365)
  period!: number;

  @Field(() => PeriodUnitCode, { description: 'Period unit.' })
  unit!: PeriodUnitCode;
}

@InputType({ description: 'Why the drug is prescribed: a code, words, or both.' })
export class IndicationInput {
  @Field(() => String, { nullable: true, description: 'Code system URI (up to 200).' })
  @IsOptional()
  @Length(1, 200)
  @Matches(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, { message: 'system must be a URI' })
  system?: string | null;

  @Field(() => String, { nullable: true, description: 'Code (up to 64).' })
  @IsOptional()
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9.\-_]+$/, { message: 'code must be letters, digits, dots or hyphens' })
  code?: string | null;

  @Field(() => String, { nullable: true, description: 'In words (up to 500).' })
  @IsOptional()
  @Length(1, 500)
  text?: string | null;
}

@InputType({ description: 'Overrides a blocking alert, with the prescriber’s reason (audited).' })
export class AlertOverrideInput {
  @Field(() => String, { description: 'The alert’s code, as the check returned it.' })
  @Length(1, 200)
  alertCode!: string;

  @Field(() => String, { description: 'Why it is safe for this patient (3 to 500 characters).' })
  @Length(3, 500)
  reason!: string;
}

@InputType({ description: 'A prescription to write.' })
export class PrescribeInput {
  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => ID, { description: 'The clinical drug’s RxCUI (a catalogue drug).' })
  @Matches(/^[0-9]{1,12}$/, { message: 'drugRxcui must be an RxCUI (digits)' })
  drugRxcui!: string;

  @Field(() => DoseInput, { description: 'One dose.' })
  @ValidateNested()
  dose!: DoseInput;

  @Field(() => RouteCode, { description: 'Route.' })
  route!: RouteCode;

  @Field(() => FrequencyInput, { description: 'How often.' })
  @ValidateNested()
  frequency!: FrequencyInput;

  @Field(() => Boolean, { defaultValue: false, description: 'Taken as needed (PRN).' })
  asNeeded!: boolean;

  @Field(() => Int, { nullable: true, description: 'Days of treatment, 1 to 3,650.' })
  @IsOptional()
  @Min(1)
  @Max(3650)
  durationDays?: number | null;

  @Field(() => Int, { description: 'Units per fill, 1 to 100,000.' })
  @Min(1)
  @Max(100000)
  quantity!: number;

  @Field(() => Int, { defaultValue: 0, description: 'Fills allowed after the first, 0 to 99.' })
  @Min(0)
  @Max(99)
  refills!: number;

  @Field(() => Int, {
    defaultValue: 365,
    description: 'Days the prescription may be dispensed, 1 to 365.',
  })
  @Min(1)
  @Max(365)
  validDays!: number;

  @Field(() => IndicationInput, { nullable: true, description: 'Why.' })
  @IsOptional()
  @ValidateNested()
  indication?: IndicationInput | null;

  @Field(() => String, { nullable: true, description: 'Notes (up to 2,000).' })
  @IsOptional()
  @Length(1, 2000)
  notes?: string | null;

  @Field(() => [AlertOverrideInput], {
    defaultValue: [],
    description: 'Blocking alerts overridden, each with a reason (at most 20).',
  })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  overrides!: AlertOverrideInput[];

  @Field(() => String, {
    description: 'Idempotency key: a retry with the same key writes once.',
  })
  idempotencyKey!: string;
}

@InputType({ description: 'A renewal: the same drug and instructions, a new supply.' })
export class RenewInput {
  @Field(() => Int, { nullable: true, description: 'Units per fill (default: as before).' })
  @IsOptional()
  @Min(1)
  @Max(100000)
  quantity?: number | null;

  @Field(() => Int, { nullable: true, description: 'Refills (default: as before).' })
  @IsOptional()
  @Min(0)
  @Max(99)
  refills?: number | null;

  @Field(() => Int, { defaultValue: 365, description: 'Days it may be dispensed, 1 to 365.' })
  @Min(1)
  @Max(365)
  validDays!: number;

  @Field(() => [AlertOverrideInput], { defaultValue: [], description: 'Overrides (at most 20).' })
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  overrides!: AlertOverrideInput[];

  @Field(() => String, { description: 'Idempotency key.' })
  idempotencyKey!: string;
}
