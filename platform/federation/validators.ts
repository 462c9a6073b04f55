import { ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';

/**
 * The UTC midnight of a calendar date `YYYY-MM-DD` that exists, else undefined.
 * `Date.parse` rolls 2027-02-30 over to March: a real date survives the round trip.
 */
export function calendarDate(value: unknown): Date | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value) ? d : undefined;
}

/** A calendar date `YYYY-MM-DD` that exists and is not in the future. */
@ValidatorConstraint({ name: 'isPastIsoDate' })
export class IsPastIsoDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    const d = calendarDate(value);
    return d !== undefined && d.getTime() <= Date.now() && d.getUTCFullYear() >= 1880;
  }

  defaultMessage(): string {
    return 'must be a real date in YYYY-MM-DD form, not in the future';
  }
}
