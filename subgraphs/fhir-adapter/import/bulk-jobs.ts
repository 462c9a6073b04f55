import { randomUUID } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { enqueueJob, type JobHandler } from '../../../platform/events/jobs.js';
import type { Principal } from '../../../platform/identity/principal.js';
import { createFhirContext, type FhirServices } from '../context.js';
import { payloadContext } from '../store/resource-cipher.js';
import { inImportOrder, ndjsonEntries } from './ndjson.js';
import { importEntries } from './pipeline.js';
import { emptyReport, mergeReports, type ImportReport } from './report.js';

/** The graphile-worker task that runs a bulk import. */
export const BULK_IMPORT_TASK = 'fhir:bulk-import';

/** Lines per committed step: progress is saved after each, and a restart resumes there. */
const STEP = 1000;

/** A bulk import's state, as `$import-status` reports it. */
export interface BulkJob {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  total: number;
  processed: number;
  report: ImportReport;
  createdBy: string;
}

/**
 * Accepts a bulk NDJSON import: the file is stored encrypted with its job
 * and the worker job is enqueued in the same transaction, so what is
 * acknowledged (202) is never lost; the caller's principal is kept to decide
 * every entry as if they were there.
 */
export async function acceptBulkImport(
  em: EntityManager,
  services: FhirServices,
  principal: Principal,
  source: string,
  file: string,
  text: string,
  now: Date,
  firstLine = 1,
): Promise<{ id: string; total: number }> {
  const id = randomUUID();
  const total = ndjsonEntries(text, file, firstLine).length;
  await em.transactional(async (tx) => {
    await services.cipher.keyring.refreshIfStale(tx);
    await tx.execute(
      `INSERT INTO import_job (id, status, source, created_by, principal, created_at, payload, total, report)
       VALUES (?, 'queued', ?, ?, ?::jsonb, ?, ?, ?, ?::jsonb)`,
      [
        id,
        source,
        principal.sub,
        JSON.stringify(principal),
        now.toISOString(),
        services.cipher.encryptSync(JSON.stringify({ file, text, firstLine }), payloadContext(id)),
        total,
        JSON.stringify(emptyReport()),
      ],
    );
    await enqueueJob(tx, { task: BULK_IMPORT_TASK, payload: { jobId: id }, maxAttempts: 5 });
  });
  return { id, total };
}

/** One bulk import's state, or undefined. */
export async function bulkJob(em: EntityManager, id: string): Promise<BulkJob | undefined> {
  const [r] = await em.execute<
    {
      id: string;
      status: BulkJob['status'];
      total: number;
      processed: number;
      report: ImportReport;
      created_by: string;
    }[]
  >('SELECT id, status, total, processed, report, created_by FROM import_job WHERE id = ?::uuid', [
    id,
  ]);
  return (
    r && {
      id: r.id,
      status: r.status,
      total: r.total,
      processed: r.processed,
      report: r.report,
      createdBy: r.created_by,
    }
  );
}

/**
 * Runs a bulk import from where it stopped: entries in reference order, in
 * steps of `STEP` lines, each step's writes committed before its progress
 * (an entry redone after a crash meets its own source-map row and is
 * unchanged).
 */
export function bulkImportJob(orm: MikroORM, services: FhirServices, log: Logger): JobHandler {
  return async (payload) => {
    const { jobId } = payload as { jobId: string };
    const em = orm.em.fork();
    const [job] = await em.execute<
      {
        status: string;
        source: string;
        principal: Principal;
        payload: string;
        processed: number;
        report: ImportReport;
      }[]
    >(
      'SELECT status, source, principal, payload, processed, report FROM import_job WHERE id = ?::uuid',
      [jobId],
    );
    if (!job || job.status === 'completed') return;
    await em.execute(`UPDATE import_job SET status = 'running' WHERE id = ?::uuid`, [jobId]);
    const ctxOf = () =>
      createFhirContext(
        {
          principal: job.principal,
          requestId: jobId,
          em: orm.em.fork(),
          log: log.child({ importJob: jobId }),
          now: new Date(),
        },
        services,
      );
    const plain = await services.cipher.decrypt(em, job.payload, payloadContext(jobId));
    const { file, text, firstLine } = JSON.parse(plain) as {
      file: string;
      text: string;
      firstLine?: number;
    };
    const entries = inImportOrder(ndjsonEntries(text, file, firstLine ?? 1));
    const report = job.report;
    try {
      for (let at = job.processed; at < entries.length; at += STEP) {
        const step = entries.slice(at, at + STEP);
        const { report: part } = await importEntries(ctxOf(), {
          source: job.source,
          mode: 'bulk',
          entries: step,
        });
        mergeReports(report, part);
        await em.execute(
          'UPDATE import_job SET processed = ?, report = ?::jsonb WHERE id = ?::uuid',
          [at + step.length, JSON.stringify(report), jobId],
        );
      }
      await em.execute(
        `UPDATE import_job SET status = 'completed', finished_at = now() WHERE id = ?::uuid`,
        [jobId],
      );
      log.info(
        { importJob: jobId, total: report.total, errors: report.errors.length },
        'bulk import completed',
      );
    } catch (err) {
      log.error(
        { importJob: jobId, err: (err as Error).message },
        'bulk import step failed; it will be retried',
      );
      await em.execute(`UPDATE import_job SET status = 'failed' WHERE id = ?::uuid`, [jobId]);
      throw err;
    }
  };
}
