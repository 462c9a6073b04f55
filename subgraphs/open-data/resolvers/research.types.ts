import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DimensionCode, ForecastSeriesCode, ReleaseKindCode } from './open-data.enums.js';

@ObjectType({
  description: 'The data use agreement researchers accept before any question (versioned).',
})
export class DataUseAgreement {
  @Field(() => Int, { description: 'The version (from 1; each publication adds one).' })
  version!: number;

  @Field(() => String, { description: 'Its title.' })
  title!: string;

  @Field(() => String, { description: 'The agreement’s text.' })
  body!: string;

  @Field(() => String, { description: 'SHA-256 (hex) of the text, as accepted.' })
  sha256!: string;

  @Field(() => Date, { description: 'When this version was published.' })
  publishedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the caller accepted this version; null: not yet.',
  })
  acceptedAt!: Date | null;
}

@ObjectType({ description: 'A researcher’s acceptance of one version of the data use agreement.' })
export class DataUseAgreementAcceptance {
  @Field(() => Int, { description: 'The version accepted.' })
  version!: number;

  @Field(() => Date, { description: 'When the caller accepted it.' })
  acceptedAt!: Date;
}

@ObjectType({ description: 'One answer the privacy budget paid for.' })
export class PrivacyLedgerEntry {
  @Field(() => String, { description: 'The request key the answer was asked under.' })
  requestKey!: string;

  @Field(() => Float, { description: 'The privacy loss it spent.' })
  epsilon!: number;

  @Field(() => String, { description: 'SHA-256 of the canonical question.' })
  questionDigest!: string;

  @Field(() => Date, { description: 'When it was answered.' })
  answeredAt!: Date;
}

@ObjectType({
  description:
    'A researcher’s privacy budget (epsilon): each answer spends what it asked for, once.',
})
export class PrivacyBudget {
  @Field(() => Float, {
    description: 'The budget (epsilon), OPEN_DATA_EPSILON_BUDGET unless set otherwise.',
  })
  total!: number;

  @Field(() => Float, { description: 'Spent so far (never decreases).' })
  spent!: number;

  @Field(() => Float, { description: 'What is left to spend.' })
  remaining!: number;

  @Field(() => [PrivacyLedgerEntry], { description: 'The newest answers first (at most 100).' })
  ledger!: PrivacyLedgerEntry[];
}

@ObjectType({ description: 'One cell of a differentially private answer.' })
export class CountCell {
  @Field(() => [String], { description: 'The cell’s value of each grouping dimension, in order.' })
  values!: string[];

  @Field(() => Int, { description: 'Patients in the cell, with noise (never below 0).' })
  count!: number;

  @Field(() => Int, {
    nullable: true,
    description: 'With rateOf: the second cohort’s count, with noise.',
  })
  denominator!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'With rateOf: count ÷ denominator (null when the denominator is 0), at most 1.',
  })
  rate!: number | null;
}

@ObjectType({
  description: 'A differentially private answer: every cell of the fixed domain, each with noise.',
})
export class CountAnswer {
  @Field(() => String, { description: 'The request key, as sent.' })
  requestKey!: string;

  @Field(() => [DimensionCode], {
    description: 'The dimensions of the cells, in the fixed order of ResearchDimension.',
  })
  groupBy!: DimensionCode[];

  @Field(() => Float, { description: 'The privacy loss spent.' })
  epsilon!: number;

  @Field(() => Int, {
    description: 'Cells one patient may add to (the rest dropped): the noise scales with it.',
  })
  sensitivity!: number;

  @Field(() => Float, {
    description:
      'The noise’s scale, sensitivity ÷ epsilon (per count; with rateOf, each count gets half the epsilon).',
  })
  noiseScale!: number;

  @Field(() => Int, { description: 'Each count is within this of the true count 95% of the time.' })
  margin95!: number;

  @Field(() => String, { description: 'The mechanism, in words.' })
  method!: string;

  @Field(() => [CountCell], {
    description: 'Every cell of the dimensions’ fixed domains (one cell when nothing is grouped).',
  })
  cells!: CountCell[];

  @Field(() => Boolean, {
    description: 'True: the answer to an earlier request with this key (nothing spent).',
  })
  replay!: boolean;

  @Field(() => Float, { description: 'Budget left after this answer.' })
  remainingBudget!: number;
}

@ObjectType({ description: 'A published, versioned data set.' })
export class Release {
  @Field(() => ID, { description: 'The release id.' })
  id!: string;

  @Field(() => ReleaseKindCode, { description: 'Count tables or record-level rows.' })
  kind!: ReleaseKindCode;

  @Field(() => Int, { description: 'Its version among releases of its kind (from 1).' })
  version!: number;

  @Field(() => String, { description: 'Its title.' })
  title!: string;

  @Field(() => Date, { description: 'When it was built.' })
  createdAt!: Date;

  @Field(() => String, {
    description: 'How it was made: suppression or k-anonymity, generalisations, counts (JSON).',
  })
  method!: string;

  @Field(() => String, { description: 'The release notes (Markdown).' })
  notes!: string;

  @Field(() => Int, { description: 'Cells (tables) or rows (records) released.' })
  rowCount!: number;

  @Field(() => String, { description: 'The data as CSV (RFC 4180).' })
  csv!: string;

  @Field(() => String, {
    description: 'The data as NDJSON (records: de-identified FHIR resources).',
  })
  ndjson!: string;
}

@ObjectType({
  description:
    'A week’s count (Monday start, UTC); null when below 11 (small cells are not shown).',
})
export class WeeklyCount {
  @Field(() => String, { description: 'The week’s Monday, YYYY-MM-DD.' })
  week!: string;

  @Field(() => Int, { nullable: true, description: 'The count; null when 1–10.' })
  count!: number | null;
}

@ObjectType({
  description:
    'A forecast week: the mean and prediction intervals (whole counts for count series: a sparse series’ mean, say 0.1, may lie outside its 80% interval [0, 0]).',
})
export class ForecastPoint {
  @Field(() => String, { description: 'The week’s Monday, YYYY-MM-DD.' })
  week!: string;

  @Field(() => Float, { description: 'The expected value.' })
  mean!: number;

  @Field(() => Float, { description: 'Lower bound of the 80% prediction interval.' })
  lower80!: number;

  @Field(() => Float, { description: 'Upper bound of the 80% prediction interval.' })
  upper80!: number;

  @Field(() => Float, { description: 'Lower bound of the 95% prediction interval.' })
  lower95!: number;

  @Field(() => Float, { description: 'Upper bound of the 95% prediction interval.' })
  upper95!: number;
}

@ObjectType({ description: 'Errors of forecasts made at past origins against what then happened.' })
export class ForecastError {
  @Field(() => Float, { description: 'Mean absolute error.' })
  mae!: number;

  @Field(() => Float, { description: 'Root mean squared error.' })
  rmse!: number;

  @Field(() => Float, {
    nullable: true,
    description: 'MAE scaled by the in-sample seasonal-naive MAE.',
  })
  mase!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Share of actual values inside the 80% interval.',
  })
  coverage80!: number | null;

  @Field(() => Float, { nullable: true, description: 'Share inside the 95% interval.' })
  coverage95!: number | null;
}

@ObjectType({
  description: 'A rolling-origin backtest: the model beside the seasonal-naive baseline.',
})
export class ForecastBacktest {
  @Field(() => Int, {
    description: 'Forecast origins tested (13, four weeks apart, when the history allows).',
  })
  origins!: number;

  @Field(() => Int, { description: 'Weeks ahead forecast from each origin.' })
  horizon!: number;

  @Field(() => ForecastError, { description: 'The model’s errors.' })
  model!: ForecastError;

  @Field(() => ForecastError, {
    description: 'The seasonal-naive baseline’s errors (the value 52 weeks before).',
  })
  seasonalNaive!: ForecastError;
}

@ObjectType({ description: 'A weekly forecast of one series, refreshed on a schedule.' })
export class Forecast {
  @Field(() => ForecastSeriesCode, { description: 'The series family.' })
  series!: ForecastSeriesCode;

  @Field(() => String, { description: 'The region (ZIP3), specialty or drug (RxNorm) forecast.' })
  key!: string;

  @Field(() => Date, { description: 'When it was computed.' })
  computedAt!: Date;

  @Field(() => String, { description: 'The model chosen for this series, in words.' })
  method!: string;

  @Field(() => [WeeklyCount], {
    description: 'The weeks it was fitted on (small counts withheld).',
  })
  history!: WeeklyCount[];

  @Field(() => [ForecastPoint], { description: 'The next 12 weeks.' })
  points!: ForecastPoint[];

  @Field(() => ForecastBacktest, {
    nullable: true,
    description: 'Null when the history is too short to test.',
  })
  backtest!: ForecastBacktest | null;
}
