import { accessFactEntities } from '../../../platform/authz/access-facts/entities.js';

/**
 * The FHIR adapter keeps its own rows in plain SQL (store/): resources,
 * versions, the source map and import jobs are read and written in bulk.
 * Its entities are only the access-fact projections.
 */
export const entities = [...accessFactEntities];
