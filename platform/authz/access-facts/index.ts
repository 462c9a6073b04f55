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
  type BreakGlassGrantedData,
  type CareTeamChangedData,
  type ConsentChangedData,
} from './events.js';
export {
  factsOf,
  projectedAccessFacts,
  type AccessFactsLoader,
  type PatientFacts,
} from './facts.js';
export {
  accessFactsTask,
  accessFactTasks,
  projectAccessFacts,
  projectCareTeam,
  projectConsent,
  projectGrant,
} from './project.js';
export { careTeamAndGrantProjectionSql, consentProjectionSql } from './sql.js';
export { accessFactsMigration } from './migration.js';
