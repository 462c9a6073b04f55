/**
 * A payment provider as a service sees it: it creates an intent to collect an
 * amount and later tells the outcome through a signed callback to the
 * service's webhook. Nothing here knows what is being paid for.
 */
export interface PaymentProvider {
  /** A short name stored with each intent, e.g. `test`. */
  readonly name: string;
  /**
   * Asks the provider to collect `amountMinor` for intent `intentId` (the
   * provider keys it by that id, so a retry creates nothing new) with the
   * payer's tokenised payment method. Resolves with the provider's reference;
   * the outcome comes later, by callback.
   */
  createIntent(request: IntentRequest): Promise<{ providerRef: string }>;
  /**
   * Verifies a callback's signature over its raw body and parses it; throws
   * `CallbackRefused` when the signature or the body is not the provider's.
   */
  parseCallback(rawBody: Buffer, signature: string | undefined, now: Date): ProviderEvent;
  /** Stops whatever the provider runs in this process (timers, connections). */
  stop(): Promise<void>;
}

export interface IntentRequest {
  intentId: string;
  amountMinor: bigint;
  /** ISO 4217 code. */
  currency: string;
  /** The payer's payment method as the provider tokenised it (never a card number). */
  paymentMethod: string;
}

/** What a provider's callback says about one intent. */
export interface ProviderEvent {
  /** The provider's id of this event: a redelivery carries the same id. */
  eventId: string;
  outcome: 'succeeded' | 'declined' | 'failed';
  intentId: string;
  providerRef: string;
  amountMinor: bigint;
  currency: string;
  /** Why it was declined or failed, as a code (e.g. `card_declined`). */
  declineCode?: string;
}

/** A callback that is not the provider's: bad or stale signature, or a malformed body. */
export class CallbackRefused extends Error {
  override name = 'CallbackRefused';
  constructor(readonly reason: string) {
    super(`payment callback refused: ${reason}`);
  }
}

const EVENT_ID = /^[A-Za-z0-9_-]{1,128}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Parses a callback body of the shape every provider adapter here emits (see the test provider). */
export function parseEventBody(rawBody: Buffer): ProviderEvent {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new CallbackRefused('body');
  }
  const b = body as Record<string, unknown> | null;
  const data = (b?.data ?? null) as Record<string, unknown> | null;
  const type = b?.type;
  const outcome =
    type === 'payment_intent.succeeded'
      ? 'succeeded'
      : type === 'payment_intent.declined'
        ? 'declined'
        : type === 'payment_intent.failed'
          ? 'failed'
          : null;
  if (
    !outcome ||
    typeof b?.id !== 'string' ||
    !EVENT_ID.test(b.id) ||
    !data ||
    typeof data.intentId !== 'string' ||
    !UUID.test(data.intentId) ||
    typeof data.providerRef !== 'string' ||
    !EVENT_ID.test(data.providerRef) ||
    typeof data.amountMinor !== 'string' ||
    !/^[1-9][0-9]{0,17}$/.test(data.amountMinor) ||
    typeof data.currency !== 'string' ||
    !/^[A-Z]{3}$/.test(data.currency) ||
    (data.declineCode !== undefined &&
      (typeof data.declineCode !== 'string' || !/^[a-z_]{1,64}$/.test(data.declineCode)))
  )
    throw new CallbackRefused('body');
  return {
    eventId: b.id,
    outcome,
    intentId: data.intentId,
    providerRef: data.providerRef,
    amountMinor: BigInt(data.amountMinor),
    currency: data.currency,
    ...(typeof data.declineCode === 'string' ? { declineCode: data.declineCode } : {}),
  };
}
