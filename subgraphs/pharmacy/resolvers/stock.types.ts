import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A lot of a drug at a facility.' })
export class StockLot {
  @Field(() => ID, { description: 'Lot id.' })
  id!: string;

  @Field(() => String, { description: 'The manufacturer’s lot number.' })
  lotNumber!: string;

  @Field(() => String, { description: 'Expiry date (YYYY-MM-DD): usable until the day before.' })
  expiresOn!: string;

  @Field(() => Int, { description: 'Units on hand.' })
  onHand!: number;

  @Field(() => Boolean, { description: 'Expired (never dispensed; an expiry run writes it off).' })
  expired!: boolean;
}

@ObjectType({ description: 'A drug’s stock at a facility.' })
export class DrugStock {
  @Field(() => ID, { description: 'The stock’s facility key (a FHIR Location id).' })
  facilityId!: string;

  @Field(() => ID, { description: 'The drug’s RxCUI.' })
  drugRxcui!: string;

  @Field(() => Int, { description: 'Units on hand in every lot.' })
  onHand!: number;

  @Field(() => Int, { description: 'Units in unexpired lots: what can be dispensed.' })
  usable!: number;

  @Field(() => Int, { nullable: true, description: 'Low-stock level, when set.' })
  reorderLevel!: number | null;

  @Field(() => [StockLot], { description: 'Lots in the order they are drawn.' })
  lots!: StockLot[];
}

@ObjectType({
  description: 'A stock notification: low stock, a lot near expiry, a lot written off.',
})
export class StockAlert {
  @Field(() => ID, { description: 'Alert id.' })
  id!: string;

  @Field(() => String, { description: 'low-stock, expiring or expired.' })
  kind!: string;

  @Field(() => ID, { description: 'Facility.' })
  facilityId!: string;

  @Field(() => ID, { description: 'Drug RxCUI.' })
  drugRxcui!: string;

  @Field(() => ID, { nullable: true, description: 'The lot (not for low stock).' })
  lotId!: string | null;

  @Field(() => Int, { description: 'Usable units (low stock) or the lot’s units.' })
  quantity!: number;

  @Field(() => Date, { description: 'When raised.' })
  raisedAt!: Date;
}

@ObjectType({ description: 'A stock movement’s result: the lot and any alerts it raised.' })
export class StockMoveResult {
  @Field(() => StockLot, { description: 'The lot at its new balance.' })
  lot!: StockLot;

  @Field(() => [StockAlert], { description: 'Alerts raised by this movement.' })
  alerts!: StockAlert[];
}

@ObjectType({ description: 'One row of a lot’s append-only ledger.' })
export class StockLedgerEntry {
  @Field(() => ID, { description: 'Entry id.' })
  id!: string;

  @Field(() => String, { description: 'receipt, dispense, adjustment or expiry.' })
  kind!: string;

  @Field(() => Int, { description: 'Units in (+) or out (−).' })
  delta!: number;

  @Field(() => String, { nullable: true, description: 'Adjustment reason.' })
  reason!: string | null;

  @Field(() => Date, { description: 'When.' })
  at!: Date;

  @Field(() => String, { description: 'Who (a principal or system actor).' })
  by!: string;
}
