import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import { Length, Matches } from 'class-validator';
import { Arg, ArgsType, Args, Ctx, Field, ID, Mutation, Resolver } from 'type-graphql';
import { validateBreakGlassReason } from '../../../platform/authz/index.js';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { badInput, conflict, forbidden, mapDatabaseError } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { publishCareTeamChanged, publishGrant } from '../events.js';
import { NO_ACCESS, patientWrite, requireAccess } from '../access.js';
import type { PatientContext } from '../context.js';
import { BreakGlassGrantEntity, CareTeamMember, PatientRecord } from '../entities/index.js';
import { BreakGlassGrant, CareTeamLink } from './care-team.types.js';

@ArgsType()
class CareTeamArgs {
  @Field(() => ID, { description: 'The patient.' })
  patientId!: string;

  @Field(() => ID, { description: 'The practitioner.' })
  @Length(1, 64)
  @Matches(/^[A-Za-z0-9._:-]+$/)
  practitionerId!: string;
}

@Resolver(() => CareTeamLink)
export class CareTeamResolver {
  @Mutation(() => CareTeamLink, { description: 'Puts a practitioner on a patient’s care team.' })
  async addCareTeamMember(
    @Args(() => CareTeamArgs) args: CareTeamArgs,
    @Arg('role', () => String, { description: 'Role on the team, e.g. primary-care.' })
    role: string,
    @Ctx() ctx: PatientContext,
  ): Promise<CareTeamLink> {
    const patientId = requireUuid(args.patientId, 'patientId');
    if (!/^[a-z][a-z-]{1,39}$/.test(role))
      throw badInput('role must be 2–40 lower-case letters or hyphens', 'role');
    const audit = {
      decision: patientWrite(ctx, patientId, 'CareTeam', 'c', 'create'),
      patientId,
      dataClass: 'CareTeam',
      action: 'create',
    } as const;
    try {
      const m = await auditedWrite(ctx, audit, {
        write: async (em) => {
          if (!(await em.count(PatientRecord, { id: patientId }))) throw forbidden(NO_ACCESS);
          const m = em.create(CareTeamMember, {
            id: randomUUID(),
            patientId,
            practitionerId: args.practitionerId,
            role,
            since: ctx.now,
            addedBy: ctx.principal.sub,
          });
          await em.persist(m).flush();
          return { id: m.id, result: m };
        },
        publish: (em, m) => publishCareTeamChanged(em, m, ctx.now),
      });
      return {
        id: m.id,
        patientId,
        practitionerId: m.practitionerId,
        role: m.role,
        since: m.since,
      };
    } catch (err) {
      const mapped = mapDatabaseError(err);
      if (mapped?.extensions.code === 'CONFLICT')
        throw conflict('That practitioner is already on the care team');
      throw mapped ?? err;
    }
  }

  @Mutation(() => Boolean, {
    description:
      'Ends a practitioner’s care-team link; their access ends with it here at once, and in every other subgraph once the change reaches its projection.',
  })
  async removeCareTeamMember(
    @Args(() => CareTeamArgs) args: CareTeamArgs,
    @Ctx() ctx: PatientContext,
  ): Promise<boolean> {
    const patientId = requireUuid(args.patientId, 'patientId');
    // Decided first as well, so that a refused caller learns nothing of the link.
    await requireAccess(ctx, patientId, 'CareTeam', 'd', 'delete');
    const link = await ctx.em.findOne(CareTeamMember, {
      patientId,
      practitionerId: args.practitionerId,
      until: null,
    });
    if (!link) return false;
    const audit = {
      decision: patientWrite(ctx, patientId, 'CareTeam', 'd', 'delete'),
      patientId,
      dataClass: 'CareTeam',
      action: 'delete',
    } as const;
    return auditedWrite(ctx, audit, {
      write: async (em) => {
        // Locked and read afresh: of two concurrent removals only the first ends the link.
        const m = await em.findOneOrFail(
          CareTeamMember,
          { id: link.id },
          { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true },
        );
        // Ended meanwhile by another request: nothing more to end.
        if (m.until) return { id: m.id, result: m, replayed: true };
        m.until = ctx.now;
        await em.flush();
        return { id: m.id, result: m };
      },
      publish: (em, m) => publishCareTeamChanged(em, m, ctx.now),
    }).then(() => true);
  }

  @Mutation(() => BreakGlassGrant, {
    description:
      'Emergency access for a clinician outside the care team: needs a reason (10–500 characters), lasts a limited time, and every use is audited as emergency access.',
  })
  async breakTheGlass(
    @Arg('patientId', () => ID) patientIdArg: string,
    @Arg('reason', () => String) reasonArg: string,
    @Ctx() ctx: PatientContext,
  ): Promise<BreakGlassGrant> {
    const patientId = requireUuid(patientIdArg, 'patientId');
    const p = ctx.principal;
    if (!p.roles.includes('clinician') || !p.practitionerId)
      throw forbidden('Only clinicians may use emergency access');
    const check = validateBreakGlassReason(reasonArg);
    if (!check.ok) throw badInput(check.message, 'reason');
    const expiresAt = new Date(ctx.now.getTime() + ctx.services.breakGlassMinutes * 60_000);
    const practitionerId = p.practitionerId;
    const id = randomUUID();
    const audit = {
      decision: { allowed: true, emergency: true, purpose: 'ETREAT', reason: 'break-glass' },
      patientId,
      dataClass: 'Patient',
      action: 'emergency-access',
      reason: `break-glass-grant:${id}`,
    } as const;
    const grant = await auditedWrite(ctx, audit, {
      write: async (em) => {
        if (!(await em.count(PatientRecord, { id: patientId }))) throw forbidden(NO_ACCESS);
        const grant = em.create(BreakGlassGrantEntity, {
          id,
          patientId,
          practitionerId,
          reason: await ctx.services.cipher.encrypt(em, check.reason, {
            table: 'patient.break_glass_grant',
            column: 'reason',
            rowId: id,
          }),
          grantedAt: ctx.now,
          expiresAt,
        });
        await em.persist(grant).flush();
        // The audit names the patient's record, as every access under the grant does.
        return { id: patientId, result: grant };
      },
      publish: (em, g) => publishGrant(em, g),
    });
    return { id, patientId, grantedAt: grant.grantedAt, expiresAt };
  }
}
