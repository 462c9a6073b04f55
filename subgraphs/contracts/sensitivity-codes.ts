import type { Segment } from './security-labels.js';

/**
 * Which clinical codes put a resource in a sensitive segment. A resource
 * carrying any of them is labelled (see security-labels.ts). The table errs
 * towards labelling a diagnosis, treatment or specific test, and leaves out
 * what nearly every record holds (universal screening questionnaires, smoking
 * status): a label on everything would protect nothing and hide care.
 * "In Synthea" marks codes seen in ../shared/data/synthea.
 */
export interface SensitivityRow {
  segment: Segment;
  system: string;
  /** prefix: the normalised code starts with `from`; exact: equals it; range: its category (ICD-10, 3 characters) is within [from, to]. */
  match: 'prefix' | 'exact' | 'range';
  from: string;
  to?: string;
  note: string;
}

export const ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm';
/** WHO ICD-10 shares the categories used here, so it is matched as ICD-10-CM. */
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
export const SNOMED = 'http://snomed.info/sct';
export const LOINC = 'http://loinc.org';
export const RXNORM = 'http://www.nlm.nih.gov/research/umls/rxnorm';

const icd = (segment: Segment, from: string, note: string, to?: string): SensitivityRow =>
  to
    ? { segment, system: ICD10CM, match: 'range', from, to, note }
    : { segment, system: ICD10CM, match: 'prefix', from, note };
const exact =
  (system: string) =>
  (segment: Segment, code: string, note: string): SensitivityRow => ({
    segment,
    system,
    match: 'exact',
    from: code,
    note,
  });
const sct = exact(SNOMED);
const loinc = exact(LOINC);
const rx = exact(RXNORM);
const products = (
  segment: Segment,
  rows: readonly (readonly [code: string, name: string])[],
  why: string,
): SensitivityRow[] => rows.map(([code, name]) => rx(segment, code, `${name}${why}`));

const ICD_ROWS: SensitivityRow[] = [
  icd(
    'ETH',
    'F10',
    'Alcohol, opioid, cannabis, sedative, cocaine, stimulant, hallucinogen use disorders',
    'F16',
  ),
  // F17 (nicotine dependence) is neither ETH nor PSY: 42 CFR Part 2 and the SAMHSA
  // Consent2Share substance-use value sets leave tobacco out, and smoking status is
  // recorded for almost every adult, so a label there would restrict most records.
  icd('ETH', 'F18', 'Inhalant and other psychoactive substance use disorders', 'F19'),
  icd('ETH', 'O9931', 'Alcohol use complicating pregnancy (also SEX)'),
  icd('ETH', 'O9932', 'Drug use complicating pregnancy (also SEX)'),
  icd(
    'PSY',
    'F01',
    'Mental disorders due to known physiological conditions (dementia, delirium)',
    'F09',
  ),
  icd('PSY', 'F20', 'Schizophrenia through unspecified mental disorder (rest of chapter F)', 'F99'),
  icd('PSY', 'R4585', 'Homicidal and suicidal ideations'),
  icd('PSY', 'T1491', 'Suicide attempt'),
  icd('HIV', 'B20', 'HIV disease'),
  icd('HIV', 'Z21', 'Asymptomatic HIV infection status'),
  icd('HIV', 'R75', 'Inconclusive laboratory evidence of HIV'),
  icd('HIV', 'O987', 'HIV disease complicating pregnancy (also SEX)'),
  icd('HIV', 'Z206', 'Contact with and (suspected) exposure to HIV'),
  icd('HIV', 'Z717', 'HIV counselling'),
  icd(
    'STD',
    'A50',
    'Infections with a predominantly sexual mode of transmission: syphilis A50-A53, gonococcal A54, chlamydial A55-A56, trichomoniasis A59, anogenital herpes A60, warts A63',
    'A64',
  ),
  icd('STD', 'O983', 'Sexually transmitted infections complicating pregnancy (also SEX)'),
  icd('STD', 'Z202', 'Contact with and (suspected) exposure to sexually transmitted infections'),
  icd(
    'SEX',
    'O00',
    'Pregnancy, childbirth and the puerperium, the whole chapter (O9A sorts after O99)',
    'O9A',
  ),
  icd(
    'SEX',
    'Z30',
    'Contraception, procreative management, supervision of pregnancy, delivery, postpartum care',
    'Z39',
  ),
  icd('SEX', 'Z3A', 'Weeks of gestation'),
  icd('SDV', 'T74', 'Adult and child abuse, neglect and other maltreatment, confirmed'),
  icd('SDV', 'T76', 'Adult and child abuse, neglect and other maltreatment, suspected'),
  icd('SDV', 'Y07', 'Perpetrator of assault, maltreatment and neglect'),
  icd('SDV', 'Z044', 'Examination and observation following alleged rape'),
  icd('SDV', 'Z69', 'Mental health services for victim and perpetrator of abuse'),
  icd('SDV', 'Z9141', 'Personal history of adult abuse'),
  icd('SDV', 'O9A3', 'Physical abuse complicating pregnancy (also SEX)'),
  icd('SDV', 'O9A4', 'Sexual abuse complicating pregnancy (also SEX)'),
  icd('SDV', 'O9A5', 'Psychological abuse complicating pregnancy (also SEX)'),
  icd('GDIS', 'Z14', 'Genetic carrier'),
  icd('GDIS', 'Z15', 'Genetic susceptibility to disease (BRCA and the like)'),
  icd('GDIS', 'Z3143', 'Genetic testing of female for procreative management (also SEX)'),
  icd('GDIS', 'Z3144', 'Genetic testing of male for procreative management (also SEX)'),
  icd(
    'GDIS',
    'Q90',
    'Chromosomal abnormalities (Down, Edwards, Patau, Turner, Klinefelter...)',
    'Q99',
  ),
  icd('GDIS', 'E84', 'Cystic fibrosis (as Synthea and the SHIFT value sets treat it)'),
  icd('GDIS', 'G10', "Huntington's disease: a diagnosis that discloses relatives' risk"),
];

const SNOMED_ROWS: SensitivityRow[] = [
  sct('ETH', '7200002', 'Alcoholism'),
  sct('ETH', '15167005', 'Alcohol abuse'),
  sct('ETH', '66590003', 'Alcohol dependence'),
  sct('ETH', '26416006', 'Drug abuse'),
  sct('ETH', '5602001', 'Opioid abuse'),
  sct('ETH', '6525002', "Dependent drug abuse (Synthea's opioid_addiction module)"),
  sct('ETH', '145121000119106', 'Intravenous nondependent opioid abuse'),
  sct('ETH', '55680006', 'Drug overdose'),
  sct(
    'ETH',
    '1149222004',
    "Overdose (Synthea's opioid_addiction module; an accidental overdose is over-labelled)",
  ),
  sct('ETH', '56876005', 'Drug rehabilitation and detoxification'),
  sct('ETH', '10939881000119105', 'Unhealthy alcohol drinking behavior (finding); in Synthea'),
  sct('ETH', '361055000', 'Misuses drugs (finding); in Synthea'),
  sct('PSY', '35489007', 'Depressive disorder'),
  sct('PSY', '370143000', 'Major depressive disorder'),
  sct('PSY', '197480006', 'Anxiety disorder'),
  sct('PSY', '80583007', 'Severe anxiety (panic) (finding); in Synthea'),
  sct('PSY', '47505003', 'Posttraumatic stress disorder'),
  sct('PSY', '58214004', 'Schizophrenia'),
  sct('PSY', '13746004', 'Bipolar disorder'),
  sct(
    'PSY',
    '192127007',
    'Child attention deficit disorder (ICD-10 F90, so PSY like the rest of chapter F)',
  ),
  // Self-harm is psychiatric information here; SHIFT's Synthea sets file it under SDV,
  // which HL7 defines as sexual assault, abuse or domestic violence.
  sct('PSY', '86849004', 'Suicidal poisoning'),
  sct('PSY', '287185009', 'Attempted suicide by cutting or stabbing'),
  sct('PSY', '287182007', 'Attempted suicide by suffocation'),
  sct('PSY', '44301001', 'Suicide'),
  sct('PSY', '183401008', 'Anti-suicide psychotherapy'),
  sct('PSY', '88848003', 'Psychiatric follow-up'),
  sct('PSY', '90407005', 'Evaluation of psychiatric state of patient'),
  sct('HIV', '86406008', 'Human immunodeficiency virus infection'),
  sct('HIV', '62479008', 'Acquired immune deficiency syndrome'),
  sct('HIV', '165816005', 'HIV positive'),
  sct('HIV', '31676001', 'Human immunodeficiency virus antigen test; in Synthea (prenatal panel)'),
  sct('STD', '8098009', 'Sexually transmitted infectious disease'),
  sct('STD', '15628003', 'Gonorrhea'),
  sct('STD', '76272004', 'Syphilis'),
  sct('STD', '105629000', 'Chlamydial infection'),
  sct('STD', '165829005', 'Gonorrhea infection titer test; in Synthea (prenatal panel)'),
  sct('STD', '269828009', 'Syphilis infectious titer test; in Synthea (prenatal panel)'),
  sct('STD', '310861008', 'Chlamydia antigen test; in Synthea (prenatal panel)'),
  sct('SEX', '72892002', 'Normal pregnancy; in Synthea'),
  sct('SEX', '47200007', 'High risk pregnancy'),
  sct('SEX', '79586000', 'Tubal pregnancy'),
  sct('SEX', '19169002', 'Miscarriage in first trimester; in Synthea'),
  sct('SEX', '85116003', 'Miscarriage in second trimester'),
  sct('SEX', '156073000', 'Complete miscarriage; in Synthea'),
  sct('SEX', '267020005', 'History of tubal ligation; in Synthea'),
  sct('SEX', '183996000', 'Sterilization requested; in Synthea'),
  sct('SEX', '424441002', 'Prenatal initial visit; in Synthea'),
  sct('SEX', '424619006', 'Prenatal visit; in Synthea'),
  sct('SEX', '169762003', 'Postnatal visit; in Synthea'),
  sct('SEX', '183460006', 'Obstetric emergency hospital admission; in Synthea'),
  sct('SEX', '252160004', 'Standard pregnancy test; in Synthea'),
  sct('SEX', '169230002', 'Ultrasound scan for fetal viability; in Synthea'),
  sct('SEX', '225158009', 'Auscultation of the fetal heart; in Synthea'),
  sct('SEX', '274804006', 'Evaluation of uterine fundal height; in Synthea'),
  sct('SEX', '271442007', 'Fetal anatomy study; in Synthea'),
  sct('SEX', '275833003', 'AFP test - antenatal; in Synthea'),
  sct(
    'SEX',
    '443529005',
    'Prenatal chromosomal aneuploidy FISH on amniotic fluid (also GDIS); in Synthea',
  ),
  sct('SEX', '66348005', 'Childbirth; in Synthea'),
  sct('SEX', '11466000', 'Cesarean section; in Synthea'),
  sct('SEX', '236974004', 'Instrumental delivery; in Synthea'),
  sct('SEX', '65200003', 'Insertion of intrauterine contraceptive device; in Synthea'),
  sct('SEX', '46706006', 'Replacement of contraceptive intrauterine device; in Synthea'),
  sct('SEX', '68254000', 'Removal of intrauterine device; in Synthea'),
  sct('SEX', '169553002', 'Insertion of subcutaneous contraceptive; in Synthea'),
  sct('SEX', '301807007', 'Removal of subcutaneous contraceptive; in Synthea'),
  sct('SEX', '10383002', 'Counseling for termination of pregnancy; in Synthea'),
  sct('SEX', '714812005', 'Induced termination of pregnancy; in Synthea'),
  sct('SEX', '386394001', 'Pregnancy termination care; in Synthea'),
  sct('SDV', '706893006', 'Victim of intimate partner abuse (finding); in Synthea'),
  sct('GDIS', '190905008', 'Cystic fibrosis'),
  sct('GDIS', '444260001', 'Screen for common genetic mutations of cystic fibrosis by ARMS PCR'),
  sct(
    'GDIS',
    '443529005',
    'Prenatal chromosomal aneuploidy FISH on amniotic fluid (also SEX); in Synthea',
  ),
];

const LOINC_ROWS: SensitivityRow[] = [
  loinc('HIV', '75622-1', 'HIV 1+2 Ab + HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay'),
  loinc('HIV', '56888-1', 'HIV 1+2 Ab + HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay'),
  loinc('HIV', '7917-8', 'HIV 1 Ab [Presence] in Serum'),
  loinc('HIV', '68961-2', 'HIV 1 Ab [Presence] in Serum, Plasma or Blood by Rapid immunoassay'),
  loinc('HIV', '20447-9', 'HIV 1 RNA [#/volume] (viral load) in Serum or Plasma'),
  loinc('ETH', '19295-5', 'Opiates [Presence] in Urine by Screen method'),
  loinc('ETH', '19359-9', 'Cocaine [Presence] in Urine by Screen method'),
];

// Products whose only indication is substance use disorder. Methadone tablets for
// pain, naloxone rescue kits and other opioids are not SUD treatment, so not here.
const RXNORM_ROWS: SensitivityRow[] = [
  ...products(
    'ETH',
    [
      ['351264', 'buprenorphine 2 MG Sublingual Tablet'],
      ['351265', 'buprenorphine 8 MG Sublingual Tablet'],
      ['351266', 'buprenorphine 2 MG / naloxone 0.5 MG Sublingual Tablet'],
      ['351267', 'buprenorphine 8 MG / naloxone 2 MG Sublingual Tablet'],
      ['1010600', 'buprenorphine 2 MG / naloxone 0.5 MG Sublingual Film'],
      ['1010604', 'buprenorphine 8 MG / naloxone 2 MG Sublingual Film'],
      ['1307056', 'buprenorphine 4 MG / naloxone 1 MG Sublingual Film'],
      ['1307061', 'buprenorphine 12 MG / naloxone 3 MG Sublingual Film'],
      ['1431076', 'buprenorphine 1.4 MG / naloxone 0.36 MG Sublingual Tablet'],
      ['1431102', 'buprenorphine 5.7 MG / naloxone 1.4 MG Sublingual Tablet'],
      ['1542390', 'buprenorphine 2.1 MG / naloxone 0.3 MG Buccal Film'],
      ['1544851', 'buprenorphine 4.2 MG / naloxone 0.7 MG Buccal Film'],
      ['1544854', 'buprenorphine 6.3 MG / naloxone 1 MG Buccal Film'],
      ['1597568', 'buprenorphine 11.4 MG / naloxone 2.9 MG Sublingual Tablet'],
      ['1597573', 'buprenorphine 8.6 MG / naloxone 2.1 MG Sublingual Tablet'],
      ['1666338', 'buprenorphine 2.9 MG / naloxone 0.71 MG Sublingual Tablet'],
      ['1864412', 'buprenorphine 0.7 MG / naloxone 0.18 MG Sublingual Tablet'],
      ['1797650', 'buprenorphine 74.2 MG Drug Implant'],
      [
        '864978',
        'methadone hydrochloride 40 MG Tablet for Oral Suspension (dispensed by opioid treatment programs)',
      ],
      ['1990745', 'methadone hydrochloride 40 MG Tablet for Oral Suspension [Diskets]'],
      ['637213', 'naltrexone 380 MG Injection (extended-release)'],
      ['197623', 'disulfiram 250 MG Oral Tablet'],
      ['197624', 'disulfiram 500 MG Oral Tablet'],
      ['835726', 'acamprosate calcium 333 MG Delayed Release Oral Tablet'],
    ],
    '',
  ),
  ...products(
    'SEX',
    [
      ['807283', 'Mirena 52 MG Intrauterine System'],
      ['1856546', 'Kyleena 19.5 MG Intrauterine System'],
      ['389221', 'Etonogestrel 68 MG Drug Implant'],
      ['1367439', 'NuvaRing 0.12/0.015 MG per 24HR 21 Day Vaginal System'],
      ['749762', 'Seasonique 91 Day Pack'],
      ['748962', 'Camila 28 Day Pack'],
      ['831533', 'Errin 28 Day Pack'],
      ['978950', 'Natazia 28 Day Pack'],
    ],
    ': contraception; in Synthea',
  ),
];

export const SENSITIVITY_CODES: readonly SensitivityRow[] = [
  ...ICD_ROWS,
  ...SNOMED_ROWS,
  ...LOINC_ROWS,
  ...RXNORM_ROWS,
];

/**
 * Codes left unlabelled on purpose, with the reason; the tests hold the table
 * to them. Screening is offered to everyone (USPSTF), so its record says
 * nothing about the patient; its result, if positive, is coded as a finding.
 */
export const NOT_SENSITIVE: readonly { system: string; code: string; note: string }[] = [
  { system: ICD10CM, code: 'F17', note: 'Nicotine dependence: tobacco is outside 42 CFR Part 2' },
  { system: SNOMED, code: '171207006', note: 'Depression screening; in Synthea' },
  { system: SNOMED, code: '454711000124102', note: 'Depression screening (PHQ-2); in Synthea' },
  { system: SNOMED, code: '715252007', note: 'Depression screening (PHQ-9); in Synthea' },
  { system: SNOMED, code: '710841007', note: 'Assessment of anxiety; in Synthea' },
  { system: SNOMED, code: '428211000124100', note: 'Assessment of substance use; in Synthea' },
  { system: SNOMED, code: '763302001', note: 'AUDIT-C assessment; in Synthea' },
  { system: SNOMED, code: '713106006', note: 'Screening for drug abuse; in Synthea' },
  { system: SNOMED, code: '868187001', note: 'CRAFFT screening test; in Synthea' },
  { system: SNOMED, code: '866148006', note: 'Screening for domestic abuse; in Synthea' },
  {
    system: SNOMED,
    code: '73595000',
    note: 'Stress (finding): a social-needs finding, no psychiatric disorder; in Synthea',
  },
  {
    system: SNOMED,
    code: '424393004',
    note: 'Reports of violence in the environment: community, not domestic; in Synthea',
  },
  {
    system: SNOMED,
    code: '433114000',
    note: 'HER2 gene detection: somatic tumour marker, not heritable; in Synthea',
  },
  {
    system: SNOMED,
    code: '434363004',
    note: 'HER2 gene detection by FISH: somatic, not heritable; in Synthea',
  },
  {
    system: RXNORM,
    code: '861467',
    note: 'Meperidine 50 MG tablet: pain, not SUD treatment; in Synthea',
  },
];
