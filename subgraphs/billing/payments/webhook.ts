import type { MikroORM } from '@mikro-orm/postgresql';
import express, { type Request, type Response } from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { auditedWrite } from '../../../platform/audit/audited-write.js';
import { CallbackRefused, type PaymentProvider } from '../../../platform/payments/provider.js';
import { SIGNATURE_HEADER } from '../../../platform/payments/signature.js';
import { SCHEMA } from '../store/ledger.js';
import {
  applyProviderEvent,
  CallbackMismatch,
  intentById,
  type CallbackOutcome,
} from '../store/payment-intents.js';
import { WEBHOOK_PATH } from './provider.js';
import { systemContext, systemDecision } from './system-context.js';

export interface WebhookDeps {
  orm: MikroORM;
  log: Logger;
  provider: PaymentProvider;
}

/**
 * Mounts `POST /payments/webhook`: the provider's signed callback, verified
 * over the raw body (signature and timestamp) before anything is read, then
 * applied once per provider event id through `auditedWrite` (the provider as
 * actor). Answers 2xx only when the callback is applied or already was, so
 * the provider retries anything else: 400 for a bad signature or a body that
 * does not match its intent, 404 for an intent not (yet) committed.
 */
export function paymentWebhook(deps: WebhookDeps): (app: express.Express) => void {
  const log = deps.log.child({ component: 'payment-webhook' });
  return (app) => {
    app.post(
      WEBHOOK_PATH,
      express.raw({ type: () => true, limit: '64kb' }),
      (req: Request, res: Response) => {
        handle(deps, log, req, res).catch((err: unknown) => {
          log.error({ err: (err as Error).name }, 'payment callback failed');
          if (!res.headersSent) res.status(500).json({ error: 'internal' });
        });
      },
    );
  };
}

async function handle(deps: WebhookDeps, log: Logger, req: Request, res: Response): Promise<void> {
  const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  let ev;
  try {
    ev = deps.provider.parseCallback(raw, req.header(SIGNATURE_HEADER), new Date());
  } catch (err) {
    if (!(err instanceof CallbackRefused)) throw err;
    log.warn({ reason: err.reason }, 'payment callback refused');
    return void res.status(400).json({ error: 'callback refused' });
  }
  const intent = await intentById(deps.orm.em.fork(), ev.intentId);
  if (!intent) return void res.status(404).json({ error: 'unknown intent' });
  const actor = `payment-provider:${deps.provider.name}`;
  const ctx = systemContext(deps.orm.em.fork(), log, actor, `callback:${ev.eventId}`, req.ip);
  let out: CallbackOutcome;
  try {
    out = await auditedWrite(
      ctx,
      {
        decision: systemDecision('provider-signature'),
        patientId: intent.patientId,
        dataClass: 'Account',
        action: 'update',
        reason: `payment-callback:${ev.outcome}`,
      },
      {
        idempotency: {
          schema: SCHEMA,
          key: `cb:${ev.eventId}`,
          operation: 'paymentCallback',
          request: { ...ev, amountMinor: ev.amountMinor.toString() },
        },
        write: async (em) => {
          const o = await applyProviderEvent(em, deps.provider.name, ev);
          return { id: o.intent.id, result: o };
        },
        replay: async (em, id) => {
          const now = await intentById(em, id);
          if (!now) throw new Error('A replayed intent vanished');
          return { intent: now, changed: false, lateSuccess: false };
        },
      },
    );
  } catch (err) {
    if (err instanceof CallbackMismatch) {
      log.warn({ intentId: ev.intentId, eventId: ev.eventId }, 'payment callback mismatch');
      return void res.status(400).json({ error: 'callback does not match its intent' });
    }
    if (err instanceof GraphQLError && err.extensions.code === 'CONFLICT')
      return void res.status(409).json({ error: 'event id reused with another body' });
    throw err;
  }
  if (out.lateSuccess)
    log.warn({ intentId: out.intent.id }, 'provider confirmed an expired intent: refund it there');
  log.info(
    { intentId: out.intent.id, status: out.intent.status, changed: out.changed },
    'payment callback applied',
  );
  res.status(200).json({ received: true });
}
