import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { Provision } from '../consent.js';

/** The patient subgraph's consents as a consuming subgraph knows them, fed by `consent.changed` events. */
@Entity({ tableName: 'consent_projection' })
export class ConsentProjection {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Index()
  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  status!: 'active' | 'inactive';

  @Property({ type: 'text' })
  scope!: 'patient-privacy' | 'research' | 'treatment';

  @Property({ type: 'json' })
  provisions!: Provision[];

  @Property({ type: 'timestamptz', nullable: true })
  periodStart?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  periodEnd?: Date | null;

  /** Time of the event applied last; older events never overwrite newer ones. */
  @Property({ type: 'timestamptz' })
  changedAt!: Date;
}

/** The patient subgraph's care-team links as a consuming subgraph knows them, fed by `care-team.changed`. */
@Entity({ tableName: 'care_team_projection' })
export class CareTeamProjection {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  practitionerId!: string;

  @Property({ type: 'timestamptz' })
  since!: Date;

  /** Set when the link ended; an ended link places no one in the compartment. */
  @Property({ type: 'timestamptz', nullable: true })
  until?: Date | null;

  @Property({ type: 'timestamptz' })
  changedAt!: Date;
}

/** Break-the-glass grants as a consuming subgraph knows them, fed by `break-glass.granted`. */
@Entity({ tableName: 'break_glass_projection' })
export class BreakGlassProjection {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  practitionerId!: string;

  @Property({ type: 'timestamptz' })
  grantedAt!: Date;

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;
}

/** The projection entities every subgraph holding patient data registers with its ORM. */
export const accessFactEntities = [ConsentProjection, CareTeamProjection, BreakGlassProjection];
