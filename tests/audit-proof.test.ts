import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JWK } from 'jose';
import { generateAuditSigningKey } from '../platform/audit/heads.js';
import { compactJws } from '../platform/audit/head-log.js';
import { verifyInclusionProof, type InclusionProof } from '../platform/audit/proof.js';
import { createPrivateKey } from 'node:crypto';
import { demoOverrides, startTestStack, type TestStack } from './support/stack.js';

/**
 * Inclusion proofs through the gateway: a patient's app gets, with each
 * access-log entry, what it needs to check on its own that the entry is in
 * the log the sealer signed, and a forged proof does not check out.
 */
let t: TestStack;
beforeAll(async () => {
  t = await startTestStack('audit_proof');
});
afterAll(() => t?.stop());

const LOG = /* GraphQL */ `
  query ($p: ID!) {
    auditLogPublicKey
    accessLog(patientId: $p, first: 5) {
      edges {
        node {
          seq
          action
          resourceType
          requestId
          inclusionProof {
            payload
            batch
            leafIndex
            treeSize
            month
            root
            prev
            sealedAt
            auditPath
            signature
          }
        }
      }
    }
  }
`;

interface LogAnswer {
  auditLogPublicKey: string | null;
  accessLog: {
    edges: {
      node: {
        seq: number;
        action: string;
        resourceType: string;
        requestId: string;
        inclusionProof: Omit<InclusionProof, 'seq'> | null;
      };
    }[];
  };
}

describe('audit log inclusion proofs', () => {
  let proofs: InclusionProof[];
  let key: JWK;

  beforeAll(async () => {
    const patient = await t.token('patient', demoOverrides(t).patient);
    // Accesses to the patient's record, then sealed (signNow seals first).
    await t.gql(patient, `{ patient(id: "${t.demo.patientId}") { id } }`);
    await t.gql(patient, `{ patient(id: "${t.demo.patientId}") { id name { family } } }`);
    await t.stack.heads.signNow();
    const res = await t.gql<LogAnswer>(patient, LOG, { p: t.demo.patientId });
    expect(res.errors).toBeUndefined();
    key = JSON.parse(res.data!.auditLogPublicKey!) as JWK;
    const nodes = res.data!.accessLog.edges.map((e) => e.node);
    // The newest entry (this very listing) may not be sealed yet; the reads before it are.
    const sealed = nodes.filter((n) => n.inclusionProof !== null);
    expect(sealed.length).toBeGreaterThanOrEqual(2);
    proofs = sealed.map((n) => ({ seq: n.seq, ...n.inclusionProof! }));
    for (const [i, n] of sealed.entries()) {
      // The proven text is the entry the log shows.
      const stored = JSON.parse(proofs[i]!.payload) as Record<string, unknown>;
      expect(stored).toMatchObject({
        patientId: t.demo.patientId,
        action: n.action,
        resourceType: n.resourceType,
        requestId: n.requestId,
      });
    }
  });

  it("proves every sealed entry with the log's public key alone", () => {
    for (const p of proofs) expect(verifyInclusionProof(p, key)).toEqual({ ok: true });
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    expect(key).not.toHaveProperty('d');
  });

  it('rejects a forged entry, path, position, root or signature', async () => {
    const p = proofs[0]!;
    const forgedPayload = p.payload.replace(/"outcome":"permit"/, '"outcome":"deny"');
    expect(forgedPayload).not.toBe(p.payload);
    const flip = (h: string) => (h[0] === 'a' ? 'b' : 'a') + h.slice(1);
    const forgeries: InclusionProof[] = [
      { ...p, payload: forgedPayload },
      { ...p, seq: p.seq + 1 },
      { ...p, leafIndex: p.leafIndex + 1 },
      { ...p, root: flip(p.root) },
      {
        ...p,
        auditPath: p.auditPath.length
          ? [flip(p.auditPath[0]!), ...p.auditPath.slice(1)]
          : ['0'.repeat(64)],
      },
      { ...p, sealedAt: new Date(0).toISOString() },
    ];
    for (const f of forgeries)
      expect(verifyInclusionProof(f, key).ok, JSON.stringify(f)).toBe(false);
    // A head signed by any other key, however well formed, is not the log's.
    const other = createPrivateKey({
      key: (await generateAuditSigningKey()) as Record<string, unknown>,
      format: 'jwk',
    });
    const [, body] = p.signature.split('.');
    const head = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as object;
    expect(verifyInclusionProof({ ...p, signature: compactJws(other, head) }, key)).toMatchObject({
      ok: false,
      reason: 'the batch head is not the one the log key signed',
    });
  });

  it("gives no proof material for another patient's entry", async () => {
    const [mine] = proofs;
    const rows = await t.sql('SELECT * FROM audit.proof_material($1, $2)', [
      mine!.seq,
      t.demo.otherPatientId,
    ]);
    expect(rows).toEqual([]);
    const own = await t.sql<{ batch: string }>('SELECT batch FROM audit.proof_material($1, $2)', [
      mine!.seq,
      t.demo.patientId,
    ]);
    expect(own.map((r) => Number(r.batch))).toEqual([mine!.batch]);
  });
});
