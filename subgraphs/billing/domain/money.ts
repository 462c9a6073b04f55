/**
 * Money as integer minor units of one ISO 4217 currency.
 *
 * `amountMinor` is a JS `bigint`, not a number: a bigint cannot hold a
 * fraction, mixing it with a number is a TypeError (at compile time and at
 * run time), and it maps one to one onto PostgreSQL `bigint` (node-postgres
 * returns int8 and `SUM(bigint)`, a numeric, as strings; `BigInt(string)` reads
 * both exactly, however large). The price is that JSON cannot carry a bigint:
 * GraphQL and events must send amounts as decimal strings, on purpose.
 */
export interface Money {
  readonly amountMinor: bigint;
  readonly currency: Currency;
}

/** Minor-unit exponents of the currencies billing accepts (ISO 4217). */
const EXPONENTS = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CAD: 2,
  CHF: 2,
  JPY: 0,
  KWD: 3,
} as const;

export type Currency = keyof typeof EXPONENTS;

/** The ISO 4217 codes billing accepts. */
export const CURRENCIES = Object.keys(EXPONENTS) as Currency[];

/** Digits after the decimal point in `currency`'s major unit (USD 2, JPY 0). */
export function exponentOf(currency: Currency): number {
  return EXPONENTS[currency];
}

/** Narrows a string to an accepted ISO 4217 code; throws otherwise. */
export function parseCurrency(code: string): Currency {
  if (!Object.hasOwn(EXPONENTS, code)) throw new RangeError('Unsupported currency code');
  return code as Currency;
}

/**
 * Money from minor units. A `number` is accepted only when it is a safe
 * integer, so a float (12.5, 0.1 + 0.2) never becomes an amount.
 */
export function money(amountMinor: bigint | number | string, currency: string): Money {
  let amount: bigint;
  if (typeof amountMinor === 'bigint') amount = amountMinor;
  else if (typeof amountMinor === 'number') {
    if (!Number.isSafeInteger(amountMinor))
      throw new RangeError('Amounts are integer minor units, never floats');
    amount = BigInt(amountMinor);
  } else {
    if (!/^-?\d{1,30}$/.test(amountMinor)) throw new RangeError('Not an integer amount');
    amount = BigInt(amountMinor);
  }
  return { amountMinor: amount, currency: parseCurrency(currency) };
}

/**
 * Parses a decimal string in major units ("12.34" USD → 1234n) exactly.
 * Refuses numbers (already floats), exponents, and more decimals than the
 * currency has: "12.345" USD is an error, not a rounding.
 */
export function parseMoney(decimal: string, currency: string): Money {
  const cur = parseCurrency(currency);
  const exp = exponentOf(cur);
  if (typeof decimal !== 'string') throw new TypeError('Pass amounts as decimal strings');
  const m = /^(-?)(\d{1,18})(?:\.(\d+))?$/.exec(decimal.trim());
  if (!m) throw new RangeError('Not a decimal amount');
  const [, sign = '', whole = '0', frac = ''] = m;
  if (frac.length > exp) throw new RangeError(`${cur} has ${exp} decimal places`);
  const minor = BigInt(whole + frac.padEnd(exp, '0'));
  return { amountMinor: sign === '-' ? -minor : minor, currency: cur };
}

/** The exact decimal string in major units: 1234n USD → "12.34", -5n USD → "-0.05". */
export function toDecimalString(m: Money): string {
  const exp = exponentOf(m.currency);
  const neg = m.amountMinor < 0n;
  const digits = (neg ? -m.amountMinor : m.amountMinor).toString().padStart(exp + 1, '0');
  const whole = digits.slice(0, digits.length - exp);
  const frac = digits.slice(digits.length - exp);
  return `${neg ? '-' : ''}${whole}${exp ? `.${frac}` : ''}`;
}

/** For people: "$12.34", "-€0.05" (exact: Intl receives the decimal string, not a float). */
export function formatMoney(m: Money, locale = 'en-US'): string {
  const fmt = new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency });
  return fmt.format(toDecimalString(m) as unknown as number);
}

/** Throws unless both amounts are in one currency: never add dollars to euros. */
export function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new RangeError('Cannot combine different currencies');
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return { amountMinor: a.amountMinor + b.amountMinor, currency: a.currency };
}

/** Sum of amounts in `currency` (zero for an empty list); refuses a mixed list. */
export function sum(currency: Currency, amounts: readonly Money[]): Money {
  return amounts.reduce(add, { amountMinor: 0n, currency });
}

export function equals(a: Money, b: Money): boolean {
  return a.currency === b.currency && a.amountMinor === b.amountMinor;
}
