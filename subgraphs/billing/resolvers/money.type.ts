import { Field, InputType, ObjectType } from 'type-graphql';
import { badInput } from '../../../platform/errors/index.js';
import { formatMoney, parseMoney, toDecimalString, type Money } from '../domain/money.js';

@ObjectType('Money', {
  description:
    'An exact amount of one currency. Amounts are decimal strings, never floats: "136.02", "-5.00".',
})
export class MoneyAmount {
  @Field(() => String, { description: 'Major units as an exact decimal string, e.g. "136.02".' })
  amount!: string;

  @Field(() => String, { description: 'Minor units as an integer string, e.g. "13602".' })
  amountMinor!: string;

  @Field(() => String, { description: 'ISO 4217 code, e.g. USD.' })
  currency!: string;

  @Field(() => String, { description: 'For display, e.g. "$136.02".' })
  formatted!: string;
}

/** The GraphQL value of an amount. */
export function moneyOut(m: Money): MoneyAmount {
  return {
    amount: toDecimalString(m),
    amountMinor: m.amountMinor.toString(),
    currency: m.currency,
    formatted: formatMoney(m),
  };
}

export const moneyOrNull = (m: Money | null | undefined): MoneyAmount | null =>
  m ? moneyOut(m) : null;

/** Checked by `moneyIn` (the money parser), the one place amounts are validated. */
@InputType({ description: 'An exact amount: a decimal string and an ISO 4217 code.' })
export class MoneyInput {
  @Field(() => String, {
    description:
      'Major units as a decimal string with at most the currency’s decimals, e.g. "25.00".',
  })
  amount!: string;

  @Field(() => String, { description: 'ISO 4217 code (USD, EUR, GBP, CAD, CHF, JPY, KWD).' })
  currency!: string;
}

/** The largest amount one operation moves: 10¹² minor units (10 billion dollars), far inside bigint columns. */
export const MAX_AMOUNT_MINOR = 10n ** 12n;

/** Parses an amount argument exactly; anything else is BAD_USER_INPUT naming `field`. */
export function moneyIn(input: MoneyInput, field: string): Money {
  let m: Money;
  try {
    m = parseMoney(input.amount, input.currency);
  } catch (err) {
    const why = err instanceof Error ? err.message : 'Not an amount';
    throw badInput(`${field}: ${why}`, field);
  }
  if (m.amountMinor > MAX_AMOUNT_MINOR || -m.amountMinor > MAX_AMOUNT_MINOR)
    throw badInput(`${field} is larger than one operation may move`, field);
  return m;
}

/** As `moneyIn`, and the amount must be above zero. */
export function positiveMoneyIn(input: MoneyInput, field: string): Money {
  const m = moneyIn(input, field);
  if (m.amountMinor <= 0n) throw badInput(`${field} must be more than zero`, field);
  return m;
}
