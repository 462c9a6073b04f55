/**
 * Open data keeps its rows in plain SQL (store/): de-identified facts written
 * in batches from events and read as aggregates. It has no entities, and no
 * access-fact projections: it holds no patient data to decide access to.
 */
export const entities = [];
