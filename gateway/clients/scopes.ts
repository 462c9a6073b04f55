import { parseScope, type SmartScope } from '../../platform/authz/scopes.js';

/** Whether an allowed scope grants everything a requested one asks for. */
function covers(allowed: SmartScope, requested: SmartScope): boolean {
  if (allowed.context !== requested.context) return false;
  if (allowed.resourceType !== '*' && allowed.resourceType !== requested.resourceType) return false;
  if (![...requested.permissions].every((p) => allowed.permissions.has(p))) return false;
  // A parameterised allowance (`?category=…`) covers only itself, written the same way.
  return allowed.params.length === 0 || allowed.raw === requested.raw;
}

/**
 * The scopes to grant: those requested that the client is allowed, where an
 * allowed SMART scope also grants a narrower one (`patient/Patient.rs` grants
 * `patient/Patient.r`; `patient/*.rs` grants `patient/Consent.rs`) and any
 * other scope only itself. No request (undefined) means every allowed scope.
 */
export function grantScopes(
  requested: readonly string[] | undefined,
  allowed: readonly string[],
): string[] {
  if (requested === undefined) return [...new Set(allowed)];
  const parsedAllowed = allowed.map(parseScope).filter((s): s is SmartScope => s !== null);
  const granted = requested.filter((r) => {
    if (allowed.includes(r)) return true;
    const scope = parseScope(r);
    return scope !== null && parsedAllowed.some((a) => covers(a, scope));
  });
  return [...new Set(granted)];
}
