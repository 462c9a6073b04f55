import {
  allow,
  allowTypes,
  and,
  anyRole,
  buildShield,
  hasRole,
  hasScope,
} from '../../platform/authz/rules.js';

// Who may reach prescriptions at all; whose, and under which consent and labels, the kernel
// decides per record (access.ts), which also checks the SMART scope of each type.
const prescriptionReaders = hasRole('clinician', 'pharmacist', 'patient', 'partner');
const clinicians = hasRole('clinician');
// Dispenses: billing reads what was dispensed; the kernel decides whose (access.ts).
const dispenseReaders = hasRole('clinician', 'pharmacist', 'patient', 'partner', 'billing');
const stockKeepers = hasRole('pharmacist', 'admin');

/** Pharmacy's policy: anything not named here is refused. */
export const permissions = buildShield({
  Query: {
    _service: allow,
    // The gateway resolves Patient, Drug and Prescription here for anyone signed in; the
    // fields below decide.
    _entities: anyRole,
    drug: anyRole,
    drugs: anyRole,
    prescription: and(prescriptionReaders, hasScope('MedicationRequest', 'r')),
    prescriptionHistory: and(prescriptionReaders, hasScope('MedicationRequest', 'r')),
    checkPrescription: and(clinicians, hasScope('MedicationRequest', 's')),
    dispense: and(dispenseReaders, hasScope('MedicationDispense', 'r')),
    stock: stockKeepers,
    stockAlerts: stockKeepers,
    stockLedger: stockKeepers,
  },
  Mutation: {
    prescribe: and(clinicians, hasScope('MedicationRequest', 'c')),
    renewPrescription: and(clinicians, hasScope('MedicationRequest', 'c')),
    changePrescriptionStatus: and(clinicians, hasScope('MedicationRequest', 'u')),
    dispenseMedication: and(hasRole('pharmacist'), hasScope('MedicationDispense', 'c')),
    receiveStock: stockKeepers,
    adjustStock: stockKeepers,
    setReorderLevel: stockKeepers,
    resolveStockAlert: stockKeepers,
    runExpiryCheck: stockKeepers,
  },
  // Care routing's facility: its stock is for those who keep it.
  Facility: { id: allow, locationIds: allow, stock: stockKeepers },
  Dispense: {
    '*': allow,
    // The prescription says why: the kernel decides it as a prescription read (and audits a
    // refusal, billing's included).
    prescription: anyRole,
  },
  Patient: {
    id: allow,
    // Decided by the kernel per patient (role, scope, compartment, consent), so every refusal is
    // audited with the patient it names: a caller without reach gets an empty list.
    prescriptions: anyRole,
    medications: anyRole,
  },
  // Each record was decided (and audited) before it was mapped: its fields are its own.
  ...allowTypes(
    '_Service',
    'Drug',
    'DrugEdge',
    'DrugConnection',
    'Ingredient',
    'Dose',
    'Frequency',
    'Indication',
    'AlertSource',
    'AlertSubject',
    'SafetyAlert',
    'RecordedAlert',
    'Practitioner',
    'Prescription',
    'PrescriptionEdge',
    'PrescriptionConnection',
    'PrescribeResult',
    'OutsideMedication',
    'MedicationListEntry',
    'PageInfo',
    'DispensedLot',
    'DispenseResult',
    'StockLot',
    'DrugStock',
    'StockAlert',
    'StockMoveResult',
    'StockLedgerEntry',
  ),
});
