import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { DimensionCode, ForecastSeriesCode, ReleaseKindCode } from './open-data.enums.js';

@ObjectType({
  description: 'The data use agreement researchers accept before any question (versioned).',
})
export class DataUseAgreement {
  @Field(() => Int)
  version!: number;

  @Field(() => String)
  title!: string;

  @Field(() => String, { description: 'The agreement’s text.' })
  body!: string;

  @Field(() => String, { description: 'SHA-256 (hex) of the text, as accepted.' })
  sha256!: string;

  @Field(() => Date)
  publishedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'When the caller accepted this version; null: not yet.',
  })
  acceptedAt!: Date | null;
}

@ObjectType({ description: 'A researcher’s acceptance of one version of the data use agreement.' })
export class DataUseAgreementAcceptance {
  @Field(() => Int)
  version!: number;

  @Field(() => Date)
  acceptedAt!: Date;
}

@ObjectType({ description: 'One answer the privacy budget paid for.' })
export class PrivacyLedgerEntry {
  @Field(() => String)
  requestKey!: string;

  @Field(() => Float)
  epsilon!: number;

  @Field(() => String, { description: 'SHA-256 of the canonical question.' })
  questionDigest!: string;

  @Field(() => Date)
  answeredAt!: Date;
}

@ObjectType({
  description:
    'A researcher’s privacy budget (epsilon): each answer spends what it asked for, once.',
})
export class PrivacyBudget {
  @Field(() => Float)
  total!: number;

  @Field(() => Float)
  spent!: number;

  @Field(() => Float)
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
  @Field(() => String)
  requestKey!: string;

  @Field(() => [DimensionCode])
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

  @Field(() => [CountCell])
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
  @Field(() => ID)
  id!: string;

  @Field(() => ReleaseKindCode)
  kind!: ReleaseKindCode;

  @Field(() => Int)
  version!: number;

  @Field(() => String)
  title!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => String, {
    description: 'How it was made: suppression or k-anonymity, generalisations, counts (JSON).',
  })
  method!: string;

  @Field(() => String, { description: 'The release notes (Markdown).' })
  notes!: string;

  @Field(() => Int)
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
  @Field(() => String)
  week!: string;

  @Field(() => Int, { nullable: true })
  count!: number | null;
}

@ObjectType({
  description:
    'A forecast week: the mean and prediction intervals (whole counts for count series: a sparse series’ mean, say 0.1, may lie outside its 80% interval [0, 0]).',
})
export class ForecastPoint {
  @Field(() => String)
  week!: string;

  @Field(() => Float)
  mean!: number;

  @Field(() => Float)
  lower80!: number;

  @Field(() => Float)
  upper80!: number;

  @Field(() => Float)
  lower95!: number;

  @Field(() => Float)
  upper95!: number;
}

@ObjectType({ description: 'Errors of forecasts made at past origins against what then happened.' })
export class ForecastError {
  @Field(() => Float)
  mae!: number;

  @Field(() => Float)
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
  @Field(() => Int)
  origins!: number;

  @Field(() => Int)
  horizon!: number;

  @Field(() => ForecastError)
  model!: ForecastError;

  @Field(() => ForecastError)
  seasonalNaive!: ForecastError;
}

@ObjectType({ description: 'A weekly forecast of one series, refreshed on a schedule.' })
export class Forecast {
  @Field(() => ForecastSeriesCode)
  series!: ForecastSeriesCode;

  @Field(() => String, { description: 'The region (ZIP3), specialty or drug (RxNorm) forecast.' })
  key!: string;

  @Field(() => Date)
  computedAt!: Date;

  @Field(() => String)
  method!: string;

  @Field(() => [WeeklyCount], {
    description: 'The weeks it was fitted on (small counts withheld).',
  })
  history!: WeeklyCount[];

  @Field(() => [ForecastPoint])
  points!: ForecastPoint[];

  @Field(() => ForecastBacktest, {
    nullable: true,
    description: 'Null when the history is too short to test.',
  })
  backtest!: ForecastBacktest | null;
}
