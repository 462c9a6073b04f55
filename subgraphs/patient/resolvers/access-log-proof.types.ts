import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'Proof that an access-log entry is in the signed audit log (RFC 9162 Merkle audit path). Check it with the log’s public key (`auditLogPublicKey`): the leaf is SHA-256(0x00 || seq "\\n" payload); the audit path leads to `root`; `signature` is an EdDSA JWS over the batch head {v:2, batch, month, size, root, prev, sealedAt}.',
})
export class AuditInclusionProof {
  @Field(() => String, { description: 'The entry exactly as stored (canonical JSON).' })
  payload!: string;

  @Field(() => Int, { description: 'The sealed batch holding the entry.' })
  batch!: number;

  @Field(() => Int, { description: 'The entry’s leaf index in the batch’s tree.' })
  leafIndex!: number;

  @Field(() => Int, { description: 'Leaves in the batch’s tree.' })
  treeSize!: number;

  @Field(() => String, { description: 'UTC month the batch’s entries were logged in (YYYY-MM).' })
  month!: string;

  @Field(() => String, { description: 'The tree’s root hash (hex).' })
  root!: string;

  @Field(() => String, { description: 'Hash of the previous batch head (hex).' })
  prev!: string;

  @Field(() => String, { description: 'When the batch was sealed (ISO 8601, as signed).' })
  sealedAt!: string;

  @Field(() => [String], { description: 'Sibling hashes from the leaf up to the root (hex).' })
  auditPath!: string[];

  @Field(() => String, { description: 'Compact EdDSA JWS over the batch head.' })
  signature!: string;
}
