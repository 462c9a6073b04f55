import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../platform/config/index.js';
import { DEV_IDS } from '../../platform/identity/dev-principal.js';
import type { PurposeOfUse } from '../../platform/identity/principal.js';
import { ClientRegistry, type ClientApp } from './registry.js';
import { hashClientSecret, newClientSecret } from './secret.js';

/** The demo apps' scopes: what a patient-facing partner app needs (the operations in schema/operations). */
export const PATIENT_APP_SCOPES = [
  'patient/Patient.rs',
  'patient/Consent.rs',
  'patient/AuditEvent.rs',
  'patient/Appointment.rs',
  'patient/Coverage.rs',
  'patient/Account.crs',
  'patient/ChargeItem.rs',
];

/** The FHIR adapter's system client: the resources it imports that other subgraphs own. */
export const FHIR_IMPORT_SCOPES = ['system/Patient.cru', 'system/Practitioner.cru'];

/** The demo payer's app: posts adjudications of claims against its own coverage. */
const PAYER_APP_SCOPES = ['system/Claim.rus', 'system/Coverage.rs'];

/** The payer the demo payer app acts for (UnitedHealthcare in data/billing/payers). */
export const DEMO_PAYER_ID = '60000';

/**
 * The demo patient the seed creates and `npm start` binds its demo tokens to
 * (scripts/demo-tokens.ts `demoSubjects`: the first living Synthea patient
 * with a care team): the one patient the demo apps may act for.
 */
export const DEMO_PATIENT_ID = '63ee2253-bdd5-da55-2ad2-b4984d0ad700';

/** What users of the first-party console act for: every role's own purpose (never ETREAT). */
export const FIRST_PARTY_PURPOSES: PurposeOfUse[] = [
  'PATRQT',
  'TREAT',
  'HOPERAT',
  'HPAYMT',
  'HRESCH',
  'HSYSADMIN',
  'HACCRED',
];

/** The development registry, secrets aside. */
const DEMO_CLIENTS: Omit<ClientApp, 'secretHash'>[] = [
  {
    id: DEV_IDS.partnerClient,
    name: 'Demo partner app (third party: persisted operations only)',
    allowedScopes: PATIENT_APP_SCOPES,
    persistedOnly: true,
    rateLimitTier: 'partner',
    patientBinding: { required: true, allowedPatients: [DEMO_PATIENT_ID] },
  },
  {
    id: DEV_IDS.payerClient,
    name: 'Demo payer app (UnitedHealthcare: adjudicates its claims, persisted operations only)',
    allowedScopes: PAYER_APP_SCOPES,
    persistedOnly: true,
    rateLimitTier: 'partner',
    organization: DEMO_PAYER_ID,
    purposeOfUse: 'HPAYMT',
  },
  {
    id: DEV_IDS.fhirImportClient,
    name: 'The FHIR adapter (first party: writes imported patients and practitioners to their subgraphs)',
    allowedScopes: FHIR_IMPORT_SCOPES,
    persistedOnly: false,
    rateLimitTier: 'standard',
    purposeOfUse: 'HOPERAT',
  },
  {
    id: DEV_IDS.firstPartyClient,
    name: 'Carefed developer console (first party: free queries)',
    allowedScopes: PATIENT_APP_SCOPES,
    persistedOnly: false,
    rateLimitTier: 'standard',
    allowedPurposes: FIRST_PARTY_PURPOSES,
    patientBinding: { required: false, allowedPatients: [DEMO_PATIENT_ID] },
  },
];

function errno(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/** Where a demo client's secret is kept: beside the other development keys. */
export function devClientSecretFile(keysDir: string, clientId: string): string {
  return path.join(keysDir, `client-${clientId}.secret`);
}

/**
 * Reads a demo client's secret, creating it (directory 0700, file 0600) on
 * first use. Creation is atomic, so processes starting together share one.
 */
export async function loadOrCreateDevClientSecret(
  keysDir: string,
  clientId: string,
): Promise<string> {
  const file = devClientSecretFile(keysDir, clientId);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if (errno(err) !== 'ENOENT') throw err;
  }
  await mkdir(path.dirname(keysDir), { recursive: true });
  await mkdir(keysDir, { mode: 0o700 }).catch((err: unknown) => {
    if (errno(err) !== 'EEXIST') throw err;
  });
  const tmp = `${file}.${randomUUID()}.tmp`;
  await writeFile(tmp, `${newClientSecret()}\n`, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails if the name exists, unlike rename(): whoever links first wins.
    await link(tmp, file).catch((err: unknown) => {
      if (errno(err) !== 'EEXIST') throw err;
    });
  } finally {
    await unlink(tmp);
  }
  return (await readFile(file, 'utf8')).trim();
}

/** The development registry: the demo partner app and the developer console, secrets under `keysDir`. */
export async function devClientRegistry(keysDir: string): Promise<ClientRegistry> {
  const clients = await Promise.all(
    DEMO_CLIENTS.map(async (c) => ({
      ...c,
      secretHash: await hashClientSecret(await loadOrCreateDevClientSecret(keysDir, c.id)),
    })),
  );
  return ClientRegistry.parse({ clients }, 'the development client registry');
}

/**
 * The client registry: CLIENTS_FILE when set; else, outside NODE_ENV=production,
 * the development registry. Under NODE_ENV=production without a file it is
 * empty, so every app is held to the persisted manifest.
 */
export async function loadClientRegistry(
  config: Pick<Config, 'CLIENTS_FILE' | 'NODE_ENV' | 'keysDir'>,
): Promise<ClientRegistry> {
  if (config.CLIENTS_FILE) {
    const text = await readFile(config.CLIENTS_FILE, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      // The parser's message quotes the text, which holds secret hashes.
      throw new Error(`CLIENTS_FILE ${config.CLIENTS_FILE}: not valid JSON`);
    }
    return ClientRegistry.parse(json, config.CLIENTS_FILE);
  }
  if (config.NODE_ENV === 'production') return new ClientRegistry([]);
  return devClientRegistry(config.keysDir);
}
