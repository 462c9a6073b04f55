import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { recordAccess } from '../../../platform/audit/request-audit.js';
import { pageSize } from '../../../platform/federation/pagination.js';
import { accessEvent, decideMany } from '../access.js';
import type { PatientContext } from '../context.js';
import { decodeSnapshot } from '../store/patient-codec.js';
import { CareTeamLink } from './care-team.types.js';
import { Consent } from './consent.types.js';
import { toConsent } from './consent.mapper.js';
import { toPatient } from './patient.mapper.js';
import { Patient, PatientRevision } from './patient.types.js';

/**
 * Fields of Patient that read other records. The parent Patient was already
 * authorised and audited; consent for other data classes (Consent) is decided
 * here, batched across every patient in the response.
 */
@Resolver(() => Patient)
export class PatientFieldsResolver {
  @FieldResolver(() => [CareTeamLink], {
    nullable: true,
    description: 'Practitioners currently on the care team.',
  })
  async careTeam(@Root() p: Patient, @Ctx() ctx: PatientContext): Promise<CareTeamLink[]> {
    const members = await ctx.loaders.careTeam.load(p.id);
    return members.map((m) => ({
      id: m.id,
      patientId: m.patientId,
      practitionerId: m.practitionerId,
      role: m.role,
      since: m.since,
    }));
  }

  @FieldResolver(() => [Consent], {
    nullable: true,
    description: 'The patient’s consents, newest first, including revoked ones.',
  })
  async consents(@Root() p: Patient, @Ctx() ctx: PatientContext): Promise<Consent[]> {
    const decision = (await decideMany(ctx, [p.id], 'Consent', 'r')).get(p.id)!;
    await recordAccess(ctx, [accessEvent(p.id, decision, 'read', 'Consent')]);
    if (!decision.allowed) return [];
    return (await ctx.loaders.consents.load(p.id)).map(toConsent);
  }

  @FieldResolver(() => [PatientRevision], {
    nullable: true,
    description: 'Every version of the record, newest first: what changed, when and by whom.',
  })
  async history(
    @Root() p: Patient,
    @Ctx() ctx: PatientContext,
    @Arg('first', () => Int, {
      nullable: true,
      description: 'How many versions, 1–100 (default 20).',
    })
    first?: number,
  ): Promise<PatientRevision[]> {
    const n = pageSize(first);
    const versions = (await ctx.loaders.versions.load(p.id)).slice(0, n);
    const decision = (await decideMany(ctx, [p.id], 'Patient', 'r')).get(p.id)!;
    await recordAccess(ctx, [accessEvent(p.id, decision, 'read', 'Patient', `${p.id}/_history`)]);
    if (!decision.allowed) return [];
    return Promise.all(
      versions.map(async (v) => ({
        version: v.version,
        recordedAt: v.recordedAt,
        recordedBy: v.recordedBy,
        record: toPatient({
          ...(await decodeSnapshot(ctx.em, ctx.services.cipher, p.id, v.version, v.snapshot)),
          id: p.id,
          version: v.version,
        }),
      })),
    );
  }
}
