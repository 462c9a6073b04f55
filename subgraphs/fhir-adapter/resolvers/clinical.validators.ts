import {
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { calendarDate } from '../../../platform/federation/validators.js';

/** A FHIR code: no leading, trailing or doubled whitespace. */
export const FHIR_CODE = /^[^\s]+( [^\s]+)*$/;
/** A FHIR id (Carefed ids are UUIDs; scheduling's practitioner ids are shorter). */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** A code system URI (no whitespace). */
export const SYSTEM_URI = /^[a-z][a-z0-9+.-]*:\S+$/i;

/** FHIR R4's dateTime grammar: a year, year-month, date, or a date-time with seconds and offset. */
const FHIR_DATE_TIME =
  /^(\d{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

/** A FHIR date or dateTime (possibly partial) that exists, from 1880, not in the future. */
@ValidatorConstraint({ name: 'isFhirDateTime' })
export class IsFhirDateTime implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value !== 'string') return false;
    const m = FHIR_DATE_TIME.exec(value);
    if (!m) return false;
    const year = Number(m[1]);
    if (year < 1880 || (m[5] && !calendarDate(value.slice(0, 10)))) return false;
    // A partial date is in the future only if its first moment, anywhere on Earth (UTC+14), is.
    const earliest = m[7]
      ? Date.parse(value)
      : Date.UTC(year, m[3] ? Number(m[3]) - 1 : 0, m[5] ? Number(m[5]) : 1) - 14 * 3_600_000;
    return earliest <= Date.now();
  }

  defaultMessage(): string {
    return 'must be a FHIR date or dateTime (YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss+zz:zz), not in the future';
  }
}

/** A Date not more than five minutes ahead of the server clock. */
@ValidatorConstraint({ name: 'isNotFuture' })
export class IsNotFuture implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return value instanceof Date && value.getTime() <= Date.now() + 5 * 60_000;
  }

  defaultMessage(): string {
    return 'must not be in the future';
  }
}

/** A date range's `to`, not before its `from`. */
@ValidatorConstraint({ name: 'isNotBeforeFrom' })
export class IsNotBeforeFrom implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const from = (args.object as { from?: unknown }).from;
    return !(value instanceof Date && from instanceof Date) || value >= from;
  }

  defaultMessage(): string {
    return 'must not be before from';
  }
}

/** A token whose system, when given, is one of the constraint's systems. */
@ValidatorConstraint({ name: 'isCodeSystemIn' })
export class IsCodeSystemIn implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const system = (value as { system?: unknown } | null)?.system;
    return system === undefined || system === null || args.constraints.includes(system);
  }

  defaultMessage(args: ValidationArguments): string {
    return `system must be one of ${args.constraints.join(', ')}, or omitted`;
  }
}

/** Sets a vital-sign input's cross-field rules: at least one vital, and systolic with diastolic above it. */
@ValidatorConstraint({ name: 'isVitalSignSet' })
export class IsVitalSignSet implements ValidatorConstraintInterface {
  private static readonly VITALS = [
    'heartRate',
    'systolic',
    'diastolic',
    'respiratoryRate',
    'bodyTemperature',
    'oxygenSaturation',
    'bodyWeight',
    'bodyHeight',
  ];

  validate(_value: unknown, args: ValidationArguments): boolean {
    const o = args.object as Record<string, unknown>;
    const given = (k: string) => typeof o[k] === 'number';
    if (!IsVitalSignSet.VITALS.some(given)) return false;
    if (given('systolic') !== given('diastolic')) return false;
    return !given('systolic') || (o.systolic as number) > (o.diastolic as number);
  }

  defaultMessage(): string {
    return 'give at least one vital sign; systolic and diastolic go together, systolic above diastolic';
  }
}

/** A condition's abatement only with a clinical status that allows it (FHIR con-4). */
@ValidatorConstraint({ name: 'isAbatementAllowed' })
export class IsAbatementAllowed implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const status = (args.object as { clinicalStatus?: unknown }).clinicalStatus;
    return (
      value === undefined ||
      value === null ||
      status === undefined ||
      status === null ||
      ['inactive', 'remission', 'resolved'].includes(status as string)
    );
  }

  defaultMessage(): string {
    return 'an abated condition must be inactive, in remission or resolved';
  }
}
