import type { Severity } from './severity.js';

/**
 * The allergy classes the safety check uses: a small curated table, the only
 * class data in the catalogue (RxNorm carries no drug classes, and neither
 * interaction file does). Members are normalised ingredient names (RxNorm IN
 * names, lower case); the importer links those present in the catalogue.
 *
 * Memberships follow the WHO ATC classification (WHO Collaborating Centre
 * for Drug Statistics Methodology, ATC/DDD Index), the ATC group given per
 * class; aspirin is added to the NSAIDs (ATC N02BA01) because aspirin and
 * the other COX inhibitors cross-react in NSAID hypersensitivity. The one
 * cross-reactivity between classes, penicillins ↔ cephalosporins, follows
 * the AAAAI/ACAAI drug allergy practice parameter (Khan et al., J Allergy
 * Clin Immunol 2022): real but low (about 1–2 %), so it is a lesser,
 * non-blocking alert.
 *
 * `memberSeverity` is the alert for an allergy to one member when another
 * member is prescribed: HIGH (blocking) for immunologic classes; MODERATE
 * for opioids and statins, where recorded "allergies" are mostly
 * intolerance and cross-reactivity is not established.
 */
export interface AllergyClass {
  id: string;
  name: string;
  /** Where the membership comes from. */
  source: string;
  memberSeverity: Severity;
  /** Other classes an allergy to this one cross-reacts with (a lesser alert). */
  crossReactiveWith: string[];
  members: string[];
}

export const ALLERGY_CLASS_SOURCE = 'Carefed curated (WHO ATC)';

export const ALLERGY_CLASSES: readonly AllergyClass[] = [
  {
    id: 'penicillins',
    name: 'Penicillins (ATC J01C)',
    source: ALLERGY_CLASS_SOURCE,
    memberSeverity: 'HIGH',
    crossReactiveWith: ['cephalosporins'],
    members: [
      'amoxicillin',
      'ampicillin',
      'dicloxacillin',
      'nafcillin',
      'oxacillin',
      'penicillin g',
      'penicillin v',
      'piperacillin',
    ],
  },
  {
    id: 'cephalosporins',
    name: 'Cephalosporins (ATC J01DB–J01DE)',
    source: ALLERGY_CLASS_SOURCE,
    memberSeverity: 'HIGH',
    crossReactiveWith: ['penicillins'],
    members: ['cefaclor', 'cefazolin', 'cefotaxime', 'ceftriaxone', 'cefuroxime', 'cephalexin'],
  },
  {
    id: 'sulfonamide-antibiotics',
    name: 'Sulfonamide antibiotics (ATC J01E)',
    source: ALLERGY_CLASS_SOURCE,
    memberSeverity: 'HIGH',
    crossReactiveWith: [],
    members: ['sulfadiazine', 'sulfamethoxazole', 'sulfisoxazole'],
  },
  {
    id: 'fluoroquinolones',
    name: 'Fluoroquinolones (ATC J01MA)',
    source: ALLERGY_CLASS_SOURCE,
    memberSeverity: 'HIGH',
    crossReactiveWith: [],
    members: ['ciprofloxacin', 'levofloxacin', 'moxifloxacin', 'ofloxacin', 'sparfloxacin'],
  },
  {
    id: 'nsaids',
    name: 'NSAIDs incl. aspirin (ATC M01A, N02BA01)',
    source: ALLERGY_CLASS_SOURCE,
    memberSeverity: 'HIGH',
    crossReactiveWith: [],
    members: [
      'aspirin',
      'celecoxib',
      'diclofenac',
      'ibuprofen',
      'indomethacin',
      'ketorolac',
      'meloxicam',
      'naproxen',
    ],
  },
  {
    id: 'opioids',
    name: 'Opioids (ATC N02A, N01AH)',
    source: ALLERGY_CLASS_SOURCE,
    memberSeverity: 'MODERATE',
    crossReactiveWith: [],
    members: [
      'alfentanil',
      'codeine',
      'fentanyl',
      'hydrocodone',
      'hydromorphone',
      'meperidine',
      'methadone',
      'morphine',
      'oxycodone',
      'remifentanil',
      'sufentanil',
      'tapentadol',
      'tramadol',
    ],
  },
  {
    id: 'statins',
    name: 'HMG-CoA reductase inhibitors (ATC C10AA)',
    source: ALLERGY_CLASS_SOURCE,
    memberSeverity: 'MODERATE',
    crossReactiveWith: [],
    members: [
      'atorvastatin',
      'fluvastatin',
      'lovastatin',
      'pravastatin',
      'rosuvastatin',
      'simvastatin',
    ],
  },
];
