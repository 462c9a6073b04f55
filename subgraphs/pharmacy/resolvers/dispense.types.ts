import { Facility } from './facility.types.js';
import { Directive, Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'Units of one lot a dispense gave out.' })
export class DispensedLot {
  @Field(() => ID, { description: 'The lot.' })
  lotId!: string;

  @Field(() => String, { description: 'The manufacturer’s lot number.' })
  lotNumber!: string;

  @Field(() => String, { description: 'Expiry date (YYYY-MM-DD).' })
  expiresOn!: string;

  @Field(() => Int, { description: 'Units.' })
  quantity!: number;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description:
    'A dispense (FHIR MedicationDispense): what was given out, from which lots, at which facility; never why.',
})
export class Dispense {
  @Field(() => ID, { description: 'Dispense id.' })
  id!: string;

  @Field(() => ID, { description: 'The prescription dispensed against.' })
  prescriptionId!: string;

  @Field(() => ID, { description: 'The drug’s RxCUI.' })
  drugRxcui!: string;

  @Field(() => ID, { description: 'The dispensing facility (care routing’s Facility key).' })
  facilityId!: string;

  @Field(() => Facility, {
    nullable: true,
    description: 'The dispensing facility (care routing’s directory; null where it knows none).',
  })
  facility?: Facility | null;

  @Field(() => Int, { description: 'Units given out.' })
  quantity!: number;

  @Field(() => Int, { description: 'Which fill of the prescription (1 for the first).' })
  fillNumber!: number;

  @Field(() => Date, { description: 'When.' })
  dispensedAt!: Date;

  @Field(() => String, { description: 'Price per unit in minor units (cents), decimal string.' })
  unitPriceMinor!: string;

  @Field(() => String, { description: 'ISO 4217 currency.' })
  currency!: string;

  @Field(() => [DispensedLot], { description: 'Lots drawn, first expiry first.' })
  lots!: DispensedLot[];

  /** Internal. */
  patientId!: string;
}

@ObjectType({ description: 'What a dispense did.' })
export class DispenseResult {
  @Field(() => Dispense, { description: 'The dispense.' })
  dispense!: Dispense;

  @Field(() => Int, { description: 'Fills the prescription still allows.' })
  fillsLeft!: number;
}
