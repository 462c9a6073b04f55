export { BreakGlassGrantEntity } from './break-glass-grant.js';
export { CareTeamMember } from './care-team-member.js';
export { ConsentRecordEntity } from './consent.js';
export { PatientRecord } from './patient-record.js';
export { PatientVersion } from './patient-version.js';

import { BreakGlassGrantEntity } from './break-glass-grant.js';
import { CareTeamMember } from './care-team-member.js';
import { ConsentRecordEntity } from './consent.js';
import { PatientRecord } from './patient-record.js';
import { PatientVersion } from './patient-version.js';

export const entities = [
  PatientRecord,
  PatientVersion,
  ConsentRecordEntity,
  CareTeamMember,
  BreakGlassGrantEntity,
];
