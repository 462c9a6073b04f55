import { describe, expect, it } from 'vitest';
import {
  chooseFacility,
  guessKind,
  locationPlace,
  ownFacility,
  type LinkCandidate,
  type LocationPlace,
} from './link-locations.js';

const location = {
  resourceType: 'Location',
  id: '7cf6ad8f-30a6-33bb-8fe0-6f688207a213',
  name: 'OVERLAND PARK REG MED CTR',
  telecom: [{ system: 'phone', value: '9135415000' }],
  address: { line: ['10500 QUIVIRA ROAD'], city: 'SHAWNEE', state: 'KS', postalCode: '662033502' },
  position: { longitude: -94.7236195, latitude: 38.9928775 },
};

const place = (): LocationPlace => {
  const read = locationPlace(location, 0);
  if (!read.ok) throw new Error(read.skipped.reason);
  return read.place;
};

const candidate = (c: Partial<LinkCandidate>): LinkCandidate => ({
  id: 'x',
  name: 'OVERLAND PARK REG MED CTR',
  zip: '66203',
  emergency: false,
  beds: null,
  metres: 0,
  ...c,
});

describe('linking a FHIR Location', () => {
  it('reads its place, and reports one it cannot place', () => {
    expect(place()).toMatchObject({
      zip: '66203',
      state: 'KS',
      normName: 'OVERLAND PARK REG MED CTR',
    });
    const unplaced = locationPlace({ id: 'bb1ad573-19b8-9cd8-68fb-0e6f684df992' }, 30);
    expect(unplaced).toEqual({
      ok: false,
      skipped: {
        file: 'Location',
        line: 30,
        reason: 'no-position',
        key: 'bb1ad573-19b8-9cd8-68fb-0e6f684df992',
      },
    });
    expect(locationPlace({ ...location, id: 'not a fhir id' }, 1).ok).toBe(false);
  });

  it('prefers the same name in the same ZIP (the emergency one among equals), then name nearby, then position', () => {
    const p = place();
    expect(
      chooseFacility(p, [
        candidate({ id: 'far-same-name', zip: '66215', metres: 6000 }),
        candidate({ id: 'swing-bed', beds: null }),
        candidate({ id: 'main', emergency: true, beds: 343 }),
      ]),
    ).toEqual({ facilityId: 'main', matchedBy: 'name-and-zip' });
    expect(
      chooseFacility(p, [
        candidate({ id: 'other-zip', zip: '66215', metres: 1500 }),
        candidate({ id: 'too-far', zip: '66215', metres: 2500 }),
      ]),
    ).toEqual({ facilityId: 'other-zip', matchedBy: 'name-and-position' });
    expect(
      chooseFacility(p, [
        candidate({ id: 'next-door', name: 'SOMETHING ELSE', metres: 120 }),
        candidate({ id: 'further', name: 'ELSE AGAIN', metres: 140 }),
      ]),
    ).toEqual({ facilityId: 'next-door', matchedBy: 'position' });
    expect(chooseFacility(p, [candidate({ name: 'ELSEWHERE', metres: 151 })])).toBeNull();
  });

  it('gives an unmatched Location a facility of its own, its kind from its name', () => {
    expect(guessKind('UK ST FRANCIS URGENT CARE')).toBe('urgent-care');
    expect(guessKind('PHILLIPS COUNTY HOSPITAL')).toBe('hospital');
    expect(guessKind('OVERLAND PARK REG MED CTR')).toBe('hospital');
    expect(guessKind('GOOD SHEPHERD HOSPICE')).toBe('primary-care');
    expect(ownFacility(place())).toMatchObject({
      id: location.id,
      source: 'fhir-location',
      sourceKey: location.id,
      kind: 'hospital',
      emergency: false,
      services: ['inpatient'],
      zip: '66203',
      region: '662',
      phone: '9135415000',
      timeZone: 'America/Chicago',
    });
  });
});
