import path from 'node:path';
import { readdir, readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { OpenedStore, SeedArgs } from '../../platform/federation/subgraph-spec.js';
import type { Principal } from '../../platform/identity/principal.js';
import { createFhirContext, type FhirServices } from './context.js';
import { inImportOrder, ndjsonEntries } from './import/ndjson.js';
import { importEntries } from './import/pipeline.js';
import { emptyReport, mergeReports, type ImportReport } from './import/report.js';

/** The principal the demo import acts as: an administrator recording (not reading) the record. */
export const IMPORT_SEED_PRINCIPAL: Principal = {
  sub: 'system:seed',
  roles: ['admin'],
  scopes: ['system/*.cruds'],
  clientId: 'carefed-seed',
  purposeOfUse: 'HOPERAT',
};

/** The source the demo data's ids belong to. */
export const SYNTHEA_SOURCE = 'synthea';

/**
 * Imports every NDJSON file of a folder through the one import path, in
 * reference order (patients and practitioners first, through their
 * subgraphs, then encounters, then the rest), in steps that each commit.
 * What `npm run fhir:import` asks the running service to do, in process.
 */
export async function importFolder(
  store: OpenedStore,
  dir: string,
  principal: Principal,
  source: string,
  log: Logger,
): Promise<ImportReport> {
  const services = store.services as FhirServices;
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ndjson'));
  const entries = inImportOrder(
    (
      await Promise.all(
        files.map(async (f) => ndjsonEntries(await readFile(path.join(dir, f), 'utf8'), f)),
      )
    ).flat(),
  );
  const report = emptyReport();
  for (let at = 0; at < entries.length; at += 1000) {
    const step = entries.slice(at, at + 1000);
    const { report: part } = await retryingWhileUnavailable(log, () =>
      importEntries(
        createFhirContext(
          { principal, requestId: `import-${at}`, em: store.orm.em.fork(), log, now: new Date() },
          services,
        ),
        { source, mode: 'bulk', entries: step },
      ),
    );
    mergeReports(report, part);
  }
  return report;
}

/**
 * The demo clinical record: the Synthea export imported through the same
 * path as any EHR's data (patients matched to the patient seed's, by MRN;
 * practitioners to scheduling's, by NPI). Once: a store that holds
 * resources is left alone.
 */
export async function seedFhir(
  store: OpenedStore,
  args: SeedArgs,
): Promise<ImportReport | undefined> {
  if (args.config.SEED_CLINICAL_RECORD === 'off') return undefined;
  const [row] = await store.orm.em
    .fork()
    .execute<{ n: number }[]>('SELECT count(*)::int AS n FROM resource');
  if (row && row.n > 0) return undefined;
  const report = await importFolder(
    store,
    args.dataDir,
    IMPORT_SEED_PRINCIPAL,
    SYNTHEA_SOURCE,
    args.log,
  );
  args.log.info(
    {
      total: report.total,
      created: report.created,
      unmapped: report.unmapped,
      errors: report.errors.length,
    },
    'demo clinical record imported',
  );
  return report;
}

/**
 * Runs an import step again while it is refused as retryable (the access
 * facts still catching up with the patients just registered, a patient not
 * known yet): a step is idempotent (its source-map rows make a redone entry
 * unchanged). Gives up after two minutes.
 */
async function retryingWhileUnavailable<T>(log: Logger, step: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await step();
    } catch (err) {
      const retryable =
        (err as { extensions?: { code?: string } }).extensions?.code === 'SERVICE_UNAVAILABLE';
      if (!retryable || Date.now() > deadline) throw err;
      log.info({ reason: (err as Error).message }, 'demo import step waits and retries');
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
