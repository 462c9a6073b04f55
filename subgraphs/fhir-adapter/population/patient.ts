import { date, hl7Code, profile, SYSTEM, type Resource } from './fhir.js';
import { ageAt, type Person, type Window } from './person.js';
import type { Rng } from './prng.js';
import { Weighted } from './prng.js';

const OMB = 'urn:oid:2.16.840.1.113883.6.238';
const US_CORE = 'http://hl7.org/fhir/us/core/StructureDefinition';

/** OMB race categories with rough US shares (Census 2020, single race). */
const RACE = new Weighted<readonly [string, string]>([
  [['2106-3', 'White'], 61],
  [['2054-5', 'Black or African American'], 12.4],
  [['2028-9', 'Asian'], 6],
  [['1002-5', 'American Indian or Alaska Native'], 1.1],
  [['2076-8', 'Native Hawaiian or Other Pacific Islander'], 0.2],
  [['2131-1', 'Other Race'], 19.3],
]);

const MARITAL = new Weighted<readonly [string, string]>([
  [['M', 'Married'], 50],
  [['S', 'Never Married'], 32],
  [['D', 'Divorced'], 11],
  [['W', 'Widowed'], 6],
]);

function ombExtension(kind: 'race' | 'ethnicity', code: string, display: string) {
  return {
    url: `${US_CORE}/us-core-${kind}`,
    extension: [
      { url: 'ombCategory', valueCoding: { system: OMB, code, display } },
      { url: 'text', valueString: display },
    ],
  };
}

/** Synthea's `<prefix> <given> <family>` display, used on references to the patient. */
export function displayName(p: Person, at: number): string {
  const prefix = ageAt(p, at) < 18 ? '' : p.gender === 'female' ? 'Ms. ' : 'Mr. ';
  return `${prefix}${p.given.join(' ')} ${p.family}`;
}

/** The Patient resource, in the shape of Synthea's bulk export (identifiers, us-core extensions, address). */
export function patientResource(rng: Rng, p: Person, window: Window): Resource {
  const [raceCode, race] = RACE.draw(rng);
  const hispanic = rng.chance(0.19);
  const adult = ageAt(p, window.until) >= 18;
  const mrn = (code: string, display: string) => ({
    type: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code, display }],
      text: display,
    },
  });
  const [maritalCode, marital] = adult ? MARITAL.draw(rng) : ['S', 'Never Married'];
  return {
    resourceType: 'Patient',
    id: p.id,
    meta: profile('patient'),
    extension: [
      ombExtension('race', raceCode, race),
      ombExtension(
        'ethnicity',
        hispanic ? '2135-2' : '2186-5',
        hispanic ? 'Hispanic or Latino' : 'Not Hispanic or Latino',
      ),
      { url: `${US_CORE}/us-core-birthsex`, valueCode: p.gender === 'female' ? 'F' : 'M' },
    ],
    identifier: [
      { system: SYSTEM.synthea, value: p.id },
      {
        ...mrn('MR', 'Medical Record Number'),
        system: 'http://hospital.smarthealthit.org',
        value: p.id,
      },
      {
        ...mrn('SS', 'Social Security Number'),
        system: 'http://hl7.org/fhir/sid/us-ssn',
        value: p.ssn,
      },
    ],
    name: [
      {
        use: 'official',
        family: p.family,
        given: p.given,
        ...(adult ? { prefix: [p.gender === 'female' ? 'Ms.' : 'Mr.'] } : {}),
      },
    ],
    telecom: [{ system: 'phone', value: p.phone, use: 'home' }],
    gender: p.gender,
    birthDate: date(p.birth),
    address: [
      {
        extension: [
          {
            url: 'http://hl7.org/fhir/StructureDefinition/geolocation',
            extension: [
              { url: 'latitude', valueDecimal: p.place.lat },
              { url: 'longitude', valueDecimal: p.place.lon },
            ],
          },
        ],
        line: [p.line],
        city: p.place.city,
        state: p.place.state,
        postalCode: p.place.postalCode,
        country: 'US',
      },
    ],
    maritalStatus: { ...hl7Code('v3-MaritalStatus', maritalCode, marital), text: marital },
    communication: [
      {
        language: {
          coding: [
            { system: 'urn:ietf:bcp:47', code: 'en-US', display: 'English (United States)' },
          ],
          text: 'English (United States)',
        },
      },
    ],
  };
}
