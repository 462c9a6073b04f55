import { accessFactEntities } from '../../../platform/authz/access-facts/entities.js';

/**
 * Pharmacy keeps its own rows in plain SQL (store/): prescriptions, the
 * catalogue, stock and its ledger are read and written in batches. Its
 * entities are only the access-fact projections.
 */
export const entities = [...accessFactEntities];
