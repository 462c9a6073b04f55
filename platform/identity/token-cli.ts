import { parseArgs } from 'node:util';

import { getConfig, type Config } from '../config/index.js';
import { DevIssuer, devIssuerUrl, devPrincipal } from './dev-issuer.js';
import { PURPOSES, ROLES, type Principal, type PurposeOfUse, type Role } from './principal.js';
import { allowedPurposes } from './purpose-policy.js';
import { DEFAULT_MAX_TOKEN_LIFETIME_SEC } from './verify.js';

export const TOKEN_USAGE = `Usage: npm run token -- --role <role> [--sub <id>] [--patient <id>]
  [--practitioner <id>] [--org <id>] [--scope "<smart scopes>"] [--client <id>]
  [--purpose <code>] [--expires 1h]
Roles: ${ROLES.join(', ')}
Purposes: ${PURPOSES.join(', ')} (each role may assert only its own; ETREAT never)
--expires is at most OIDC_MAX_TOKEN_LIFETIME (default 12 h)`;

/** A usage error; its message is meant for the person at the terminal. */
export class TokenCliError extends Error {
  override name = 'TokenCliError';
}

const OPTIONS = {
  role: { type: 'string' },
  sub: { type: 'string' },
  patient: { type: 'string' },
  practitioner: { type: 'string' },
  org: { type: 'string' },
  scope: { type: 'string' },
  client: { type: 'string' },
  purpose: { type: 'string' },
  expires: { type: 'string', default: '1h' },
  help: { type: 'boolean', short: 'h' },
} as const;

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new TokenCliError(`Unknown ${what} "${value}". Choose one of: ${allowed.join(', ')}`);
  }
  return value as T;
}

function parse(
  argv: string[],
): ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'] {
  try {
    return parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false })
      .values;
  } catch (err) {
    throw new TokenCliError(`${err instanceof Error ? err.message : String(err)}\n${TOKEN_USAGE}`);
  }
}

/**
 * Parses `npm run token` arguments and returns one dev token signed by the dev issuer
 * at `http://localhost:<GATEWAY_PORT>` (or the usage text for `--help`).
 */
export async function tokenCli(
  argv: string[],
  config: Pick<Config, 'keysDir' | 'GATEWAY_PORT' | 'OIDC_AUDIENCE'> &
    Partial<Pick<Config, 'OIDC_MAX_TOKEN_LIFETIME'>> = getConfig(),
): Promise<string> {
  const v = parse(argv);
  if (v.help) return TOKEN_USAGE;
  if (v.role === undefined) throw new TokenCliError(`--role is required\n${TOKEN_USAGE}`);
  const role = oneOf<Role>(v.role, ROLES, 'role');
  const overrides: Partial<Principal> = {
    sub: v.sub,
    patientId: v.patient,
    practitionerId: v.practitioner,
    organizationId: v.org,
    clientId: v.client,
    scopes: v.scope?.split(/\s+/).filter((s) => s.length > 0),
    purposeOfUse:
      v.purpose === undefined ? undefined : oneOf<PurposeOfUse>(v.purpose, PURPOSES, 'purpose'),
  };
  const principal = devPrincipal(role, overrides);
  const allowed = allowedPurposes(principal.roles, principal.patientId !== undefined);
  if (!allowed.includes(principal.purposeOfUse))
    throw new TokenCliError(
      `A ${role} token${role === 'partner' ? (principal.patientId ? ' with a patient' : ' without a patient') : ''} may not assert purpose ${principal.purposeOfUse}. Allowed: ${allowed.join(', ')}`,
    );
  const expiresIn = /^\d+$/.test(v.expires) ? Number(v.expires) : v.expires;
  const issuer = await DevIssuer.load(
    config.keysDir,
    devIssuerUrl(config.GATEWAY_PORT),
    config.OIDC_AUDIENCE,
    config.OIDC_MAX_TOKEN_LIFETIME ?? DEFAULT_MAX_TOKEN_LIFETIME_SEC,
  );
  try {
    return await issuer.sign(principal, { expiresIn });
  } catch (err) {
    if (err instanceof TypeError && /time/i.test(err.message)) {
      throw new TokenCliError(`Invalid --expires "${v.expires}": use seconds or e.g. 15m, 1h, 7d`);
    }
    if (err instanceof RangeError)
      throw new TokenCliError(`--expires "${v.expires}": ${err.message}`);
    throw err;
  }
}
