/**
 * Encounter types, vaccines, allergies and observation codes. SNOMED and CVX
 * codes and displays are the ones Synthea writes (see the sample bulk files);
 * LOINC codes are the FHIR vital-signs profile's.
 */
import { SYSTEM, type Coding } from './fhir.js';

const snomed = (code: string, display: string): Coding => ({
  system: SYSTEM.snomed,
  code,
  display,
});

export type EncounterKind =
  | 'checkup'
  | 'wellChild'
  | 'problem'
  | 'symptom'
  | 'followUp'
  | 'urgent'
  | 'emergency'
  | 'inpatient'
  | 'prenatalInitial'
  | 'prenatal'
  | 'delivery'
  | 'homeVisit';

/** FHIR v3 ActCode class and SNOMED type per kind, and how long such a visit lasts (minutes). */
export const ENCOUNTER: Record<
  EncounterKind,
  { class: 'AMB' | 'EMER' | 'IMP' | 'HH'; type: Coding; minutes: readonly [number, number] }
> = {
  checkup: {
    class: 'AMB',
    type: snomed('162673000', 'General examination of patient (procedure)'),
    minutes: [20, 45],
  },
  wellChild: {
    class: 'AMB',
    type: snomed('410620009', 'Well child visit (procedure)'),
    minutes: [20, 40],
  },
  problem: {
    class: 'AMB',
    type: snomed('185347001', 'Encounter for problem (procedure)'),
    minutes: [15, 40],
  },
  symptom: {
    class: 'AMB',
    type: snomed('185345009', 'Encounter for symptom (procedure)'),
    minutes: [15, 30],
  },
  followUp: {
    class: 'AMB',
    type: snomed('390906007', 'Follow-up encounter (procedure)'),
    minutes: [15, 30],
  },
  urgent: {
    class: 'AMB',
    type: snomed('702927004', 'Urgent care clinic (environment)'),
    minutes: [30, 120],
  },
  emergency: {
    class: 'EMER',
    type: snomed('50849002', 'Emergency room admission (procedure)'),
    minutes: [90, 480],
  },
  inpatient: {
    class: 'IMP',
    type: snomed('32485007', 'Hospital admission (procedure)'),
    minutes: [1440, 8640],
  },
  prenatalInitial: {
    class: 'AMB',
    type: snomed('424441002', 'Prenatal initial visit'),
    minutes: [30, 60],
  },
  prenatal: { class: 'AMB', type: snomed('424619006', 'Prenatal visit'), minutes: [20, 40] },
  delivery: {
    class: 'IMP',
    type: snomed('183460006', 'Obstetric emergency hospital admission'),
    minutes: [1440, 4320],
  },
  homeVisit: {
    class: 'HH',
    type: snomed('439708006', 'Home visit (procedure)'),
    minutes: [30, 90],
  },
};

export interface VaccineSpec {
  cvx: string;
  display: string;
}

const cvx = (code: string, display: string): VaccineSpec => ({ cvx: code, display });

export const VACCINES = {
  flu: cvx('140', 'Influenza, seasonal, injectable, preservative free'),
  covid: cvx(
    '208',
    'SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose',
  ),
  hepBPed: cvx('08', 'Hep B, adolescent or pediatric'),
  dtap: cvx('20', 'DTaP'),
  ipv: cvx('10', 'IPV'),
  hib: cvx('49', 'Hib (PRP-OMP)'),
  pcv13: cvx('133', 'Pneumococcal conjugate PCV 13'),
  rotavirus: cvx('119', 'rotavirus, monovalent'),
  mmr: cvx('03', 'MMR'),
  varicella: cvx('21', 'varicella'),
  hepAPed: cvx('83', 'Hep A, ped/adol, 2 dose'),
  tdap: cvx('115', 'Tdap'),
  hpv: cvx('62', 'HPV, quadrivalent'),
  mcv4: cvx('114', 'meningococcal MCV4P'),
  td: cvx('113', 'Td (adult), 5 Lf tetanus toxoid, preservative free, adsorbed'),
  zoster: cvx('121', 'zoster vaccine, live'),
  ppsv23: cvx('33', 'pneumococcal polysaccharide vaccine, 23 valent'),
} as const;

/** Vaccines by age in months at which they are due (CDC schedule, simplified), as [from, to) months. */
const SCHEDULE: readonly (readonly [number, number, readonly VaccineSpec[]])[] = [
  [0, 0.5, [VACCINES.hepBPed]],
  [0.5, 1.5, [VACCINES.hepBPed]],
  [1.5, 3, [VACCINES.dtap, VACCINES.ipv, VACCINES.hib, VACCINES.pcv13, VACCINES.rotavirus]],
  [3, 5, [VACCINES.dtap, VACCINES.ipv, VACCINES.hib, VACCINES.pcv13, VACCINES.rotavirus]],
  [5, 8, [VACCINES.dtap, VACCINES.hepBPed, VACCINES.pcv13]],
  [11, 14, [VACCINES.mmr, VACCINES.varicella, VACCINES.hepAPed, VACCINES.hib, VACCINES.pcv13]],
  [14, 17, [VACCINES.dtap]],
  [17, 21, [VACCINES.hepAPed]],
  [48, 60, [VACCINES.dtap, VACCINES.ipv, VACCINES.mmr, VACCINES.varicella]],
  [132, 144, [VACCINES.tdap, VACCINES.hpv, VACCINES.mcv4]],
  [192, 204, [VACCINES.mcv4]],
];

/** The routine vaccines due at a well visit for someone of `ageYears` (fractional). */
export function routineVaccines(ageYears: number): readonly VaccineSpec[] {
  const months = ageYears * 12;
  return SCHEDULE.find(([from, to]) => months >= from && months < to)?.[2] ?? [];
}

export interface AllergySpec {
  coding: Coding;
  category: 'food' | 'medication' | 'environment';
  weight: number;
}

const rx = (code: string, display: string): Coding => ({ system: SYSTEM.rxnorm, code, display });

/** Allergens Synthea records, plus penicillin and peanut (the commonest in practice). */
export const ALLERGIES: readonly AllergySpec[] = [
  { coding: rx('7980', 'Penicillin G'), category: 'medication', weight: 8 },
  { coding: rx('1191', 'Aspirin'), category: 'medication', weight: 2 },
  { coding: rx('10831', 'Sulfamethoxazole / Trimethoprim'), category: 'medication', weight: 3 },
  { coding: snomed('762952008', 'Peanut (substance)'), category: 'food', weight: 3 },
  { coding: snomed('442571000124108', 'Tree nut (substance)'), category: 'food', weight: 2 },
  { coding: snomed('102263004', 'Eggs (edible) (substance)'), category: 'food', weight: 1 },
  { coding: snomed('44027008', 'Seafood (substance)'), category: 'food', weight: 2 },
  { coding: snomed('111088007', 'Latex (substance)'), category: 'environment', weight: 1 },
  { coding: snomed('264287008', 'Animal dander (substance)'), category: 'environment', weight: 3 },
  { coding: snomed('84489001', 'Mold (organism)'), category: 'environment', weight: 2 },
  { coding: snomed('260147004', 'House dust mite (organism)'), category: 'environment', weight: 3 },
  { coding: snomed('782576004', 'Tree pollen (substance)'), category: 'environment', weight: 3 },
  { coding: snomed('288328004', 'Bee venom (substance)'), category: 'environment', weight: 1 },
];

export const REACTIONS: readonly Coding[] = [
  snomed('247472004', 'Wheal (finding)'),
  snomed('271807003', 'Eruption of skin (disorder)'),
  snomed('267036007', 'Dyspnea (finding)'),
  snomed('878820003', 'Rhinoconjunctivitis (disorder)'),
  snomed('418290006', 'Itching (finding)'),
  snomed('39579001', 'Anaphylaxis (disorder)'),
];

const loinc = (code: string, display: string): Coding => ({ system: SYSTEM.loinc, code, display });

export const LOINC = {
  heartRate: loinc('8867-4', 'Heart rate'),
  bpPanel: loinc('85354-9', 'Blood pressure panel with all children optional'),
  systolic: loinc('8480-6', 'Systolic blood pressure'),
  diastolic: loinc('8462-4', 'Diastolic blood pressure'),
  weight: loinc('29463-7', 'Body weight'),
  height: loinc('8302-2', 'Body height'),
  bmi: loinc('39156-5', 'Body mass index (BMI) [Ratio]'),
  hba1c: loinc('4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood'),
  cholesterol: loinc('2093-3', 'Cholesterol [Mass/volume] in Serum or Plasma'),
} as const;

/** Contraceptives (RxNorm, in `drugs/medications.csv`) prescribed to some women 15–49. */
export const CONTRACEPTIVES: readonly (readonly [string, number])[] = [
  ['748856', 2],
  ['748879', 2],
  ['749785', 1],
  ['831533', 1],
  ['1367439', 1],
];

/** Over-the-counter drugs patients report taking (MedicationStatement). */
export const OTC: readonly (readonly [string, number])[] = [
  ['313782', 3],
  ['310965', 3],
  ['243670', 2],
  ['311372', 2],
  ['1014678', 1],
  ['1049630', 1],
  ['849574', 1],
];

/** Iron for pregnant patients. */
export const PRENATAL_IRON = '310325';
