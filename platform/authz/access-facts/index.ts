export {
  accessFactEntities,
  BreakGlassProjection,
  CareTeamProjection,
  ConsentProjection,
} from './entities.js';
export {
  BREAK_GLASS_GRANTED,
  CARE_TEAM_CHANGED,
  CONSENT_CHANGED,
  PATIENT_REGISTERED,
  type BreakGlassGrantedData,
  type CareTeamChangedData,
  type ConsentChangedData,
  type PatientRegisteredData,
} from './events.js';
export {
  accessFactsStale,
  factsOf,
  projectedAccessFacts,
  type ProjectedFactsOptions,
  type AccessFactsLoader,
  type PatientFacts,
} from './facts.js';
export {
  projectedAccess,
  projectedWithFacts,
  type RowsWithFacts,
  type WithFacts,
} from './projected-access.js';
export {
  accessFactJobs,
  accessFactLane,
  accessFactsTask,
  accessFactTasks,
  projectPatient,
  projectAccessFacts,
  projectCareTeam,
  projectConsent,
  projectGrant,
} from './project.js';
export {
  careTeamAndGrantProjectionSql,
  consentProjectionSql,
  patientAndWatermarkSql,
} from './sql.js';
export { accessFactsMigration, knownPatientsMigration } from './migration.js';
export {
  ACCESS_FACTS_PRODUCER,
  DEFAULT_MAX_LAG_MS,
  accessFactsLane,
  publishWatermark,
  startAccessFactsHeartbeat,
  type Heartbeat,
} from './watermark.js';
