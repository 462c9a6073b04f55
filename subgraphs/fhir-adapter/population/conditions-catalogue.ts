/**
 * What patients are diagnosed with. Codes are ICD-10-CM as they appear in
 * `codes/icd10cm-2018-categories.csv` (the file stops at categories and some
 * subcategories, so `I10`, `F41`, `K21` are the deepest codes it has); the
 * loader checks every code here exists there. Prevalences are rough US adult
 * figures (CDC/NHANES order of magnitude), not a fitted model.
 */

/** Prevalence by age band: 0–17, 18–44, 45–64, 65+. */
export type ByAge = readonly [child: number, young: number, middle: number, old: number];

export interface ChronicSpec {
  /** Weighted ICD-10-CM codes (dotted). */
  codes: readonly (readonly [string, number])[];
  prevalence: ByAge;
  sex?: 'female' | 'male';
  /** Follow-up visits a year while it is active. */
  followUps: number;
  /** RxNorm codes (in `drugs/medications.csv`) it is treated with, weighted; none: no drug. */
  drugs?: readonly (readonly [string, number])[];
  /** Share of patients with it who take a drug for it. */
  treated?: number;
}

export const CHRONIC: readonly ChronicSpec[] = [
  {
    codes: [['I10', 1]],
    prevalence: [0.005, 0.1, 0.35, 0.6],
    followUps: 1,
    drugs: [
      ['314076', 4],
      ['197361', 3],
      ['310798', 2],
      ['979485', 2],
      ['866414', 1],
    ],
    treated: 0.8,
  },
  {
    codes: [
      ['E78.5', 6],
      ['E78.2', 2],
      ['E78.0', 2],
    ],
    prevalence: [0.002, 0.07, 0.28, 0.45],
    followUps: 0.5,
    drugs: [
      ['312961', 3],
      ['259255', 3],
      ['314231', 2],
    ],
    treated: 0.6,
  },
  {
    codes: [
      ['E11.9', 6],
      ['E11.65', 2],
      ['E11.2', 1],
      ['E11.4', 1],
    ],
    prevalence: [0.002, 0.04, 0.14, 0.22],
    followUps: 2,
    drugs: [
      ['860975', 8],
      ['1373463', 2],
      ['897122', 1],
      ['106892', 1],
    ],
    treated: 0.9,
  },
  {
    codes: [
      ['J45.90', 6],
      ['J45.2', 2],
      ['J45.4', 2],
    ],
    prevalence: [0.07, 0.08, 0.08, 0.07],
    followUps: 0.5,
    drugs: [
      ['2123111', 5],
      ['895994', 2],
      ['896209', 2],
    ],
    treated: 0.9,
  },
  {
    codes: [
      ['F32.9', 8],
      ['F32.8', 2],
    ],
    prevalence: [0.02, 0.09, 0.08, 0.06],
    followUps: 1,
    drugs: [
      ['312938', 4],
      ['310385', 3],
      ['596926', 1],
    ],
    treated: 0.6,
  },
  {
    codes: [['F41', 1]],
    prevalence: [0.03, 0.1, 0.08, 0.05],
    followUps: 1,
    drugs: [
      ['312938', 3],
      ['204892', 1],
    ],
    treated: 0.5,
  },
  {
    codes: [
      ['M54.5', 6],
      ['M54.2', 2],
      ['M54.4', 2],
    ],
    prevalence: [0.01, 0.08, 0.12, 0.12],
    followUps: 0.5,
    drugs: [
      ['198014', 3],
      ['310965', 3],
      ['1049221', 1],
    ],
    treated: 0.5,
  },
  { codes: [['K21', 1]], prevalence: [0.01, 0.06, 0.12, 0.15], followUps: 0.3 },
  {
    codes: [
      ['E66.9', 7],
      ['E66.0', 3],
    ],
    prevalence: [0.05, 0.1, 0.12, 0.08],
    followUps: 0.3,
  },
  {
    codes: [
      ['I25.1', 7],
      ['I25.2', 3],
    ],
    prevalence: [0, 0.005, 0.05, 0.15],
    followUps: 1,
    drugs: [
      ['243670', 3],
      ['309362', 2],
      ['705129', 1],
    ],
    treated: 0.8,
  },
  {
    codes: [['J44', 1]],
    prevalence: [0, 0.01, 0.05, 0.1],
    followUps: 1,
    drugs: [
      ['896209', 2],
      ['245314', 1],
    ],
    treated: 0.8,
  },
  {
    codes: [['N18', 1]],
    prevalence: [0, 0.01, 0.03, 0.1],
    followUps: 1,
    drugs: [['313988', 1]],
    treated: 0.3,
  },
  {
    codes: [['E03', 1]],
    prevalence: [0.002, 0.03, 0.06, 0.1],
    followUps: 0.5,
    drugs: [['966222', 1]],
    treated: 0.9,
  },
  {
    codes: [
      ['M17.1', 7],
      ['M17.9', 3],
    ],
    prevalence: [0, 0.01, 0.08, 0.2],
    followUps: 0.3,
    drugs: [
      ['198014', 1],
      ['198440', 1],
    ],
    treated: 0.4,
  },
  { codes: [['G47.3', 1]], prevalence: [0.005, 0.03, 0.07, 0.08], followUps: 0.3 },
  {
    codes: [['I48.9', 1]],
    prevalence: [0, 0.002, 0.02, 0.09],
    followUps: 1,
    drugs: [['855332', 1]],
    treated: 0.7,
  },
  { codes: [['N40', 1]], prevalence: [0, 0, 0.1, 0.3], sex: 'male', followUps: 0.3 },
  {
    codes: [['M81', 1]],
    prevalence: [0, 0, 0.04, 0.2],
    sex: 'female',
    followUps: 0.3,
    drugs: [['904419', 1]],
    treated: 0.5,
  },
  {
    codes: [['F03.9', 1]],
    prevalence: [0, 0, 0.002, 0.06],
    followUps: 1,
    drugs: [
      ['997223', 2],
      ['996740', 1],
    ],
    treated: 0.6,
  },
  {
    codes: [['G43.90', 1]],
    prevalence: [0.02, 0.06, 0.04, 0.01],
    followUps: 0.3,
    drugs: [['310965', 1]],
    treated: 0.5,
  },
  {
    codes: [['J30.9', 1]],
    prevalence: [0.05, 0.08, 0.07, 0.05],
    followUps: 0,
    drugs: [
      ['311372', 2],
      ['1014678', 2],
    ],
    treated: 0.6,
  },
  {
    codes: [['F90', 1]],
    prevalence: [0.06, 0.02, 0.005, 0],
    followUps: 1,
    drugs: [
      ['1091392', 2],
      ['608139', 1],
    ],
    treated: 0.6,
  },
  {
    codes: [['M10.9', 1]],
    prevalence: [0, 0.01, 0.04, 0.06],
    followUps: 0.3,
    drugs: [
      ['197319', 3],
      ['197541', 1],
    ],
    treated: 0.7,
  },
  // Sensitive (42 CFR Part 2 substance use, HIV): small on purpose, so segmentation is exercised.
  {
    codes: [['F17.21', 1]],
    prevalence: [0.002, 0.04, 0.05, 0.03],
    followUps: 0,
    drugs: [['198031', 1]],
    treated: 0.2,
  },
  {
    codes: [
      ['F10.1', 1],
      ['F10.2', 1],
    ],
    prevalence: [0.002, 0.03, 0.025, 0.01],
    followUps: 0.5,
  },
  {
    codes: [['F11.2', 1]],
    prevalence: [0, 0.008, 0.006, 0.002],
    followUps: 2,
    drugs: [['864718', 1]],
    treated: 0.5,
  },
  { codes: [['F12.1', 1]], prevalence: [0.003, 0.015, 0.006, 0.001], followUps: 0 },
  { codes: [['F14.1', 1]], prevalence: [0, 0.004, 0.002, 0], followUps: 0 },
  {
    codes: [['B20', 1]],
    prevalence: [0, 0.004, 0.004, 0.002],
    followUps: 2,
    drugs: [['597730', 1]],
    treated: 0.9,
  },
];

export interface AcuteSpec {
  code: string;
  weight: number;
  /** Lowest and highest age it is given at. */
  ages?: readonly [number, number];
  sex?: 'female' | 'male';
  /** Days until it resolves. */
  days: number;
  drugs?: readonly (readonly [string, number])[];
  /** Share of episodes that get a prescription. */
  treated?: number;
}

/** Reasons for problem, symptom and urgent-care visits. */
export const ACUTE: readonly AcuteSpec[] = [
  { code: 'J06', weight: 20, days: 10, drugs: [['198440', 1]], treated: 0.1 },
  {
    code: 'J02',
    weight: 8,
    days: 7,
    drugs: [
      ['308192', 3],
      ['308460', 1],
    ],
    treated: 0.4,
  },
  {
    code: 'J01.9',
    weight: 6,
    days: 14,
    drugs: [
      ['562251', 2],
      ['308192', 1],
    ],
    treated: 0.5,
  },
  { code: 'J20', weight: 6, days: 14, drugs: [['308460', 1]], treated: 0.2 },
  { code: 'H66.9', weight: 6, ages: [0, 12], days: 10, drugs: [['308182', 1]], treated: 0.7 },
  {
    code: 'N30.0',
    weight: 5,
    ages: [12, 110],
    sex: 'female',
    days: 7,
    drugs: [
      ['311995', 3],
      ['1094107', 1],
    ],
    treated: 0.9,
  },
  { code: 'R10.9', weight: 4, days: 5 },
  { code: 'R51', weight: 4, days: 3, drugs: [['310965', 1]], treated: 0.3 },
  { code: 'R05', weight: 4, days: 14 },
  { code: 'R50.9', weight: 3, days: 4, drugs: [['198440', 1]], treated: 0.3 },
  { code: 'A09', weight: 3, days: 5 },
  { code: 'B34', weight: 4, days: 7 },
  { code: 'H10.9', weight: 2, days: 7 },
  {
    code: 'L03.9',
    weight: 2,
    days: 10,
    drugs: [
      ['562251', 1],
      ['1650142', 1],
    ],
    treated: 0.9,
  },
  { code: 'L30', weight: 2, days: 14, drugs: [['106258', 1]], treated: 0.5 },
  { code: 'M25.56', weight: 2, ages: [10, 110], days: 21, drugs: [['849574', 1]], treated: 0.4 },
  { code: 'R07.9', weight: 2, ages: [18, 110], days: 1 },
  { code: 'K59.0', weight: 2, days: 7 },
  { code: 'R42', weight: 2, ages: [18, 110], days: 3 },
  {
    code: 'J18',
    weight: 1,
    days: 21,
    drugs: [
      ['308192', 1],
      ['308460', 1],
    ],
    treated: 0.9,
  },
];

/** Reasons for inpatient stays, weighted; most are for older patients. */
export const INPATIENT: readonly AcuteSpec[] = [
  { code: 'J18', weight: 5, days: 21, drugs: [['308460', 1]], treated: 0.9 },
  { code: 'I50.9', weight: 4, ages: [45, 110], days: 30, drugs: [['313988', 1]], treated: 0.9 },
  {
    code: 'A41.9',
    weight: 3,
    days: 30,
    drugs: [
      ['1659149', 1],
      ['1807513', 1],
    ],
    treated: 1,
  },
  { code: 'I21.4', weight: 2, ages: [40, 110], days: 30, drugs: [['309362', 1]], treated: 1 },
  { code: 'N17', weight: 2, ages: [30, 110], days: 21 },
  { code: 'J44', weight: 2, ages: [45, 110], days: 14, drugs: [['312615', 1]], treated: 0.9 },
  { code: 'I63.9', weight: 2, ages: [50, 110], days: 60, drugs: [['1804799', 1]], treated: 0.5 },
  { code: 'K35.8', weight: 2, ages: [5, 80], days: 14 },
  { code: 'E86', weight: 2, days: 5 },
];

/** Sexually transmitted infections (A50–A64): sensitive, rare, ages 15–54. */
export const STI: readonly AcuteSpec[] = [
  {
    code: 'A56.0',
    weight: 5,
    days: 14,
    drugs: [
      ['1650142', 1],
      ['308460', 1],
    ],
    treated: 1,
  },
  { code: 'A54.0', weight: 2, days: 14, drugs: [['308460', 1]], treated: 1 },
  { code: 'A60.0', weight: 2, days: 21 },
  { code: 'A59.0', weight: 1, sex: 'female', days: 14 },
  { code: 'A63', weight: 1, days: 60 },
  { code: 'A53', weight: 1, days: 30, drugs: [['105078', 1]], treated: 1 },
];

/** Pregnancy complications (O-codes) recorded at prenatal visits, with the chance of each. */
export const PREGNANCY_COMPLICATIONS: readonly (readonly [string, number])[] = [
  ['O24.41', 0.07],
  ['O13', 0.06],
  ['O99.01', 0.1],
  ['O26.89', 0.05],
  ['O09.5', 0.08],
];

/** A delivery without complications. */
export const DELIVERY = 'O80';

/**
 * The 3-character categories counted as sensitive for segmentation tests:
 * substance use F10–F19, HIV B20, sexually transmitted A50–A64, and all of chapter O.
 */
export function isSensitive(code: string): boolean {
  const cat = code.slice(0, 3);
  const n = Number(cat.slice(1));
  return (
    (cat[0] === 'F' && n >= 10 && n <= 19) ||
    cat === 'B20' ||
    (cat[0] === 'A' && n >= 50 && n <= 64) ||
    cat[0] === 'O'
  );
}
