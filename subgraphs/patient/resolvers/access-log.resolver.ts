import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from 'type-graphql';
import { PageArgs } from '../../../platform/federation/connection.js';
import { parseScopes, scopeAllows } from '../../../platform/authz/index.js';
import { readAccessLog } from '../../../platform/audit/index.js';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { decodeSeqKeyset, keysetCursor } from '../../../platform/federation/keyset.js';
import { pageSize } from '../../../platform/federation/pagination.js';

/** The cursor kind of access logs (entries by sequence number, newest first). */
const ACCESS_LOG = 'access-log';
import type { PatientContext } from '../context.js';
import { AccessLogConnection, Me } from './access-log.types.js';
import { Patient } from './patient.types.js';
import { loadPatient } from './patient.resolver.js';

/**
 * Who may read a record's access log: the patient themself (with an
 * AuditEvent scope in their own context), auditors and administrators.
 */
function mayReadAccessLog(ctx: PatientContext, patientId: string): boolean {
  const p = ctx.principal;
  const scopes = parseScopes(p.scopes);
  if (p.patientId === patientId && (p.roles.includes('patient') || p.roles.includes('partner')))
    return scopeAllows(scopes, {
      resourceType: 'AuditEvent',
      permission: 'r',
      contexts: ['patient', 'user'],
    });
  if (p.roles.includes('auditor') || p.roles.includes('admin'))
    return scopeAllows(scopes, {
      resourceType: 'AuditEvent',
      permission: 'r',
      contexts: ['user', 'system'],
    });
  return false;
}

@Resolver(() => Me)
export class AccessLogResolver {
  @Query(() => AccessLogConnection, {
    description:
      'Who accessed a patient’s record, when, why and with what outcome, newest first (from the audit log).',
  })
  async accessLog(
    @Arg('patientId', () => ID) patientIdArg: string,
    @Ctx() ctx: PatientContext,
    @Args(() => PageArgs) { first, after }: PageArgs,
  ): Promise<AccessLogConnection> {
    const patientId = requireUuid(patientIdArg, 'patientId');
    const allowed = mayReadAccessLog(ctx, patientId);
    await recordAccess(ctx, [
      {
        patientId,
        resourceType: 'AuditEvent',
        action: 'search',
        purpose: ctx.principal.purposeOfUse,
        outcome: allowed ? 'permit' : 'deny',
      },
    ]);
    if (!allowed) throw forbidden('Not permitted to read this access log');
    const n = pageSize(first);
    const beforeSeq = decodeSeqKeyset(ACCESS_LOG, after);
    const records = await readAccessLog(ctx.em, patientId, {
      first: n + 1,
      beforeSeq: beforeSeq ?? undefined,
    });
    const edges = records.slice(0, n).map((r) => ({
      cursor: keysetCursor(ACCESS_LOG, r.seq),
      node: {
        seq: r.seq,
        occurredAt: r.occurredAt,
        actor: r.actor.sub,
        actorRoles: r.actor.roles,
        clientId: r.clientId,
        action: r.action,
        resourceType: r.resourceType,
        purpose: r.purpose,
        outcome: r.outcome,
        emergency: r.emergency,
        requestId: r.requestId,
        patientId,
      },
    }));
    return {
      edges,
      pageInfo: { hasNextPage: records.length > n, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => Me, {
    description: 'The caller: subject, roles, scopes and, for patients, their record.',
  })
  me(@Ctx() ctx: PatientContext): Me {
    const p = ctx.principal;
    return {
      subject: p.sub,
      roles: p.roles,
      scopes: p.scopes,
      clientId: p.clientId,
      practitionerId: p.practitionerId,
      patientId: p.patientId,
    };
  }

  @FieldResolver(() => Patient, {
    nullable: true,
    description: 'The caller’s own patient record, if they have one.',
  })
  async patient(
    @Root() me: Me,
    @Ctx() ctx: PatientContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Patient | null> {
    return me.patientId ? loadPatient(ctx, me.patientId, info) : null;
  }
}
