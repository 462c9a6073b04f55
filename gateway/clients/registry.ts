import { z } from 'zod';
import { PURPOSES, type Principal } from '../../platform/identity/principal.js';
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
   * The purpose of use its tokens carry (HL7 PurposeOfUse, e.g. `HPAYMT` for a
   * payer's app); default: `PATRQT` acting for a patient, else `HOPERAT`.
   */
  purposeOfUse: z.enum(PURPOSES).optional(),
  /**
   * Whether a token acts for one patient, named at token time (`patient`):
   * `required`, `optional` or, when absent, never (system access only).
   */
  patientBinding: z
    .strictObject({
      required: z.boolean(),
      /** When set, only these patients may be named. */
      allowedPatients: z.array(z.string().regex(FHIR_ID)).optional(),
    })
    .optional(),
});

const registrySchema = z.strictObject({
  clients: z
    .array(
      clientSchema.refine((c) => !(c.organization && c.patientBinding), {
        message: 'an app acts for an organisation or for patients, not both',
        path: ['organization'],
      }),
    )
    .max(10_000),
});

/** One registered client app. */
export type ClientApp = z.infer<typeof clientSchema>;

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
   * when it acts as a partner app (third parties fail closed).
   */
  persistedOnly(principal: Pick<Principal, 'clientId' | 'roles'>): boolean {
    const client = this.byId.get(principal.clientId);
    return client ? client.persistedOnly : principal.roles.includes('partner');
  }

  /** The caller's rate-limit tier, or undefined for a client the registry does not list. */
  rateLimitTier(clientId: string): string | undefined {
    return this.byId.get(clientId)?.rateLimitTier;
  }
}
