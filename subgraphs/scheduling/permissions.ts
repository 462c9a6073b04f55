import { rule } from 'graphql-shield';
import { scopeContexts } from '../../platform/authz/decide.js';
import {
  allow,
  anyRole,
  allowTypes,
  and,
  buildShield,
  hasRole,
  hasScope,
  or,
  type ShieldRule,
} from '../../platform/authz/rules.js';
import { parseScopes, scopeAllows, type Permission } from '../../platform/authz/scopes.js';
import type { RequestContext } from '../../platform/federation/context.js';

// Who may reach appointment data at all; which appointments is decided per record (access.ts).
// Billing staff read visits (when, with whom, status) to bill them; never the reason.
const readsAppointments = hasRole(
  'patient',
  'partner',
  'clinician',
  'scheduler',
  'billing',
  'admin',
);
const canRead = and(readsAppointments, hasScope('Appointment', 'r'));
const canSearch = and(readsAppointments, hasScope('Appointment', 's'));
const books = and(
  hasRole('patient', 'partner', 'clinician', 'scheduler', 'admin'),
  hasScope('Appointment', 'c'),
);
const changes = and(
  hasRole('patient', 'partner', 'clinician', 'scheduler', 'admin'),
  hasScope('Appointment', 'u'),
);
const frontDeskOrClinician = and(
  hasRole('clinician', 'scheduler', 'admin'),
  hasScope('Appointment', 'u'),
);
// Slots and the practitioner directory are not PHI: any caller of the care platform who may
// book or search (the role too: a researcher's token reaches only open data, whatever its scopes).
const seesSlots = and(
  anyRole,
  or(hasScope('Slot', 'r'), hasScope('Slot', 's'), hasScope('Appointment', 'c')),
);
const directory = hasRole(
  'patient',
  'partner',
  'clinician',
  'scheduler',
  'pharmacist',
  'billing',
  'admin',
  'auditor',
);
// The directory import: admins, or a first-party system client (a partner token with no
// patient, whose scopes then count only as `system/`). Both need create and update on Practitioner.
const systemClient = rule('isSystemClient', { cache: 'contextual' })(
  (_p, _a, ctx: RequestContext) =>
    ctx.principal.roles.every((r) => r === 'partner') && ctx.principal.patientId === undefined,
);
const importsPractitioners = and(
  or(hasRole('admin'), and(hasRole('partner'), systemClient)),
  hasScope('Practitioner', 'c'),
  hasScope('Practitioner', 'u'),
);

/**
 * Webhooks are an app's own integration, not one patient's data: partner apps
 * (or admins) with a `user/` or `system/` Subscription scope (FHIR's resource
 * for event notification); a `patient/` scope is not enough.
 */
const managesWebhooks = (permission: Permission): ShieldRule =>
  and(
    hasRole('partner', 'admin'),
    rule(`hasAppScope(Subscription.${permission})`, { cache: 'contextual' })(
      (_p, _a, ctx: RequestContext) =>
        scopeAllows(parseScopes(ctx.principal.scopes), {
          resourceType: 'Subscription',
          permission,
          contexts: scopeContexts(ctx.principal).filter((c) => c !== 'patient'),
        }),
    ),
  );
const webhooks = {
  create: managesWebhooks('c'),
  read: managesWebhooks('r'),
  update: managesWebhooks('u'),
  search: managesWebhooks('s'),
  delete: managesWebhooks('d'),
};

/** The scheduling subgraph's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    _entities: directory,
    appointment: canRead,
    practitionerDay: and(hasRole('clinician', 'scheduler', 'admin'), hasScope('Appointment', 's')),
    availableSlots: seesSlots,
    practitioner: directory,
    practitioners: directory,
    webhookSubscriptions: webhooks.read,
    webhookDeliveries: webhooks.search,
  },
  Mutation: {
    bookAppointment: books,
    rescheduleAppointment: changes,
    cancelAppointment: changes,
    checkIn: frontDeskOrClinician,
    completeAppointment: and(hasRole('clinician', 'admin'), hasScope('Appointment', 'u')),
    markNoShow: frontDeskOrClinician,
    subscribeWebhook: webhooks.create,
    unsubscribeWebhook: webhooks.delete,
    replayWebhookDelivery: webhooks.update,
    importPractitioners: importsPractitioners,
  },
  Patient: { id: allow, appointments: canSearch },
  Appointment: {
    '*': allow,
    // Minimum necessary: the front desk sees when and with whom, not why.
    reason: hasRole('patient', 'partner', 'clinician', 'admin'),
  },
  ...allowTypes(
    '_Service',
    'Facility',
    'Practitioner',
    'PractitionerName',
    'Slot',
    'AppointmentConnection',
    'AppointmentEdge',
    'PageInfo',
    'WebhookSubscription',
    'WebhookSubscriptionCreated',
    'WebhookDelivery',
    'WebhookDeliveryEdge',
    'WebhookDeliveryConnection',
    'ImportPractitionerResult',
  ),
});
