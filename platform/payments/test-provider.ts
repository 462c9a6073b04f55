import { randomBytes } from 'node:crypto';
import {
  CallbackRefused,
  parseEventBody,
  type IntentRequest,
  type PaymentProvider,
  type ProviderEvent,
} from './provider.js';
import { SIGNATURE_HEADER, signatureProblem, signPayload } from './signature.js';

/**
 * The test provider's payment methods, documented for demos and tests. A
 * real provider's client library would hand the app such a token after the
 * payer typed a card into the provider's own form.
 */
export const TEST_PAYMENT_METHODS = {
  /** Succeeds: one `payment_intent.succeeded` callback. */
  succeeds: 'tok_visa',
  /** Succeeds, and the provider delivers the same callback twice (as real ones may). */
  succeedsTwice: 'tok_visa_twice',
  /** Declined by the issuer: `payment_intent.declined`, code `card_declined`. */
  declined: 'tok_declined',
  /** Fails at the provider: `payment_intent.failed`, code `processing_error`. */
  fails: 'tok_failed',
  /** Accepted, but no callback ever comes: the intent expires. */
  silent: 'tok_no_callback',
} as const;

export interface TestProviderOptions {
  /** The secret both sides share for callback signatures. */
  secret: string;
  /** Where callbacks go (the service's webhook), read when a callback is sent. */
  callbackUrl: () => string;
  /** Milliseconds before the first delivery (default 150). */
  delayMs?: number;
  /** Deliveries per callback before giving up (default 6, backing off from 250 ms). */
  attempts?: number;
  /** Told of every delivery that failed for good (no body, just the status). */
  onGiveUp?: (eventId: string, status: number | 'network') => void;
}

/** A payment method the test provider does not know: a real provider refuses it at once too. */
export class UnknownPaymentMethod extends Error {
  override name = 'UnknownPaymentMethod';
}

const hex = (n: number) => randomBytes(n).toString('hex');

/**
 * A payment provider that behaves like a real one without moving money: it
 * refuses unknown payment methods, answers an intent with its own
 * reference, and confirms asynchronously by POSTing a signed callback
 * (HMAC-SHA256 over `<timestamp>.<raw body>`, header
 * `carefed-payment-signature`) to the service's webhook, retrying with
 * backoff until it gets a 2xx. Outcomes follow `TEST_PAYMENT_METHODS`.
 */
export function createTestProvider(opts: TestProviderOptions): PaymentProvider {
  const timers = new Set<NodeJS.Timeout>();
  const byIntent = new Map<string, string>();
  let stopped = false;
  const attempts = opts.attempts ?? 6;

  const later = (ms: number, run: () => Promise<void>) => {
    if (stopped) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void run();
    }, ms);
    timer.unref();
    timers.add(timer);
  };

  const deliver = (body: string, eventId: string, attempt: number): void =>
    later(attempt === 1 ? (opts.delayMs ?? 150) : 250 * 2 ** (attempt - 2), async () => {
      let status: number | 'network' = 'network';
      try {
        const res = await fetch(opts.callbackUrl(), {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signPayload(opts.secret, body, Math.floor(Date.now() / 1000)),
          },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        await res.arrayBuffer();
        status = res.status;
        if (res.ok) return;
      } catch {
        // network error: retried like a non-2xx answer
      }
      if (attempt < attempts) deliver(body, eventId, attempt + 1);
      else opts.onGiveUp?.(eventId, status);
    });

  return {
    name: 'test',
    createIntent(req: IntentRequest) {
      const outcome = Object.entries(TEST_PAYMENT_METHODS).find(
        ([, token]) => token === req.paymentMethod,
      )?.[0] as keyof typeof TEST_PAYMENT_METHODS | undefined;
      if (!outcome) return Promise.reject(new UnknownPaymentMethod('unknown payment method'));
      // Keyed by the caller's intent id, as a real provider's idempotency key.
      const providerRef = byIntent.get(req.intentId) ?? `tpi_${hex(12)}`;
      if (byIntent.has(req.intentId)) return Promise.resolve({ providerRef });
      byIntent.set(req.intentId, providerRef);
      if (outcome === 'silent') return Promise.resolve({ providerRef });
      const type =
        outcome === 'declined'
          ? 'payment_intent.declined'
          : outcome === 'fails'
            ? 'payment_intent.failed'
            : 'payment_intent.succeeded';
      const eventId = `tev_${hex(12)}`;
      const body = JSON.stringify({
        id: eventId,
        type,
        created: Math.floor(Date.now() / 1000),
        data: {
          intentId: req.intentId,
          providerRef,
          amountMinor: req.amountMinor.toString(),
          currency: req.currency,
          ...(outcome === 'declined' ? { declineCode: 'card_declined' } : {}),
          ...(outcome === 'fails' ? { declineCode: 'processing_error' } : {}),
        },
      });
      deliver(body, eventId, 1);
      if (outcome === 'succeedsTwice') deliver(body, eventId, 1);
      return Promise.resolve({ providerRef });
    },
    parseCallback(rawBody: Buffer, signature: string | undefined, now: Date): ProviderEvent {
      const problem = signatureProblem(opts.secret, rawBody, signature, now);
      if (problem) throw new CallbackRefused(`signature ${problem}`);
      return parseEventBody(rawBody);
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return Promise.resolve();
    },
  };
}
