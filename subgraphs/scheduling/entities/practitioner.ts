import { Entity, PrimaryKey, Property, Unique } from '@mikro-orm/core';

/** A practitioner who can be booked: not PHI (public directory data). */
@Entity({ tableName: 'practitioner' })
export class PractitionerRecord {
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Unique()
  @Property({ type: 'text' })
  npi!: string;

  @Property({ type: 'text' })
  family!: string;

  @Property({ type: 'json' })
  given!: string[];

  @Property({ type: 'text', nullable: true })
  prefix?: string | null;

  /** NUCC taxonomy display names, e.g. General Practice Physician. */
  @Property({ type: 'json' })
  specialties!: string[];

  /** Facility keys (care routing will own Facility). */
  @Property({ type: 'json' })
  facilityIds!: string[];

  @Property({ type: 'boolean' })
  active: boolean = true;
}
