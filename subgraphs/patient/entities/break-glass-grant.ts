import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** Emergency access a clinician outside the care team opened, with an (encrypted) reason and an expiry. */
@Entity({ tableName: 'break_glass_grant' })
@Index({ properties: ['patientId', 'practitionerId'] })
export class BreakGlassGrantEntity {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  practitionerId!: string;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'timestamptz' })
  grantedAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;
}
