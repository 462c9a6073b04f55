import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/** A practitioner on a patient's care team: the link that lets a clinician see the patient. */
@Entity({ tableName: 'care_team_member' })
@Index({ properties: ['practitionerId', 'patientId'] })
export class CareTeamMember {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Index()
  @Property({ type: 'uuid' })
  patientId!: string;

  @Property({ type: 'text' })
  practitionerId!: string;

  @Property({ type: 'text' })
  role!: string;

  @Property({ type: 'timestamptz' })
  since: Date = new Date();

  /** Set when the link ends; an ended link grants nothing. */
  @Property({ type: 'timestamptz', nullable: true })
  until?: Date | null;

  @Property({ type: 'text' })
  addedBy!: string;
}
