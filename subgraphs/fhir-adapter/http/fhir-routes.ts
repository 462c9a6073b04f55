import { randomUUID } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import express, { type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { INTERNAL_TOKEN_HEADER } from '../../../platform/federation/subgraph-server.js';
import { restOperation } from '../../../platform/federation/rest-operation.js';
import type { InternalTokenVerifier } from '../../../platform/identity/internal-token.js';
import { isSystemClient } from '../access.js';
import { createFhirContext, type FhirContext, type FhirServices } from '../context.js';
import { parseBundle, responseBundle } from '../import/bundle.js';
import { acceptBulkImport, bulkJob } from '../import/bulk-jobs.js';
import { importEntries } from '../import/pipeline.js';
import { operationOutcome } from '../import/report.js';

const FHIR_JSON = 'application/fhir+json';
const SOURCE = /^[A-Za-z0-9._:-]{1,100}$/;

const outcome = (code: string, diagnostics: string) => ({
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code, diagnostics }],
});

export interface FhirRoutesOptions {
  orm: MikroORM;
  verifier: InternalTokenVerifier;
  services: FhirServices;
  log: Logger;
}

/**
 * The FHIR REST API, served here behind the gateway (`gateway/fhir-proxy.ts`):
 * every request carries a token the gateway signed for that one call
 * (method, path and body hash), or it is refused 401.
 *
 * - `POST /fhir/R4`: a transaction (all or nothing) or batch (per entry) Bundle;
 * - `POST /fhir/R4/$import[?source=S&file=F]`: one bulk NDJSON file, accepted
 *   (202, `Content-Location` of its status) and run by the worker;
 * - `GET /fhir/R4/$import-status/<id>`: 202 with `X-Progress` while it runs,
 *   200 with the report (counts by type, the unmapped by reason, each error
 *   naming its line and path) when done.
 */
export function fhirRoutes(opts: FhirRoutesOptions): (app: express.Express) => void {
  const raw = express.raw({ type: () => true, limit: '50mb' });
  const context = async (req: Request): Promise<FhirContext | undefined> => {
    const header = req.header(INTERNAL_TOKEN_HEADER);
    if (!header) return undefined;
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    try {
      const verified = await opts.verifier.verify(header, {
        subgraph: 'fhir-adapter',
        operation: restOperation(
          req.method,
          req.originalUrl,
          req.method === 'GET' ? undefined : body,
        ),
      });
      const requestId = verified.requestId || randomUUID();
      return createFhirContext(
        {
          principal: verified.principal,
          requestId,
          ip: verified.ip,
          em: opts.orm.em.fork(),
          log: opts.log.child({ requestId }),
          now: new Date(),
        },
        opts.services,
      );
    } catch {
      return undefined;
    }
  };
  const guarded =
    (handle: (ctx: FhirContext, req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response) => {
      res.type(FHIR_JSON);
      void (async () => {
        const ctx = await context(req);
        if (!ctx)
          return void res
            .status(401)
            .json(outcome('login', 'This service accepts requests only through the gateway'));
        try {
          await handle(ctx, req, res);
        } catch (err) {
          const code = (err as { extensions?: { code?: string } }).extensions?.code;
          ctx.log.error({ err: (err as Error).name, code }, 'FHIR request failed');
          const status = code === 'SERVICE_UNAVAILABLE' ? 503 : code === 'FORBIDDEN' ? 403 : 500;
          res
            .status(status)
            .json(
              outcome(
                status === 500 ? 'exception' : 'transient',
                status === 500
                  ? 'The request failed; nothing was acknowledged'
                  : (err as Error).message,
              ),
            );
        }
      })();
    };

  return (app) => {
    app.post(
      '/fhir/R4',
      raw,
      guarded(async (ctx, req, res) => {
        let body: unknown;
        try {
          body = JSON.parse((req.body as Buffer).toString('utf8'));
        } catch {
          return void res.status(400).json(outcome('structure', 'The body is not valid JSON'));
        }
        const bundle = parseBundle(body);
        if ('problem' in bundle)
          return void res.status(400).json(outcome('invalid', bundle.problem));
        const result = await importEntries(ctx, {
          source: sourceOf(req, ctx),
          mode: bundle.type,
          entries: bundle.entries,
        });
        if (bundle.type === 'transaction' && !result.committed) {
          const forbidden = result.report.errors.every((e) =>
            e.issues.every((i) => i.code === 'forbidden'),
          );
          return void res
            .status(forbidden ? 403 : 400)
            .json(operationOutcome(result.report.errors));
        }
        res.status(200).json(responseBundle(bundle.type, result.outcomes));
      }),
    );

    app.post(
      '/fhir/R4/$import',
      raw,
      guarded(async (ctx, req, res) => {
        if (!ctx.principal.roles.includes('admin') && !isSystemClient(ctx.principal))
          return void res
            .status(403)
            .json(outcome('forbidden', 'Bulk import is for administrators and system clients'));
        const file =
          typeof req.query.file === 'string' && SOURCE.test(req.query.file)
            ? req.query.file
            : 'import.ndjson';
        const text = (req.body as Buffer).toString('utf8');
        const line = Number(typeof req.query.line === 'string' ? req.query.line : '1');
        const firstLine = Number.isInteger(line) && line >= 1 ? line : 1;
        const job = await acceptBulkImport(
          ctx.em,
          ctx.services,
          ctx.principal,
          sourceOf(req, ctx),
          file,
          text,
          ctx.now,
          firstLine,
        );
        res.setHeader('content-location', `/fhir/R4/$import-status/${job.id}`);
        res.status(202).json({
          resourceType: 'OperationOutcome',
          issue: [
            {
              severity: 'information',
              code: 'informational',
              diagnostics: `Accepted ${job.total} resources`,
            },
          ],
        });
      }),
    );

    app.get(
      '/fhir/R4/$import-status/:id',
      guarded(async (ctx, req, res) => {
        const id = String(req.params.id);
        const job = /^[0-9a-f-]{36}$/.test(id) ? await bulkJob(ctx.em, id) : undefined;
        // Only whoever started it (or an admin) sees a job: one answer for missing and not theirs.
        if (!job || (job.createdBy !== ctx.principal.sub && !ctx.principal.roles.includes('admin')))
          return void res.status(404).json(outcome('not-found', 'No such import job'));
        if (
          job.status === 'queued' ||
          job.status === 'running' ||
          (job.status === 'failed' && job.processed < job.total)
        ) {
          res.setHeader('x-progress', `${job.processed}/${job.total}`);
          res.setHeader('retry-after', '1');
          return void res
            .status(202)
            .json({ status: job.status, processed: job.processed, total: job.total });
        }
        res.status(200).json({
          status: job.status,
          processed: job.processed,
          total: job.total,
          report: { ...job.report, errors: undefined },
          errors: operationOutcome(job.report.errors),
        });
      }),
    );
  };
}

/** The source system the ids belong to: an importer's `?source=`, else the calling client. */
function sourceOf(req: Request, ctx: FhirContext): string {
  const given = req.query.source;
  // Only importers name a source: anyone else's ids are their own client's, so no one can
  // address (and overwrite) what another source imported by claiming its name.
  const importer = ctx.principal.roles.includes('admin') || isSystemClient(ctx.principal);
  return importer && typeof given === 'string' && SOURCE.test(given)
    ? given
    : ctx.principal.clientId;
}
