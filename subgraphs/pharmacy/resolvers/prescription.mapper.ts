import { medicationRequest } from '../domain/medication-request.js';
import type { Prescription as Stored } from '../store/prescriptions.js';
import type {
  AlertKindCode,
  AlertSeverityCode,
  DoseUnitCode,
  PeriodUnitCode,
  PrescriptionStatusCode,
  RouteCode,
} from './pharmacy.enums.js';
import type { Prescription } from './prescription.types.js';

/** A decrypted prescription as the graph shows it. */
export function toPrescription(p: Stored): Prescription {
  const d = p.decrypted;
  const overrides = new Map(d.overrides.map((o) => [o.alertCode, o.reason]));
  return {
    id: p.id,
    patientId: p.patientId,
    status: p.status as PrescriptionStatusCode,
    version: p.version,
    drugRxcui: p.drugRxcui,
    quantity: p.quantity,
    refills: p.refills,
    validUntil: p.validUntil,
    authoredAt: p.authoredAt,
    updatedAt: p.updatedAt,
    dose: { value: d.dose.value, unit: d.dose.unit as DoseUnitCode },
    route: d.route as RouteCode,
    frequency: {
      times: d.frequency.times,
      period: d.frequency.period,
      unit: d.frequency.unit as PeriodUnitCode,
    },
    asNeeded: d.asNeeded,
    durationDays: d.durationDays,
    indication: d.indication,
    notes: d.notes,
    statusReason: d.statusReason,
    alerts: d.alerts.map((a) => ({
      code: a.code,
      kind: a.kind as AlertKindCode,
      severity: a.severity as AlertSeverityCode,
      blocking: a.blocking,
      message: a.message,
      overrideReason: overrides.get(a.code) ?? null,
    })),
    securityLabels: [...p.labels],
    fhir: medicationRequest({ ...p, drugName: null }, d),
    prescriberId: p.prescriberId,
    renewalOfId: p.renewalOf,
  };
}
