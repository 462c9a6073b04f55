import { errors } from 'jose';

/** Why a token was refused: for logs and metrics only, never shown to the caller. */
export type UnauthenticatedReason =
  | 'malformed'
  | 'bad-algorithm'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired'
  | 'too-long-lived'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-type'
  | 'missing-claim'
  | 'bad-claims'
  | 'jwks-unavailable'
  | 'verification-failed';

/**
 * A bearer token was missing, invalid or expired. The message is the same for every
 * cause so callers learn nothing about which check failed; `reason` and `claim` are
 * safe to log. The jose error is deliberately not kept as `cause`: it carries the
 * token's payload, which may identify a patient.
 */
export class UnauthenticatedError extends Error {
  override name = 'UnauthenticatedError';
  readonly code = 'UNAUTHENTICATED';
  readonly reason: UnauthenticatedReason;
  /** Name of the offending claim, when one is to blame. */
  readonly claim?: string;

  constructor(reason: UnauthenticatedReason, claim?: string) {
    super('Invalid or expired token');
    this.reason = reason;
    if (claim !== undefined) this.claim = claim;
  }
}

function claimFailure(err: errors.JWTClaimValidationFailed): UnauthenticatedError {
  if (err.reason === 'missing') return new UnauthenticatedError('missing-claim', err.claim);
  switch (err.claim) {
    case 'iss':
      return new UnauthenticatedError('wrong-issuer', 'iss');
    case 'aud':
      return new UnauthenticatedError('wrong-audience', 'aud');
    case 'nbf':
      return new UnauthenticatedError('not-yet-valid', 'nbf');
    case 'iat':
      return new UnauthenticatedError('not-yet-valid', 'iat');
    case 'typ':
      return new UnauthenticatedError('wrong-type', 'typ');
    default:
      return new UnauthenticatedError('bad-claims', err.claim);
  }
}

/** Maps any failure of token verification to an {@link UnauthenticatedError}. */
export function toUnauthenticated(err: unknown): UnauthenticatedError {
  if (err instanceof UnauthenticatedError) return err;
  // jose reports a token issued longer ago than the maximum lifetime as expired on `iat`.
  if (err instanceof errors.JWTExpired)
    return err.claim === 'iat'
      ? new UnauthenticatedError('too-long-lived', 'iat')
      : new UnauthenticatedError('expired', 'exp');
  if (err instanceof errors.JWTClaimValidationFailed) return claimFailure(err);
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new UnauthenticatedError('bad-algorithm');
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new UnauthenticatedError('unknown-key');
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new UnauthenticatedError('bad-signature');
  }
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) {
    return new UnauthenticatedError('jwks-unavailable');
  }
  if (
    err instanceof errors.JWSInvalid ||
    err instanceof errors.JWTInvalid ||
    err instanceof errors.JWKInvalid
  ) {
    return new UnauthenticatedError('malformed');
  }
  // Fetching a remote JWKS fails with a generic JOSEError or a network TypeError.
  if (err instanceof errors.JOSEError || err instanceof TypeError) {
    return new UnauthenticatedError('jwks-unavailable');
  }
  return new UnauthenticatedError('verification-failed');
}
