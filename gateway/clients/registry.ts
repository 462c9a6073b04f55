import { z } from 'zod';
import { PURPOSES, type Principal, type PurposeOfUse } from '../../platform/identity/principal.js';
import { allowedPurposes, defaultPurpose } from '../../platform/identity/purpose-policy.js';
import {
  hashClientSecret,
  isClientSecretHash,
  newClientSecret,
  verifyClientSecret,
} from './secret.js';

const CLIENT_ID = /^[A-Za-z0-9._-]{1,100}$/;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

const clientSchema = z.strictObject({
  id: z.string().regex(CLIENT_ID),
  /** Shown to operators only. */
  name: z.string().max(200).optional(),
  /** `scrypt$N$r$p$salt$hash` (`npm run client:secret` makes one); absent: no client-credentials grant. */
  secretHash: z.string().refine(isClientSecretHash, 'not an scrypt hash').optional(),
  /** SMART scopes the client may be granted; a request is narrowed to these. */
  allowedScopes: z.array(z.string().min(1).max(200)).max(100),
  /** Runs only operations of the persisted manifest, sent by id. */
  persistedOnly: z.boolean(),
  /** Rate-limit tier name (gateway rate limits). */
  rateLimitTier: z.string().min(1).max(50),
  /**
   * The organisation the app acts for (its tokens carry it as `org`): for a
   * payer's app, the payer id; billing then shows it only claims and coverage
   * with that payer. Never combined with a patient binding.
   */
  organization: z.string().regex(FHIR_ID).optional(),
  /**
   * The purpose of use its client-credentials tokens carry (HL7 PurposeOfUse,
   * e.g. `HPAYMT` for a payer's app); default: `PATRQT` acting for a patient,
   * else `HOPERAT`. Only with no patient binding (a patient-bound app acts at
   * the patient's request).
   */
  purposeOfUse: z.enum(PURPOSES).optional(),
  /**
   * The purposes of use any token of this client may assert, whoever it was
   * issued to (a first-party app carrying clinicians' and billing staff's
   * tokens lists theirs). Default: only what its client-credentials tokens
   * carry ({@link clientPurposes}). A token asserting another is refused.
   */
  allowedPurposes: z.array(z.enum(PURPOSES)).min(1).max(PURPOSES.length).optional(),
  /**
   * Whether a token acts for one patient, named at token time (`patient`):
   * `required`, `optional` or, when absent, never (system access only).
   */
  patientBinding: z
    .strictObject({
      required: z.boolean(),
      /**
       * The only patients it may name. Absent or empty: none, so a client
       * that must name one gets no token. Until a SMART launch lets a patient
       * authorise an app, this list is that authorisation.
       */
      allowedPatients: z.array(z.string().regex(FHIR_ID)).max(10_000).optional(),
    })
    .optional(),
});

type ClientEntry = z.infer<typeof clientSchema>;

/**
 * The purposes of use a client's own client-credentials tokens may carry: its
 * `purposeOfUse`, else the partner default for each patient context its
 * binding allows.
 */
export function tokenPurposes(
  c: Pick<ClientEntry, 'purposeOfUse' | 'patientBinding'>,
): PurposeOfUse[] {
  if (c.purposeOfUse) return [c.purposeOfUse];
  if (!c.patientBinding) return [defaultPurpose('partner', false)];
  if (c.patientBinding.required) return [defaultPurpose('partner', true)];
  return [defaultPurpose('partner', true), defaultPurpose('partner', false)];
}

/** The purposes of use any token of this client may assert. */
export function clientPurposes(
  c: Pick<ClientEntry, 'purposeOfUse' | 'patientBinding' | 'allowedPurposes'>,
): PurposeOfUse[] {
  return c.allowedPurposes ?? tokenPurposes(c);
}

/**
 * A client's own purpose must be one a partner token may assert, and its
 * allowed purposes must cover what its own tokens carry.
 */
function checkPurposes(c: ClientEntry, ctx: z.RefinementCtx): void {
  const system = allowedPurposes(['partner'], false);
  if (c.purposeOfUse !== undefined && c.patientBinding)
    ctx.addIssue({
      code: 'custom',
      path: ['purposeOfUse'],
      message: 'a patient-bound app acts at the patient’s request (PATRQT): omit purposeOfUse',
    });
  else if (c.purposeOfUse !== undefined && !system.includes(c.purposeOfUse))
    ctx.addIssue({
      code: 'custom',
      path: ['purposeOfUse'],
      message: `an app without a patient may act only for ${system.join(' or ')}`,
    });
  const own = tokenPurposes(c);
  if (c.allowedPurposes && !own.every((p) => c.allowedPurposes!.includes(p)))
    ctx.addIssue({
      code: 'custom',
      path: ['allowedPurposes'],
      message: `must include what the client's own tokens carry: ${own.join(', ')}`,
    });
}

const registrySchema = z.strictObject({
  clients: z
    .array(
      clientSchema
        .refine((c) => !(c.organization && c.patientBinding), {
          message: 'an app acts for an organisation or for patients, not both',
          path: ['organization'],
        })
        .superRefine(checkPurposes),
    )
    .max(10_000),
});

/** One registered client app. */
export type ClientApp = ClientEntry;

/** A scrypt hash of nothing anyone knows: unknown clients cost as much to refuse as known ones. */
let decoy: Promise<string> | undefined;
const decoyHash = (): Promise<string> => (decoy ??= hashClientSecret(newClientSecret()));

/** The client apps the gateway knows, by id. */
export class ClientRegistry {
  private readonly byId: ReadonlyMap<string, ClientApp>;

  constructor(clients: readonly ClientApp[]) {
    const byId = new Map<string, ClientApp>();
    for (const c of clients) {
      if (byId.has(c.id)) throw new Error(`Client registry: client ${c.id} is listed twice`);
      byId.set(c.id, c);
    }
    this.byId = byId;
  }

  /** Parses and validates a registry document (the CLIENTS_FILE format); `source` names it in errors. */
  static parse(json: unknown, source: string): ClientRegistry {
    const parsed = registrySchema.safeParse(json);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
      throw new Error(`${source}: invalid client registry:\n${lines.join('\n')}`);
    }
    return new ClientRegistry(parsed.data.clients);
  }

  get(clientId: string): ClientApp | undefined {
    return this.byId.get(clientId);
  }

  get clients(): ClientApp[] {
    return [...this.byId.values()];
  }

  /**
   * The client whose id and secret these are, or undefined. Unknown ids and
   * clients without a secret take as long as a wrong secret, so the answer's
   * timing does not tell which ids exist.
   */
  async authenticate(clientId: string, secret: string): Promise<ClientApp | undefined> {
    const client = this.byId.get(clientId);
    const ok = await verifyClientSecret(secret, client?.secretHash ?? (await decoyHash()));
    return ok && client?.secretHash ? client : undefined;
  }

  /**
   * Whether the caller may run only persisted operations: as its registry
   * entry says; a client the registry does not list is held to the manifest
   * whatever the token's roles (unknown apps fail closed).
   */
  persistedOnly(principal: Pick<Principal, 'clientId'>): boolean {
    return this.byId.get(principal.clientId)?.persistedOnly ?? true;
  }

  /**
   * Whether the token's purpose of use is one its client may assert (the
   * roles' own bound is checked at verification). A client the registry does
   * not list is bound by its roles only: it runs persisted operations alone.
   */
  allowsPurpose(principal: Pick<Principal, 'clientId' | 'purposeOfUse'>): boolean {
    const client = this.byId.get(principal.clientId);
    return !client || clientPurposes(client).includes(principal.purposeOfUse);
  }

  /** Whether `client` may name `patientId` at the token endpoint (listed for it). */
  static mayBind(client: ClientApp, patientId: string): boolean {
    return client.patientBinding?.allowedPatients?.includes(patientId) ?? false;
  }

  /** The caller's rate-limit tier, or undefined for a client the registry does not list. */
  rateLimitTier(clientId: string): string | undefined {
    return this.byId.get(clientId)?.rateLimitTier;
  }
}
