import type { AuditAction, AuditOutcome } from './entry.js';
import type { AuditRecord } from './record.js';

interface Coding {
  system: string;
  code: string;
  display?: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST: Coding = {
  system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
  code: 'rest',
  display: 'RESTful Operation',
};
const interaction = (code: string): Coding => ({
  system: 'http://hl7.org/fhir/restful-interaction',
  code,
});

/** Event type, subtype and CRUDE action for each audited action. */
const KIND: Record<
  AuditAction,
  { type: Coding; subtype: Coding[]; action: 'C' | 'R' | 'U' | 'D' | 'E' }
> = {
  read: { type: REST, subtype: [interaction('read')], action: 'R' },
  search: { type: REST, subtype: [interaction('search')], action: 'E' },
  create: { type: REST, subtype: [interaction('create')], action: 'C' },
  update: { type: REST, subtype: [interaction('update')], action: 'U' },
  delete: { type: REST, subtype: [interaction('delete')], action: 'D' },
  'emergency-access': {
    type: { system: DCM, code: '110113', display: 'Security Alert' },
    subtype: [{ system: DCM, code: '110127', display: 'Emergency Override Started' }],
    action: 'E',
  },
  export: { type: { system: DCM, code: '110106', display: 'Export' }, subtype: [], action: 'R' },
  login: {
    type: { system: DCM, code: '110114', display: 'User Authentication' },
    subtype: [{ system: DCM, code: '110122', display: 'Login' }],
    action: 'E',
  },
};

/** audit-event-outcome: a denial is a minor failure, an error a serious one. */
const OUTCOME: Record<AuditOutcome, '0' | '4' | '8'> = { permit: '0', deny: '4', error: '8' };

const PURPOSE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const HASH_EXTENSION = 'urn:carefed:fhir:audit-leaf-hash';

function whoOf(r: AuditRecord): Record<string, unknown> {
  const a = r.actor;
  const reference = a.practitionerId
    ? `Practitioner/${a.practitionerId}`
    : a.roles.includes('patient') && a.patientId
      ? `Patient/${a.patientId}`
      : undefined;
  return { reference, identifier: { system: 'urn:carefed:subject', value: a.sub } };
}

function entities(r: AuditRecord): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  if (r.patientId) {
    const detail = r.emergency
      ? [
          { type: 'emergency-access', valueString: 'true' },
          ...(r.reason ? [{ type: 'emergency-reason', valueString: r.reason }] : []),
        ]
      : undefined;
    out.push({
      what: { reference: `Patient/${r.patientId}` },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '1',
        display: 'Person',
      },
      role: {
        system: 'http://terminology.hl7.org/CodeSystem/object-role',
        code: '1',
        display: 'Patient',
      },
      detail,
    });
  }
  const isPatient = r.resourceType === 'Patient' && r.resourceId === r.patientId;
  if (!isPatient) {
    out.push({
      what: r.resourceId
        ? { reference: `${r.resourceType}/${r.resourceId}` }
        : { type: r.resourceType },
      type: {
        system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
        code: '2',
        display: 'System Object',
      },
    });
  }
  out.push({
    what: { identifier: { value: r.requestId } },
    type: {
      system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType',
      code: 'XrequestId',
    },
  });
  return out;
}

/** One audit record as a FHIR R4 AuditEvent (id = seq; the Merkle leaf hash, once sealed, as an extension). */
export function toFhirAuditEvent(r: AuditRecord): Record<string, unknown> {
  const kind = KIND[r.action];
  const purpose = [{ coding: [{ system: PURPOSE_SYSTEM, code: r.purpose }] }];
  const event = {
    resourceType: 'AuditEvent',
    id: String(r.seq),
    extension: r.hash ? [{ url: HASH_EXTENSION, valueString: r.hash }] : undefined,
    type: kind.type,
    subtype: kind.subtype.length ? kind.subtype : undefined,
    action: kind.action,
    recorded: r.occurredAt.toISOString(),
    outcome: OUTCOME[r.outcome],
    outcomeDesc: r.outcome !== 'permit' ? r.reason : undefined,
    purposeOfEvent: purpose,
    agent: [
      {
        who: whoOf(r),
        requestor: true,
        role: r.actor.roles.map((role) => ({
          coding: [{ system: 'urn:carefed:role', code: role }],
        })),
        purposeOfUse: purpose,
        network: r.ip ? { address: r.ip, type: '2' } : undefined,
      },
      {
        type: { coding: [{ system: DCM, code: '110150', display: 'Application' }] },
        who: { identifier: { system: 'urn:carefed:client', value: r.clientId } },
        requestor: false,
      },
    ],
    source: {
      observer: { display: 'carefed' },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    entity: entities(r),
  };
  // FHIR JSON has no nulls or undefined members: drop the absent ones.
  return JSON.parse(JSON.stringify(event)) as Record<string, unknown>;
}
