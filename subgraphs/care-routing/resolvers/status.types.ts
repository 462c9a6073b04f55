import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { Connection } from '../../../platform/federation/connection.js';

@ObjectType({ description: 'Opening hours on one weekday, local to the facility’s time zone.' })
export class OpeningInterval {
  @Field(() => Int, { description: 'ISO weekday: 1 Monday … 7 Sunday.' })
  weekday!: number;

  @Field(() => String, { description: 'Opens at (HH:mm).' })
  start!: string;

  @Field(() => String, { description: 'Closes at (HH:mm, or 24:00).' })
  end!: string;
}

@InputType({ description: 'Opening hours on one weekday, local to the facility’s time zone.' })
export class OpeningIntervalInput {
  @Field(() => Int, { description: 'ISO weekday: 1 Monday … 7 Sunday.' })
  weekday!: number;

  @Field(() => String, { description: 'Opens at (HH:mm).' })
  start!: string;

  @Field(() => String, { description: 'Closes at (HH:mm, or 24:00).' })
  end!: string;
}

@ObjectType({ description: 'A reported count, when it was observed, and whether it is stale.' })
export class ReportedInt {
  @Field(() => Int, { description: 'The value.' })
  value!: number;

  @Field(() => Date, { description: 'When it was observed.' })
  observedAt!: Date;

  @Field(() => Boolean, {
    description: 'Older than the staleness bound (CARE_ROUTING_STALE_MINUTES): shown, not counted.',
  })
  stale!: boolean;
}

@ObjectType({ description: 'A reported yes/no, when it was observed, and whether it is stale.' })
export class ReportedBoolean {
  @Field(() => Boolean, { description: 'The value.' })
  value!: boolean;

  @Field(() => Date, { description: 'When it was observed.' })
  observedAt!: Date;

  @Field(() => Boolean, {
    description: 'Older than the staleness bound (CARE_ROUTING_STALE_MINUTES): shown, not counted.',
  })
  stale!: boolean;
}

@ObjectType({ description: 'Reported weekly opening hours.' })
export class ReportedHours {
  @Field(() => [OpeningInterval], { description: 'The intervals; none: closed every day.' })
  intervals!: OpeningInterval[];

  @Field(() => Date, { description: 'When they were reported as current.' })
  observedAt!: Date;
}

@ObjectType({
  description:
    'What a facility last reported of its capacity and status; each value with its time (null: never reported).',
})
export class FacilityStatus {
  @Field(() => ReportedInt, { nullable: true, description: 'Staffed beds available now.' })
  bedsAvailable!: ReportedInt | null;

  @Field(() => ReportedInt, {
    nullable: true,
    description: 'Emergency department wait, in minutes.',
  })
  emergencyWaitMinutes!: ReportedInt | null;

  @Field(() => ReportedBoolean, {
    nullable: true,
    description: 'On ambulance diversion (not taking emergency arrivals).',
  })
  diversion!: ReportedBoolean | null;

  @Field(() => ReportedHours, { nullable: true, description: 'Weekly opening hours.' })
  hours!: ReportedHours | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Open now: always with an emergency department; else by its hours; null when its hours are unknown.',
  })
  openNow!: boolean | null;

  @Field(() => Int, { description: 'Minutes after which a reported value is stale.' })
  staleAfterMinutes!: number;

  @Field(() => Int, { description: 'Changes with every report that changed a value.' })
  version!: number;
}

@ObjectType({
  description: 'One status report, as received (kept whether or not it became current).',
})
export class FacilityStatusReport {
  @Field(() => ID, { description: 'Report id.' })
  id!: string;

  @Field(() => Date, { description: 'When the values were observed.' })
  observedAt!: Date;

  @Field(() => Date, { description: 'When Carefed received it.' })
  recordedAt!: Date;

  @Field(() => String, { description: '`staff` (a person) or `feed` (a partner system).' })
  source!: string;

  @Field(() => Int, { nullable: true, description: 'Beds available, if reported.' })
  bedsAvailable!: number | null;

  @Field(() => Int, { nullable: true, description: 'Emergency wait in minutes, if reported.' })
  emergencyWaitMinutes!: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Diversion, if reported.' })
  diversion!: boolean | null;

  @Field(() => [OpeningInterval], { nullable: true, description: 'Opening hours, if reported.' })
  hours!: OpeningInterval[] | null;

  @Field(() => [String], {
    description:
      'The values that became current (a value older than one already held is kept in the history only).',
  })
  applied!: string[];
}

@ObjectType({ description: 'A page of status reports, newest observation first.' })
export class FacilityStatusReportConnection extends Connection(
  FacilityStatusReport,
  'FacilityStatusReport',
  'report',
) {}

@InputType({
  description:
    'A status report: any of the values, observed at one time. Once per idempotency key (a feed may retry).',
})
export class FacilityStatusInput {
  @Field(() => Int, { nullable: true, description: 'Staffed beds available now (0–100000).' })
  bedsAvailable?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Emergency department wait in minutes (0–2880).',
  })
  emergencyWaitMinutes?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'On ambulance diversion.' })
  diversion?: boolean | null;

  @Field(() => [OpeningIntervalInput], {
    nullable: true,
    description: 'Weekly opening hours (replace the current ones; [] closed every day).',
  })
  hours?: OpeningIntervalInput[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Forget the opening hours (unknown).' })
  clearHours?: boolean | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When the values were observed (default now; not in the future, at most 30 days ago).',
  })
  observedAt?: Date | null;

  @Field(() => String, { description: 'Idempotency key (8–128 characters).' })
  idempotencyKey!: string;
}

@ObjectType({ description: 'What a status report did.' })
export class FacilityStatusReportResult {
  @Field(() => FacilityStatusReport, { description: 'The report as recorded.' })
  report!: FacilityStatusReport;

  @Field(() => FacilityStatus, { description: 'The facility’s status after it.' })
  status!: FacilityStatus;
}

@InputType({
  description: 'A region’s traffic: travel there takes `factor` times its free-flow time.',
})
export class TrafficReportInput {
  @Field(() => String, { description: 'Region: the first three digits of a ZIP code.' })
  region!: string;

  @Field(() => Float, { description: 'Travel-time factor, 0.5 to 10 (1: free flow).' })
  factor!: number;

  @Field(() => Date, { nullable: true, description: 'When observed (default now).' })
  observedAt?: Date | null;
}
