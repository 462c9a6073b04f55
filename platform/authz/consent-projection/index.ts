export { ConsentProjection } from './entity.js';
export { projectConsent, type ConsentChangedData } from './project.js';
export { consentProjectionSql } from './sql.js';
