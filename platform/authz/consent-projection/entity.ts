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
