import type { SubgraphSpec } from '../../platform/federation/subgraph-spec.js';
import { PATIENT_ROTATION } from './encrypted-columns.js';
import { buildPatientSchema } from './schema.js';
import { seedPatients } from './seed.js';
import { openPatientStore, SCHEMA, startPatientSubgraph, type PatientStore } from './server.js';

/** The patient subgraph: patients, consents, care teams and break-the-glass (the access facts' source). */
export const patientSpec: SubgraphSpec = {
  name: 'patient',
  schema: SCHEMA,
  portOffset: 0,
  buildSchema: buildPatientSchema,
  open: openPatientStore,
  start: startPatientSubgraph,
  seed: (store, { dataDir, log, now }) =>
    seedPatients(
      { em: store.orm.em.fork(), requestId: 'seed', log, now },
      (store as PatientStore).services,
      dataDir,
    ),
  rotation: PATIENT_ROTATION,
  accessFacts: 'source',
};
