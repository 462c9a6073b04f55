import { UnauthenticatedError } from './errors.js';
import type { OpenedJws } from './compact-jws.js';

/** What the registered claims of a gateway token must be, checked as jose's jwtVerify would. */
export interface RegisteredClaimRules {
  typ: string;
  issuer: string;
  audience: string;
  required: readonly string[];
  /** Longest age accepted (now - iat), in seconds, before the tolerance. */
  maxAgeSec: number;
  toleranceSec: number;
}

const isNumericDate = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Checks `typ`, required claims, `iss`, `aud` (exactly the one audience),
 * `iat`, `nbf`, `exp` and the maximum age against the clock, in jose's
 * order and with its reasons, so a refusal reads the same as before.
 */
export function checkRegisteredClaims(
  { header, payload }: OpenedJws,
  rules: RegisteredClaimRules,
  nowSec: number = Math.floor(Date.now() / 1000),
): void {
  if (header.typ !== rules.typ) throw new UnauthenticatedError('wrong-type', 'typ');
  for (const claim of rules.required)
    if (!(claim in payload)) throw new UnauthenticatedError('missing-claim', claim);
  if (payload.iss !== rules.issuer) throw new UnauthenticatedError('wrong-issuer', 'iss');
  if (payload.aud !== rules.audience) throw new UnauthenticatedError('wrong-audience', 'aud');
  const { iat, nbf, exp } = payload;
  if (!isNumericDate(iat)) throw new UnauthenticatedError('bad-claims', 'iat');
  if (nbf !== undefined && (!isNumericDate(nbf) || nbf > nowSec + rules.toleranceSec))
    throw new UnauthenticatedError('not-yet-valid', 'nbf');
  if (!isNumericDate(exp)) throw new UnauthenticatedError('bad-claims', 'exp');
  if (exp <= nowSec - rules.toleranceSec) throw new UnauthenticatedError('expired', 'exp');
  const age = nowSec - iat;
  if (age < -rules.toleranceSec) throw new UnauthenticatedError('not-yet-valid', 'iat');
  if (age - rules.toleranceSec > rules.maxAgeSec)
    throw new UnauthenticatedError('too-long-lived', 'iat');
}
