import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';

export enum PractitionerImportOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
}
registerEnumType(PractitionerImportOutcome, {
  name: 'PractitionerImportOutcome',
  description: 'What an import did to one practitioner.',
  valuesConfig: {
    CREATED: { description: 'No practitioner had the NPI: one was created.' },
    UPDATED: { description: 'The practitioner with the NPI held other data: it was replaced.' },
    UNCHANGED: {
      description: 'The practitioner with the NPI already held this data: nothing was written.',
    },
  },
});

@InputType({
  description:
    'One practitioner as the source states it (FHIR Practitioner with its PractitionerRoles merged): the whole directory entry, matched by NPI. An omitted optional field takes its default; it does not keep the stored value.',
})
export class ImportPractitionerInput {
  @Field(() => String, {
    description: 'The caller’s own key for this entry (1–200 characters, opaque), echoed back.',
  })
  sourceKey!: string;

  @Field(() => ID, {
    nullable: true,
    description:
      'Id for a new practitioner (the FHIR id: 1–64 of A-Z a-z 0-9 - .), used when no practitioner has it; otherwise a fresh UUID. An existing practitioner keeps its id.',
  })
  id?: string | null;

  @Field(() => String, { description: 'National Provider Identifier: 10 digits (unique).' })
  npi!: string;

  @Field(() => String, { description: 'Family name (1–200 characters).' })
  family!: string;

  @Field(() => [String], { description: 'Given names (at most 10).' })
  given!: string[];

  @Field(() => String, { nullable: true, description: 'Name prefix, e.g. Dr. (default none).' })
  prefix?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Specialties, NUCC taxonomy display names (at most 20; default none).',
  })
  specialties?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: 'Facility keys (FHIR Location ids) where they work (at most 50; default none).',
  })
  facilityIds?: string[] | null;

  @Field(() => Boolean, { nullable: true, description: 'Bookable (default true).' })
  active?: boolean | null;
}

@ObjectType({ description: 'What an import did with one entry.' })
export class ImportPractitionerResult {
  @Field(() => String, { description: 'The entry’s sourceKey.' })
  sourceKey!: string;

  @Field(() => ID, { description: 'The practitioner’s id.' })
  id!: string;

  @Field(() => PractitionerImportOutcome, { description: 'Created, updated or unchanged.' })
  outcome!: PractitionerImportOutcome;
}
