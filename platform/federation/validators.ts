import { ValidatorConstraint, type ValidatorConstraintInterface } from 'class-validator';

/** A calendar date `YYYY-MM-DD` that exists and is not in the future. */
@ValidatorConstraint({ name: 'isPastIsoDate' })
export class IsPastIsoDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
    const d = new Date(`${value}T00:00:00Z`);
    return (
      !Number.isNaN(d.getTime()) &&
      d.toISOString().startsWith(value) &&
      d.getTime() <= Date.now() &&
      d.getUTCFullYear() >= 1880
    );
  }

  defaultMessage(): string {
    return 'must be a real date in YYYY-MM-DD form, not in the future';
  }
}
