export { auditSchemaSql, grantAuditSql } from './schema-sql.js';
export {
  canonicalPayload,
  AUDIT_ACTIONS,
  AUDIT_OUTCOMES,
  PAYLOAD_VERSION,
  type AuditEntryInput,
  type AuditActor,
  type AuditAction,
  type AuditOutcome,
} from './entry.js';
export { toAuditRecord, type AuditRecord } from './record.js';
export { appendAudit, readAccessLog, type AccessLogPage } from './writer.js';
export {
  signHead,
  readHeads,
  readChainTip,
  type HeadEvent,
  type ChainTip,
  generateAuditSigningKey,
  publicAuditKey,
  AuditHeadError,
  type SignedHead,
} from './heads.js';
export { HeadLog, AuditHeadTamperError } from './head-log.js';
export { verifyAuditChain, type VerifyResult, type VerifyOptions } from './verify.js';
export { GENESIS_HASH } from './hash.js';
export { toFhirAuditEvent } from './fhir.js';
export { runAuditVerify, type CliIo } from './cli.js';
export type { AuditDb, PgQueryable } from './db.js';
export { readInclusionProofs, verifyInclusionProof, type InclusionProof } from './proof.js';
export { sealPending, type SealResult } from './sealer.js';
export { leafHash, merkleRoot, inclusionPath, rootFromPath } from './merkle.js';
