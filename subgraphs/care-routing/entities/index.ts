import { accessFactEntities } from '../../../platform/authz/access-facts/entities.js';

/**
 * Care routing keeps its own rows in plain SQL (store/): the directory is
 * imported, searched and scored in batches. Its entities are only the
 * access-fact projections.
 */
export const entities = [...accessFactEntities];
