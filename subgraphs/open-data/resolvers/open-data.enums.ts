import { registerEnumType } from 'type-graphql';
import { DIMENSIONS } from '../domain/count-question.js';

export enum DimensionCode {
  YEAR = 'YEAR',
  AGE_BAND = 'AGE_BAND',
  SEX = 'SEX',
  ZIP3 = 'ZIP3',
  CONDITION_CATEGORY = 'CONDITION_CATEGORY',
  FACILITY_REGION = 'FACILITY_REGION',
}
// The domain's list and the schema's enum are one list.
if (Object.values(DimensionCode).join() !== DIMENSIONS.join())
  throw new Error('DimensionCode differs from the domain’s DIMENSIONS');
registerEnumType(DimensionCode, {
  name: 'ResearchDimension',
  description:
    'What a count can be grouped by: the year of the fact, the age band in that year (five years, `90+`), sex, the patient’s ZIP3, the condition category (ICD-10-CM chapter) and the facility region (the facility’s ZIP3). Every dimension has a fixed set of values, whatever the data.',
});

export enum ReleaseKindCode {
  TABLES = 'tables',
  RECORDS = 'records',
}
registerEnumType(ReleaseKindCode, {
  name: 'ReleaseKind',
  description:
    'A release of fixed count tables (small cells suppressed) or of record-level rows (k-anonymous).',
});

export enum ForecastSeriesCode {
  ADMISSIONS = 'admissions',
  APPOINTMENTS = 'appointments',
  DISPENSING = 'dispensing',
}
registerEnumType(ForecastSeriesCode, {
  name: 'ForecastSeries',
  description:
    'Weekly admissions per facility region, appointment demand per specialty, dispensed units per drug (RxNorm).',
});
