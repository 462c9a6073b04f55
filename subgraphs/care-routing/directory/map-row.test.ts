import { describe, expect, it } from 'vitest';
import { DIRECTORY_FILES } from './directory-files.js';
import { facilityId } from './facility-id.js';
import { mapDirectoryRow, vaKey, type CsvRecord } from './map-row.js';
import { normaliseName, phoneDigits, zip5 } from './normalise.js';
import { mapDirectoryRecords } from './read-directory.js';

const spec = (file: string) => DIRECTORY_FILES.find((f) => f.file === file)!;
const HOSPITALS = spec('hospitals.csv');
const VA = spec('va_facilities.csv');

const hospital: CsvRecord = {
  provider_num: '170176',
  npi: '1578500484',
  name: 'OVERLAND PARK REG MED CTR',
  address: '10500 QUIVIRA ROAD',
  city: 'SHAWNEE',
  state: 'KS',
  zip: '662033502',
  lat: '38.9928775',
  lon: '-94.7236195',
  phone: '9135415000',
  emergency: 'true',
  bed_count: '343',
};

describe('a directory row', () => {
  it('maps a CMS hospital row: NPI key, ZIP5, ZIP3 region, the state’s zone, emergency as a service', () => {
    const m = mapDirectoryRow(HOSPITALS, hospital);
    expect(m).toEqual({
      ok: true,
      knownTimeZone: true,
      facility: {
        id: facilityId('hospitals', '1578500484'),
        source: 'hospitals',
        sourceKey: '1578500484',
        npi: '1578500484',
        providerNumber: '170176',
        kind: 'hospital',
        name: 'OVERLAND PARK REG MED CTR',
        line: '10500 QUIVIRA ROAD',
        city: 'SHAWNEE',
        state: 'KS',
        zip: '66203',
        phone: '9135415000',
        lat: 38.9928775,
        lon: -94.7236195,
        beds: 343,
        emergency: true,
        region: '662',
        timeZone: 'America/Chicago',
        services: ['emergency', 'inpatient'],
      },
    });
    expect(facilityId('hospitals', '1578500484')).toMatch(
      /^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/,
    );
  });

  it('reports missing, unparseable, out-of-range and 0,0 coordinates, and a missing name', () => {
    const reason = (r: CsvRecord) => {
      const m = mapDirectoryRow(HOSPITALS, { ...hospital, ...r });
      return m.ok ? 'ok' : m.reason;
    };
    expect(reason({ lat: '' })).toBe('missing-coordinates');
    expect(reason({ lon: undefined })).toBe('missing-coordinates');
    expect(reason({ lat: 'north' })).toBe('invalid-coordinates');
    expect(reason({ lat: '91' })).toBe('invalid-coordinates');
    expect(reason({ lon: '-181' })).toBe('invalid-coordinates');
    expect(reason({ lat: '0', lon: '0' })).toBe('invalid-coordinates');
    expect(reason({ name: '  ' })).toBe('missing-name');
    expect(reason({ npi: '' })).toBe('missing-key');
  });

  it('maps a VA row: station id and name digest as key, zero-padded ZIP, emergency from yes/no', () => {
    const m = mapDirectoryRow(VA, {
      id: '518',
      name: 'Edith Nourse Rogers Memorial Veterans Hospital (Bedford VA)',
      address: '200 Springs Rd.',
      city: 'Bedford',
      state: 'MA',
      zip: '1730',
      phone: '781-687-2000',
      emergency: 'yes',
      LAT: '42.503376',
      LON: '-71.272644',
    });
    if (!m.ok) throw new Error(m.reason);
    expect(m.facility.sourceKey).toBe(
      vaKey('518', 'Edith Nourse Rogers Memorial Veterans Hospital (Bedford VA)'),
    );
    expect(m.facility.sourceKey).toMatch(/^518:[0-9a-f]{16}$/);
    expect(m.facility).toMatchObject({
      kind: 'veterans',
      zip: '01730',
      region: '017',
      phone: '7816872000',
      emergency: true,
      npi: null,
      beds: null,
      timeZone: 'America/New_York',
      services: ['emergency', 'veterans-care', 'primary-care'],
    });
  });

  it('reads ZIPs, phones and names the way the files write them', () => {
    expect(zip5('01730')).toBe('01730');
    expect(zip5('1730')).toBe('01730');
    expect(zip5('314056015')).toBe('31405');
    expect(zip5('14056015')).toBe('01405');
    expect(zip5('66214-1234')).toBe('66214');
    expect(zip5('K1A 0B1')).toBeNull();
    expect(zip5('')).toBeNull();
    expect(phoneDigits('603-624-4366 Or 603-624-4366')).toBe('6036244366');
    expect(phoneDigits('207-623-8411 X 7490 Or 877-421-8263 X 7490')).toBe('20762384117490');
    expect(phoneDigits('(313) 982-0200')).toBe('3139820200');
    expect(phoneDigits('')).toBeNull();
    expect(normaliseName("SAINT LUKE'S SOUTH HOSPITAL, INC.")).toBe('SAINT LUKES SOUTH HOSPITAL');
    expect(normaliseName('Hand & Hand PA')).toBe('HAND AND HAND');
  });

  it('keeps the first row of a key and reports the rest, and rows far from their ZIP', () => {
    const read = mapDirectoryRecords(
      HOSPITALS,
      [
        { record: hospital, line: 2 },
        { record: { ...hospital, city: 'OVERLAND PARK' }, line: 3 },
        { record: { ...hospital, npi: '1922039320', lat: '48.0' }, line: 4 },
        { record: { ...hospital, npi: '1033141148', lat: '' }, line: 5 },
      ],
      new Map([['66203', { lat: 38.99, lon: -94.72 }]]),
    );
    expect(read.facilities.map((f) => f.city)).toEqual(['SHAWNEE']);
    expect(read.skipped).toEqual([
      { file: 'hospitals.csv', line: 3, reason: 'duplicate-key', key: '1578500484' },
      { file: 'hospitals.csv', line: 4, reason: 'coordinates-far-from-zip', key: '1922039320' },
      { file: 'hospitals.csv', line: 5, reason: 'missing-coordinates', key: '1033141148' },
    ]);
  });
});
