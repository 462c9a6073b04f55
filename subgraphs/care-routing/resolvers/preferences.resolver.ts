import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { forbidden } from '../../../platform/errors/index.js';
import { requireUuid } from '../../../platform/federation/ids.js';
import { NO_ACCESS, PATIENT_DATA, preferenceWrite } from '../access.js';
import type { CareRoutingContext } from '../context.js';
import {
  checkPreferences,
  NO_PREFERENCES,
  type CarePreferences as Prefs,
} from '../domain/preferences.js';
import { savePreferences } from '../store/preferences.js';
import { CarePreferences, CarePreferencesInput, Patient } from './recommendation.types.js';

/** Preferences from an input: absent lists are empty, an absent limit is none. */
export const preferencesFrom = (input: CarePreferencesInput | null | undefined): Prefs =>
  checkPreferences({
    preferredFacilityIds: input?.preferredFacilityIds ?? [],
    avoidedFacilityIds: input?.avoidedFacilityIds ?? [],
    maxTravelMinutes: input?.maxTravelMinutes ?? null,
  });

const toPreferences = (p: Prefs & { version?: number }): CarePreferences => ({
  preferredFacilityIds: p.preferredFacilityIds,
  avoidedFacilityIds: p.avoidedFacilityIds,
  maxTravelMinutes: p.maxTravelMinutes,
  version: p.version ?? 0,
});

/**
 * A patient's care preferences (PHI: where they would rather be seen):
 * read and written for the patient, decided by the kernel (role, scope,
 * compartment, consent) and audited; stored encrypted.
 */
@Resolver(() => Patient)
export class CarePreferencesResolver {
  @FieldResolver(() => CarePreferences, {
    nullable: true,
    description:
      'Their care preferences (version 0 when none are stored); recommendations for them apply these. Null with FORBIDDEN when the caller may not see them (audited).',
  })
  async carePreferences(
    @Root() patient: Patient,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<CarePreferences> {
    const patientId = requireUuid(patient.id);
    // Decided and audited for every patient of the response in one round.
    const decision = await ctx.loaders.patientReads.load(patientId);
    if (!decision.allowed) throw forbidden(NO_ACCESS);
    const stored = await ctx.loaders.preferences.load(patientId);
    return toPreferences(stored ?? NO_PREFERENCES);
  }

  @Mutation(() => CarePreferences, {
    description:
      'Sets a patient’s care preferences (the patient, an app acting for them); with expectedVersion, a stale one is CONFLICT.',
  })
  async setCarePreferences(
    @Arg('patientId', () => ID) patientId: string,
    @Arg('input', () => CarePreferencesInput) input: CarePreferencesInput,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Ctx() ctx: CareRoutingContext,
  ): Promise<CarePreferences> {
    const id = requireUuid(patientId, 'patientId');
    const prefs = preferencesFrom(input);
    return auditedWrite(
      ctx,
      {
        decision: preferenceWrite(ctx, id),
        patientId: id,
        dataClass: PATIENT_DATA,
        action: 'update',
      },
      async (em) => {
        const saved = await savePreferences(
          em,
          ctx.services.cipher,
          id,
          prefs,
          // An omitted argument arrives as undefined: no version check.
          expectedVersion ?? null,
          ctx.principal.sub,
          ctx.now,
        );
        return { id, result: toPreferences(saved) };
      },
    );
  }
}
