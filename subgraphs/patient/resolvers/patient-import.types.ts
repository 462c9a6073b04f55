import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum ImportOutcome {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
}
registerEnumType(ImportOutcome, {
  name: 'ImportOutcome',
  description: 'What an import did with one patient.',
  valuesConfig: {
    CREATED: { description: 'No record held the MRN: registered, version 1.' },
    UPDATED: { description: "The record holding the MRN now has the entry's data, a new version." },
    UNCHANGED: {
      description: "The record holding the MRN already had the entry's data: not written.",
    },
  },
});

@ObjectType({ description: 'What became of one entry of `importPatients`.' })
export class ImportPatientResult {
  @Field(() => String, { description: "The entry's `sourceKey`, as sent." })
  sourceKey!: string;

  @Field(() => ID, {
    description: 'The Carefed patient id the entry was matched to or created as.',
  })
  id!: string;

  @Field(() => ImportOutcome, { description: 'Created, updated or left as it was.' })
  outcome!: ImportOutcome;

  @Field(() => Int, { description: "The record's version after the import." })
  version!: number;
}
