import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from 'pino';
import { isStrictProduction, type Config } from '../../../platform/config/index.js';
import type { PaymentProvider } from '../../../platform/payments/provider.js';
import { createTestProvider } from '../../../platform/payments/test-provider.js';
import type { IntentPolicy } from '../store/payment-intents.js';

/** Largest payment intent, in minor units (100,000.00 in a two-decimal currency). */
export const MAX_INTENT_MINOR = 10_000_000n;

/** Where billing's server takes payment providers' callbacks. */
export const WEBHOOK_PATH = '/payments/webhook';

export type PaymentConfig = Pick<
  Config,
  | 'NODE_ENV'
  | 'BILLING_PAYMENT_PROVIDER'
  | 'BILLING_PAYMENT_WEBHOOK_SECRET_FILE'
  | 'BILLING_PAYMENT_INTENT_MINUTES'
  | 'BILLING_ALLOW_CREDIT'
>;

/** The intent policy the configuration sets. */
export function intentPolicy(config: PaymentConfig): IntentPolicy {
  return {
    allowCredit: config.BILLING_ALLOW_CREDIT,
    maxMinor: MAX_INTENT_MINOR,
    ttlMinutes: config.BILLING_PAYMENT_INTENT_MINUTES,
  };
}

function webhookSecret(config: PaymentConfig): string {
  const file = config.BILLING_PAYMENT_WEBHOOK_SECRET_FILE;
  // Outside production the test provider lives in this process: a secret per process is enough.
  if (!file) return randomBytes(32).toString('base64url');
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32)
    throw new Error('BILLING_PAYMENT_WEBHOOK_SECRET_FILE must hold at least 32 characters');
  return secret;
}

/**
 * The payment provider billing collects patients' money through, or null
 * when none is configured (`none`: patients pay at the desk). The only
 * provider built in is the test provider, which moves no money: NODE_ENV=production
 * refuses it, and a deployment plugs its own `PaymentProvider` in here.
 */
export function billingPaymentProvider(
  config: PaymentConfig,
  callbackUrl: () => string,
  log: Logger,
): PaymentProvider | null {
  const strict = isStrictProduction(config as Config);
  const kind = config.BILLING_PAYMENT_PROVIDER ?? (strict ? 'none' : 'test');
  if (kind === 'none') return null;
  if (strict)
    throw new Error(
      'BILLING_PAYMENT_PROVIDER=test moves no money and is refused under NODE_ENV=production',
    );
  return createTestProvider({
    secret: webhookSecret(config),
    callbackUrl,
    onGiveUp: (eventId, status) =>
      log.warn({ eventId, status }, 'test payment provider gave up delivering a callback'),
  });
}
