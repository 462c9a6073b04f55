import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { pageSize } from '../../../platform/federation/pagination.js';
import { careTeamRead } from '../access.js';
import type { PatientContext } from '../context.js';
import { decodeSnapshot } from '../store/patient-codec.js';
import { CareTeamLink } from './care-team.types.js';
import { toConsent } from './consent.mapper.js';
import { Consent } from './consent.types.js';
import { toSnapshot } from './patient.mapper.js';
import { Patient, PatientRevision } from './patient.types.js';

/**
 * Fields of Patient that read other records. The parent Patient was already
 * authorised and audited; each of these data classes (CareTeam, Consent, the
 * history) is decided and audited again, batched across every patient in the
 * response (ctx.access), so a list costs the same SQL as one patient.
 */
@Resolver(() => Patient)
export class PatientFieldsResolver {
  @FieldResolver(() => [CareTeamLink], {
    nullable: true,
    description: 'Practitioners currently on the care team.',
  })
  async careTeam(@Root() p: Patient, @Ctx() ctx: PatientContext): Promise<CareTeamLink[]> {
    // Decided and audited with the patient when the query was known to ask (`readPatients`).
    const decision = await ctx.access.load(careTeamRead(p.id));
    if (!decision.allowed) return [];
    // Loaded with the facts that decided the patient: no statement of its own.
    return (await ctx.patientRows.load(p.id)).careTeam.map((m) => ({
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
    const decision = await ctx.access.load({
      patientId: p.id,
      dataClass: 'Consent',
      permission: 'r',
      action: 'read',
      resourceId: p.id,
    });
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
    const decision = await ctx.access.load({
      patientId: p.id,
      dataClass: 'Patient',
      permission: 'r',
      action: 'read',
      resourceId: `${p.id}/_history`,
    });
    if (!decision.allowed) return [];
    const versions = (await ctx.loaders.versions.load(p.id)).slice(0, n);
    return Promise.all(
      versions.map(async (v) => ({
        version: v.version,
        recordedAt: v.recordedAt,
        recordedBy: v.recordedBy,
        record: toSnapshot(
          await decodeSnapshot(ctx.em, ctx.services.cipher, p.id, v.version, v.snapshot),
          p.id,
          v.version,
        ),
      })),
    );
  }
}
