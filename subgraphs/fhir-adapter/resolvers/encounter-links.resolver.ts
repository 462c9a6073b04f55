import { FieldResolver, Resolver, Root } from 'type-graphql';
import { Encounter } from './encounter.types.js';
import { Appointment, Facility, Practitioner } from './patient-clinical.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An encounter's links into the rest of the graph (scheduling resolves them). */
@Resolver(() => Encounter)
export class EncounterLinksResolver {
  @FieldResolver(() => Practitioner, {
    nullable: true,
    description: 'The first participating practitioner, when matched to a Carefed practitioner.',
  })
  practitioner(@Root() e: Encounter): Practitioner | null {
    return e.practitionerId ? { id: e.practitionerId } : null;
  }

  @FieldResolver(() => Appointment, {
    nullable: true,
    description: 'The Carefed appointment this encounter took place for, when it names one.',
  })
  appointment(@Root() e: Encounter): Appointment | null {
    return e.appointmentId && UUID.test(e.appointmentId) ? { id: e.appointmentId } : null;
  }

  @FieldResolver(() => [Facility], {
    description:
      'Where it took place: care routing’s facilities for its locations (null where the directory knows none).',
  })
  facilities(@Root() e: Encounter): Facility[] {
    return e.locationIds.map((id) => ({ id }));
  }
}
