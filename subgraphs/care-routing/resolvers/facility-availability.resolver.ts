import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { badInput } from '../../../platform/errors/index.js';
import type { CareRoutingContext } from '../context.js';
import { FreeSlot } from './facility-availability.types.js';
import { Facility } from './facility.types.js';

const MAX_SPECIALTY = 200;

/**
 * What a facility's practitioners offer, from care routing's projection of
 * scheduling's events (never a read of scheduling's tables): the specialties
 * practised there and the next free slot. Directory data, no PHI; batched
 * per request (loaders.ts).
 */
@Resolver(() => Facility)
export class FacilityAvailabilityResolver {
  @FieldResolver(() => [String], {
    description:
      'Specialties of the practitioners with an active schedule here, sorted; empty when none is known.',
  })
  specialties(@Root() f: Facility, @Ctx() ctx: CareRoutingContext): Promise<string[]> {
    return ctx.loaders.specialties.load(f.id);
  }

  @FieldResolver(() => FreeSlot, {
    nullable: true,
    description:
      'The earliest free slot here from now, within 31 days, of any practitioner (of the specialty, when given); null when none.',
  })
  async nextAvailable(
    @Root() f: Facility,
    @Ctx() ctx: CareRoutingContext,
    @Arg('specialty', () => String, {
      nullable: true,
      description: 'Only practitioners with this specialty (exact, ignoring case).',
    })
    specialty?: string | null,
  ): Promise<FreeSlot | null> {
    if (specialty != null && (specialty.trim() === '' || specialty.length > MAX_SPECIALTY))
      throw badInput(`specialty must be 1 to ${MAX_SPECIALTY} characters`, 'specialty');
    const slot = await ctx.loaders.nextFreeSlot(specialty ?? null).load(f.id);
    if (!slot) return null;
    return {
      start: slot.start,
      end: slot.end,
      practitioner: { id: slot.practitionerId },
      specialty: slot.specialty,
    };
  }
}
